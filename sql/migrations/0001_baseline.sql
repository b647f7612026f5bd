-- The baseline schema of BGC Analytics 0.2.0: every migration up to 0.1.0 (0001-0019)
-- squashed into one file, without the row-store facts and pair tables that the per-year
-- Parquet snapshots replace (rpt.snapshot_exportacao; docs/architecture.md).
--
-- Schemas: stg (staging, one partition per source file), rpt (per-file aggregates, the
-- per-year report tables and their views, the summaries, the snapshots), cfg (reference
-- data, ingest batches and rejects, MDIC's totals). A database made by the 0.1.x
-- migrations is refused by `bgc db migrate`: `bgc db reset` recreates it, and the
-- landing files load again through the sensor. Migrations after this one are frozen
-- once they land.

-- Functions come before the views they read (pg_dump's order): check their bodies when
-- they are called, not when created. LOCAL: this migration's transaction only.
SET LOCAL check_function_bodies = false;

-- The API's read-only role: SELECT on rpt, nothing else. NOLOGIN: grant it to the API's
-- login user (docs/operations.md), e.g.
--   CREATE ROLE bgc_api LOGIN PASSWORD '...' IN ROLE bgc_api_reader;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bgc_api_reader') THEN
        CREATE ROLE bgc_api_reader NOLOGIN;
    END IF;
END
$$;

--

-- schema cfg
CREATE SCHEMA cfg;

-- schema rpt
CREATE SCHEMA rpt;

-- schema stg
CREATE SCHEMA stg;

-- function rpt.marcar_anos_pendentes()
CREATE FUNCTION rpt.marcar_anos_pendentes() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    changed INT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := ARRAY[NEW.ano];
    ELSIF TG_OP = 'DELETE' THEN
        changed := ARRAY[OLD.ano];
    ELSE
        changed := ARRAY[OLD.ano, NEW.ano];
    END IF;
    INSERT INTO rpt.anos_pendentes (relacao, ano)
    SELECT DISTINCT r.relacao, y.ano
    FROM rpt.relacoes_por_ano r, unnest(changed) AS y (ano);
    RETURN NULL;
END
$$;

-- function rpt.no_periodo(numeric[], integer, integer)
CREATE FUNCTION rpt.no_periodo(ate_mes numeric[], de integer, ate integer) RETURNS numeric
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT COALESCE(ate_mes[ate], 0) - CASE WHEN de > 1 THEN COALESCE(ate_mes[de - 1], 0) ELSE 0 END
$$;

-- function rpt.periodo(integer, integer, integer)
CREATE FUNCTION rpt.periodo(ano_pedido integer, mes_de integer, mes_ate integer) RETURNS TABLE(ano integer, de integer, ate integer)
    LANGUAGE sql STABLE
    AS $$
    SELECT y.ano,
           COALESCE(mes_de, 1),
           COALESCE(mes_ate,
                    CASE WHEN EXISTS (SELECT 1 FROM rpt.mv_exportacao_mensal m
                                      WHERE m.ano = y.ano AND m.mes IS NULL) THEN 12 END,
                    (SELECT m.mes FROM rpt.mv_exportacao_mensal m
                     WHERE m.ano = y.ano AND m.mes IS NOT NULL
                     ORDER BY m.mes DESC LIMIT 1),
                    12)
    FROM (SELECT COALESCE(ano_pedido, (SELECT max(a.ano) FROM rpt.mv_exportacao_anual a))
                 AS ano) AS y
$$;

-- function stg.partition_for(text)
CREATE FUNCTION stg.partition_for(source text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ('exportacao_'::text || "left"(md5(source), 16));

-- table cfg.cuci_setor
CREATE TABLE cfg.cuci_setor (
    cuci_grupo character varying(10) NOT NULL,
    isic_secao character varying(1),
    setor character varying(100) NOT NULL
);

-- table cfg.ingest_batches
CREATE TABLE cfg.ingest_batches (
    batch_id character varying(50) NOT NULL,
    source_name character varying(100) NOT NULL,
    sha256 character(64),
    layout character varying(20),
    rows_loaded integer DEFAULT 0 NOT NULL,
    rows_rejected integer DEFAULT 0 NOT NULL,
    rows_replaced integer DEFAULT 0 NOT NULL,
    status character varying(20) NOT NULL,
    error text,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    rows_blank integer DEFAULT 0 NOT NULL,
    landing_sha256 character(64),
    landing_mtime timestamp with time zone,
    CONSTRAINT ingest_batches_status_check CHECK (((status)::text = ANY ((ARRAY['running'::character varying, 'loaded'::character varying, 'unchanged'::character varying, 'failed'::character varying])::text[])))
);

-- table cfg.ingest_rejects
CREATE TABLE cfg.ingest_rejects (
    batch_id character varying(50) NOT NULL,
    source_name character varying(100) NOT NULL,
    line integer NOT NULL,
    reason text NOT NULL,
    raw jsonb NOT NULL
);

-- table cfg.ncm_classes
CREATE TABLE cfg.ncm_classes (
    ncm character varying(8) NOT NULL,
    fator character varying(2),
    cgce character varying(1),
    cuci character varying(1),
    CONSTRAINT ncm_classes_ncm_check CHECK (((ncm)::text ~ '^[0-9]{8}$'::text))
);

-- table cfg.ncm_setor
CREATE TABLE cfg.ncm_setor (
    ncm character varying(8) NOT NULL,
    isic_secao character varying(1),
    setor character varying(100) NOT NULL,
    CONSTRAINT ncm_setor_ncm_check CHECK (((ncm)::text ~ '^[0-9]{8}$'::text))
);

-- table cfg.nomes
CREATE TABLE cfg.nomes (
    dimensao text NOT NULL,
    codigo character varying(8) NOT NULL,
    nome text NOT NULL,
    nome_ing text,
    CONSTRAINT nomes_dimensao_check CHECK ((dimensao = ANY (ARRAY['uf'::text, 'via'::text, 'urf'::text, 'ncm'::text, 'sh6'::text, 'sh4'::text, 'sh2'::text, 'bloco'::text, 'fator'::text, 'cgce'::text, 'cuci'::text])))
);

-- table cfg.pais
CREATE TABLE cfg.pais (
    co_pais character varying(3) NOT NULL,
    iso3 character varying(3),
    no_pais character varying(100) NOT NULL,
    no_pais_ing character varying(100),
    CONSTRAINT pais_co_pais_check CHECK (((co_pais)::text ~ '^[0-9]{3}$'::text))
);

-- table cfg.pais_bloco
CREATE TABLE cfg.pais_bloco (
    co_pais character varying(3) NOT NULL,
    co_bloco character varying(3) NOT NULL,
    CONSTRAINT pais_bloco_co_pais_check CHECK (((co_pais)::text ~ '^[0-9]{3}$'::text))
);

-- table cfg.totais_conferencia
CREATE TABLE cfg.totais_conferencia (
    arquivo character varying(100) NOT NULL,
    co_ano integer NOT NULL,
    qt_estat numeric(20,3) NOT NULL,
    kg_liquido numeric(20,3) NOT NULL,
    vl_fob numeric(20,2) NOT NULL,
    numero_linhas bigint NOT NULL,
    source_name character varying(100) NOT NULL,
    batch_id character varying(50) NOT NULL,
    file_mtime timestamp with time zone,
    stored_at timestamp with time zone DEFAULT now() NOT NULL
);

-- table cfg.warehouse
CREATE TABLE cfg.warehouse (
    id boolean DEFAULT true NOT NULL,
    warehouse uuid DEFAULT gen_random_uuid() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT warehouse_id_check CHECK (id)
);

-- table rpt.agg_arquivo
CREATE TABLE rpt.agg_arquivo (
    ingest_source character varying(100) NOT NULL,
    ingest_batch character varying(50) NOT NULL,
    ano integer NOT NULL,
    registros bigint NOT NULL,
    total_usd numeric(18,2) NOT NULL,
    total_kg numeric(18,3) NOT NULL,
    total_qt numeric(20,3) NOT NULL,
    mes_max integer
);

-- table rpt.agg_dimensao
CREATE TABLE rpt.agg_dimensao (
    ingest_source character varying(100) NOT NULL,
    ano integer NOT NULL,
    dimensao text NOT NULL,
    codigo character varying(8),
    registros bigint NOT NULL,
    usd_m01 numeric(18,2) NOT NULL,
    usd_m02 numeric(18,2) NOT NULL,
    usd_m03 numeric(18,2) NOT NULL,
    usd_m04 numeric(18,2) NOT NULL,
    usd_m05 numeric(18,2) NOT NULL,
    usd_m06 numeric(18,2) NOT NULL,
    usd_m07 numeric(18,2) NOT NULL,
    usd_m08 numeric(18,2) NOT NULL,
    usd_m09 numeric(18,2) NOT NULL,
    usd_m10 numeric(18,2) NOT NULL,
    usd_m11 numeric(18,2) NOT NULL,
    usd_m12 numeric(18,2) NOT NULL,
    kg_m01 numeric(18,3) NOT NULL,
    kg_m02 numeric(18,3) NOT NULL,
    kg_m03 numeric(18,3) NOT NULL,
    kg_m04 numeric(18,3) NOT NULL,
    kg_m05 numeric(18,3) NOT NULL,
    kg_m06 numeric(18,3) NOT NULL,
    kg_m07 numeric(18,3) NOT NULL,
    kg_m08 numeric(18,3) NOT NULL,
    kg_m09 numeric(18,3) NOT NULL,
    kg_m10 numeric(18,3) NOT NULL,
    kg_m11 numeric(18,3) NOT NULL,
    kg_m12 numeric(18,3) NOT NULL,
    CONSTRAINT agg_dimensao_dimensao_check CHECK ((dimensao = ANY (ARRAY['uf'::text, 'via'::text, 'urf'::text, 'ncm'::text])))
);

-- table rpt.agg_mensal
CREATE TABLE rpt.agg_mensal (
    ingest_source character varying(100) NOT NULL,
    ano integer NOT NULL,
    mes integer,
    pais character varying(100) NOT NULL,
    setor character varying(100) NOT NULL,
    total_usd numeric(18,2) NOT NULL,
    total_kg numeric(18,3) NOT NULL,
    registros bigint NOT NULL
);

-- table rpt.anos_pendentes
CREATE TABLE rpt.anos_pendentes (
    id bigint NOT NULL,
    relacao text NOT NULL,
    ano integer NOT NULL,
    marked_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE rpt.anos_pendentes_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE rpt.anos_pendentes_id_seq OWNED BY rpt.anos_pendentes.id;

-- table rpt.atualizacoes
CREATE TABLE rpt.atualizacoes (
    relacao text NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    linhas bigint NOT NULL
);

-- view rpt.conferencia_mdic
CREATE VIEW rpt.conferencia_mdic AS
 WITH files AS (
         SELECT a.ingest_source AS arquivo,
            max((a.ingest_batch)::text) AS batch_id,
            min(a.ano) AS ano_min,
            max(a.ano) AS ano_max,
            (sum(a.registros))::bigint AS registros,
            sum(a.total_usd) AS total_usd,
            sum(a.total_kg) AS total_kg,
            sum(a.total_qt) AS total_qt
           FROM rpt.agg_arquivo a
          WHERE ((a.ingest_source)::text ~* '^EXP_[0-9]{4}\.csv$'::text)
          GROUP BY a.ingest_source
        ), compared AS (
         SELECT f.arquivo,
            f.batch_id,
            f.ano_min,
            f.ano_max,
            f.registros,
            f.total_usd,
            f.total_kg,
            f.total_qt,
            (SUBSTRING(f.arquivo FROM 5 FOR 4))::integer AS ano_arquivo,
            b.landing_mtime AS file_mtime,
            (t.arquivo IS NOT NULL) AS has_totals,
            t.numero_linhas,
            t.vl_fob,
            t.kg_liquido,
            t.qt_estat,
            t.file_mtime AS totals_mtime,
            ((f.registros = t.numero_linhas) AND (f.total_usd = t.vl_fob) AND (f.total_kg = t.kg_liquido) AND (f.total_qt = t.qt_estat)) AS same
           FROM ((files f
             LEFT JOIN cfg.ingest_batches b ON (((b.batch_id)::text = f.batch_id)))
             LEFT JOIN cfg.totais_conferencia t ON ((lower((t.arquivo)::text) = lower((f.arquivo)::text))))
        )
 SELECT arquivo,
    ano_arquivo,
    ano_min,
    ano_max,
    registros,
    total_usd,
    total_kg,
    total_qt,
    numero_linhas,
    vl_fob,
    kg_liquido,
    qt_estat,
    (registros - numero_linhas) AS diferenca_linhas,
    (total_usd - vl_fob) AS diferenca_usd,
    (total_kg - kg_liquido) AS diferenca_kg,
    (total_qt - qt_estat) AS diferenca_qt,
    file_mtime,
    totals_mtime,
        CASE
            WHEN (NOT has_totals) THEN 'pendente'::text
            WHEN same THEN 'ok'::text
            WHEN (totals_mtime < file_mtime) THEN 'pendente'::text
            ELSE 'divergente'::text
        END AS status
   FROM compared;

-- table rpt.exportacao_anual
CREATE TABLE rpt.exportacao_anual (
    ano integer NOT NULL,
    pais character varying(100) NOT NULL,
    setor character varying(100) NOT NULL,
    total_usd numeric(18,2) NOT NULL,
    total_kg numeric(18,3) NOT NULL,
    mes_max integer NOT NULL,
    usd_ate_mes numeric(18,2)[] NOT NULL,
    updated_at timestamp with time zone NOT NULL
);

-- table rpt.exportacao_dimensao
CREATE TABLE rpt.exportacao_dimensao (
    ano integer NOT NULL,
    dimensao text NOT NULL,
    codigo character varying(8),
    total_usd numeric(18,2) NOT NULL,
    total_kg numeric(18,3) NOT NULL,
    registros bigint NOT NULL,
    usd_ate_mes numeric(18,2)[] NOT NULL,
    kg_ate_mes numeric(18,3)[] NOT NULL,
    updated_at timestamp with time zone NOT NULL
);

-- table rpt.exportacao_mensal
CREATE TABLE rpt.exportacao_mensal (
    ano integer NOT NULL,
    mes integer,
    pais character varying(100) NOT NULL,
    setor character varying(100) NOT NULL,
    total_usd numeric(18,2) NOT NULL,
    total_kg numeric(18,3) NOT NULL,
    registros bigint NOT NULL,
    updated_at timestamp with time zone NOT NULL
);

-- view rpt.mv_exportacao_anual
CREATE VIEW rpt.mv_exportacao_anual AS
 SELECT ano,
    pais,
    setor,
    total_usd,
    total_kg,
    mes_max,
    usd_ate_mes,
    updated_at
   FROM rpt.exportacao_anual;

-- view rpt.mv_exportacao_dimensao
CREATE VIEW rpt.mv_exportacao_dimensao AS
 SELECT ano,
    dimensao,
    codigo,
    total_usd,
    total_kg,
    registros,
    usd_ate_mes,
    kg_ate_mes,
    updated_at
   FROM rpt.exportacao_dimensao;

-- view rpt.mv_exportacao_mensal
CREATE VIEW rpt.mv_exportacao_mensal AS
 SELECT ano,
    mes,
    pais,
    setor,
    total_usd,
    total_kg,
    registros,
    updated_at
   FROM rpt.exportacao_mensal;

-- materialized view rpt.mv_resumo_geral
CREATE MATERIALIZED VIEW rpt.mv_resumo_geral AS
 SELECT 1 AS id,
    (COALESCE(sum(total_usd), (0)::numeric))::numeric(18,2) AS total_usd,
    (COALESCE(sum(total_kg), (0)::numeric))::numeric(18,3) AS total_kg,
    (count(DISTINCT pais))::integer AS paises_count,
    (count(DISTINCT setor))::integer AS setores_count,
    COALESCE(array_agg(DISTINCT ano ORDER BY ano), '{}'::integer[]) AS anos,
    now() AS updated_at
   FROM rpt.exportacao_anual
  WITH NO DATA;

-- materialized view rpt.mv_resumo_pais
CREATE MATERIALIZED VIEW rpt.mv_resumo_pais AS
 WITH por_pais AS (
         SELECT exportacao_anual.pais,
            sum(exportacao_anual.total_usd) AS total_usd,
            sum(exportacao_anual.total_kg) AS total_kg,
            array_agg(DISTINCT exportacao_anual.ano ORDER BY exportacao_anual.ano) AS anos
           FROM rpt.exportacao_anual
          GROUP BY exportacao_anual.pais
        )
 SELECT pais,
    (total_usd)::numeric(18,2) AS total_usd,
    (total_kg)::numeric(18,3) AS total_kg,
    (round((((100)::numeric * total_usd) / NULLIF(sum(total_usd) OVER (), (0)::numeric)), 2))::numeric(5,2) AS participacao_pct,
    anos,
    now() AS updated_at
   FROM por_pais
  WITH NO DATA;

-- materialized view rpt.mv_resumo_setor
CREATE MATERIALIZED VIEW rpt.mv_resumo_setor AS
 WITH por_setor AS (
         SELECT exportacao_anual.setor,
            sum(exportacao_anual.total_usd) AS total_usd,
            sum(exportacao_anual.total_kg) AS total_kg,
            array_agg(DISTINCT exportacao_anual.ano ORDER BY exportacao_anual.ano) AS anos
           FROM rpt.exportacao_anual
          GROUP BY exportacao_anual.setor
        )
 SELECT setor,
    (total_usd)::numeric(18,2) AS total_usd,
    (total_kg)::numeric(18,3) AS total_kg,
    (round((((100)::numeric * total_usd) / NULLIF(sum(total_usd) OVER (), (0)::numeric)), 2))::numeric(5,2) AS participacao_pct,
    anos,
    now() AS updated_at
   FROM por_setor
  WITH NO DATA;

-- table rpt.serie_mensal
CREATE TABLE rpt.serie_mensal (
    ano integer NOT NULL,
    mes integer,
    pais character varying(100) NOT NULL,
    setor character varying(100) NOT NULL,
    total_usd numeric(18,2) NOT NULL,
    total_kg numeric(18,3) NOT NULL,
    updated_at timestamp with time zone NOT NULL
);

-- view rpt.mv_serie_mensal
CREATE VIEW rpt.mv_serie_mensal AS
 SELECT ano,
    mes,
    pais,
    setor,
    total_usd,
    total_kg,
    updated_at
   FROM rpt.serie_mensal;

-- view rpt.ncm_classes
CREATE VIEW rpt.ncm_classes AS
 SELECT ncm,
    fator,
    cgce,
    cuci
   FROM cfg.ncm_classes;

-- view rpt.nomes
CREATE VIEW rpt.nomes AS
 SELECT nomes.dimensao,
    nomes.codigo,
    nomes.nome,
    NULLIF(nomes.nome_ing, ''::text) AS nome_ing
   FROM cfg.nomes
UNION ALL
 SELECT 'pais'::text AS dimensao,
    pais.co_pais AS codigo,
    pais.no_pais AS nome,
    NULLIF((pais.no_pais_ing)::text, ''::text) AS nome_ing
   FROM cfg.pais;

-- view rpt.pais_bloco
CREATE VIEW rpt.pais_bloco AS
 SELECT p.no_pais AS pais,
    b.co_bloco
   FROM (cfg.pais_bloco b
     JOIN cfg.pais p USING (co_pais));

-- view rpt.pais_codigos
CREATE VIEW rpt.pais_codigos AS
 SELECT no_pais AS pais,
    co_pais,
    upper((iso3)::text) AS iso3
   FROM cfg.pais;

-- table rpt.relacoes_por_ano
CREATE TABLE rpt.relacoes_por_ano (
    relacao text NOT NULL
);

-- view rpt.setor_codigos
CREATE VIEW rpt.setor_codigos AS
 SELECT DISTINCT setor,
    isic_secao AS codigo
   FROM cfg.ncm_setor;

-- table rpt.snapshot_exportacao
CREATE TABLE rpt.snapshot_exportacao (
    ano integer NOT NULL,
    sha256 character(64) NOT NULL,
    linhas bigint NOT NULL,
    registros bigint NOT NULL,
    bytes bigint NOT NULL,
    total_usd numeric(18,2) NOT NULL,
    total_kg numeric(18,3) NOT NULL,
    conteudo bytea NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT snapshot_exportacao_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text))
);
ALTER TABLE ONLY rpt.snapshot_exportacao ALTER COLUMN conteudo SET STORAGE EXTERNAL;

-- table stg.exportacao
CREATE TABLE stg.exportacao (
    ano integer NOT NULL,
    mes integer,
    pais character varying(100) NOT NULL,
    setor character varying(100) NOT NULL,
    ncm character varying(20),
    valor_usd numeric(15,2) NOT NULL,
    peso_kg numeric(15,3) NOT NULL,
    ingest_at timestamp with time zone DEFAULT now() NOT NULL,
    ingest_batch character varying(50) NOT NULL,
    ingest_source character varying(100) NOT NULL,
    co_pais character varying(3),
    sg_uf character varying(2),
    co_via character varying(2),
    co_urf character varying(7),
    co_unid character varying(2),
    qt_estat numeric(18,3),
    CONSTRAINT exportacao_ano_check CHECK (((ano >= 1997) AND (ano <= 2100))),
    CONSTRAINT exportacao_mes_check CHECK (((mes >= 1) AND (mes <= 12))),
    CONSTRAINT exportacao_ncm_check CHECK (((ncm)::text ~ '^[0-9]{8}$'::text)),
    CONSTRAINT exportacao_pais_check CHECK (((pais)::text <> ''::text)),
    CONSTRAINT exportacao_peso_kg_check CHECK ((peso_kg >= (0)::numeric)),
    CONSTRAINT exportacao_qt_estat_check CHECK ((qt_estat >= (0)::numeric)),
    CONSTRAINT exportacao_setor_check CHECK (((setor)::text <> ''::text)),
    CONSTRAINT exportacao_valor_usd_check CHECK ((valor_usd >= (0)::numeric))
)
PARTITION BY LIST (ingest_source);

ALTER TABLE ONLY rpt.anos_pendentes ALTER COLUMN id SET DEFAULT nextval('rpt.anos_pendentes_id_seq'::regclass);

ALTER TABLE ONLY cfg.cuci_setor
    ADD CONSTRAINT cuci_setor_pkey PRIMARY KEY (cuci_grupo);

ALTER TABLE ONLY cfg.ingest_batches
    ADD CONSTRAINT ingest_batches_pkey PRIMARY KEY (batch_id);

ALTER TABLE ONLY cfg.ncm_classes
    ADD CONSTRAINT ncm_classes_pkey PRIMARY KEY (ncm);

ALTER TABLE ONLY cfg.ncm_setor
    ADD CONSTRAINT ncm_setor_pkey PRIMARY KEY (ncm);

ALTER TABLE ONLY cfg.nomes
    ADD CONSTRAINT nomes_pkey PRIMARY KEY (dimensao, codigo);

ALTER TABLE ONLY cfg.pais_bloco
    ADD CONSTRAINT pais_bloco_pkey PRIMARY KEY (co_pais, co_bloco);

ALTER TABLE ONLY cfg.pais
    ADD CONSTRAINT pais_pkey PRIMARY KEY (co_pais);

ALTER TABLE ONLY cfg.totais_conferencia
    ADD CONSTRAINT totais_conferencia_pkey PRIMARY KEY (arquivo);

ALTER TABLE ONLY cfg.warehouse
    ADD CONSTRAINT warehouse_pkey PRIMARY KEY (id);

ALTER TABLE ONLY rpt.agg_arquivo
    ADD CONSTRAINT agg_arquivo_pkey PRIMARY KEY (ingest_source, ano);

ALTER TABLE ONLY rpt.anos_pendentes
    ADD CONSTRAINT anos_pendentes_pkey PRIMARY KEY (id);

ALTER TABLE ONLY rpt.atualizacoes
    ADD CONSTRAINT atualizacoes_pkey PRIMARY KEY (relacao);

ALTER TABLE ONLY rpt.relacoes_por_ano
    ADD CONSTRAINT relacoes_por_ano_pkey PRIMARY KEY (relacao);

ALTER TABLE ONLY rpt.snapshot_exportacao
    ADD CONSTRAINT snapshot_exportacao_pkey PRIMARY KEY (ano);

ALTER TABLE ONLY rpt.snapshot_exportacao
    ADD CONSTRAINT snapshot_exportacao_sha256_key UNIQUE (sha256);

CREATE INDEX idx_ingest_batches_landing ON cfg.ingest_batches USING btree (landing_sha256);

CREATE INDEX idx_ingest_batches_source ON cfg.ingest_batches USING btree (source_name, started_at DESC);

CREATE INDEX idx_ingest_rejects_batch ON cfg.ingest_rejects USING btree (batch_id);

CREATE INDEX ix_agg_dimensao_ano ON rpt.agg_dimensao USING btree (ano);

CREATE INDEX ix_agg_dimensao_source ON rpt.agg_dimensao USING btree (ingest_source);

CREATE INDEX ix_agg_mensal_ano ON rpt.agg_mensal USING btree (ano);

CREATE INDEX ix_agg_mensal_source ON rpt.agg_mensal USING btree (ingest_source);

CREATE INDEX ix_anos_pendentes_relacao ON rpt.anos_pendentes USING btree (relacao);

CREATE INDEX ix_exportacao_anual_pais ON rpt.exportacao_anual USING btree (pais, ano);

CREATE INDEX ix_exportacao_anual_setor ON rpt.exportacao_anual USING btree (setor, ano);

CREATE INDEX ix_exportacao_mensal_pais ON rpt.exportacao_mensal USING btree (pais, ano);

CREATE INDEX ix_exportacao_mensal_setor ON rpt.exportacao_mensal USING btree (setor, ano);

CREATE UNIQUE INDEX ux_exportacao_anual ON rpt.exportacao_anual USING btree (ano, pais, setor);

CREATE UNIQUE INDEX ux_exportacao_dimensao ON rpt.exportacao_dimensao USING btree (ano, dimensao, codigo) NULLS NOT DISTINCT;

CREATE UNIQUE INDEX ux_exportacao_mensal ON rpt.exportacao_mensal USING btree (ano, mes, pais, setor) NULLS NOT DISTINCT;

CREATE UNIQUE INDEX ux_mv_resumo_geral ON rpt.mv_resumo_geral USING btree (id);

CREATE UNIQUE INDEX ux_mv_resumo_pais ON rpt.mv_resumo_pais USING btree (pais);

CREATE UNIQUE INDEX ux_mv_resumo_setor ON rpt.mv_resumo_setor USING btree (setor);

CREATE UNIQUE INDEX ux_serie_mensal ON rpt.serie_mensal USING btree (pais, setor, ano, mes) NULLS NOT DISTINCT;

CREATE INDEX idx_exportacao_ano_pais ON ONLY stg.exportacao USING btree (ano, pais);

CREATE INDEX idx_exportacao_setor ON ONLY stg.exportacao USING btree (setor);

CREATE TRIGGER tg_agg_arquivo_anos_pendentes AFTER INSERT OR DELETE OR UPDATE ON rpt.agg_arquivo FOR EACH ROW EXECUTE FUNCTION rpt.marcar_anos_pendentes();

ALTER TABLE ONLY cfg.ingest_rejects
    ADD CONSTRAINT ingest_rejects_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES cfg.ingest_batches(batch_id) ON DELETE CASCADE;

GRANT USAGE ON SCHEMA rpt TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.agg_arquivo TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.agg_dimensao TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.agg_mensal TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.anos_pendentes TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.atualizacoes TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.conferencia_mdic TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.exportacao_anual TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.exportacao_dimensao TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.exportacao_mensal TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.mv_exportacao_anual TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.mv_exportacao_dimensao TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.mv_exportacao_mensal TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.mv_resumo_geral TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.mv_resumo_pais TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.mv_resumo_setor TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.serie_mensal TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.mv_serie_mensal TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.ncm_classes TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.nomes TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.pais_bloco TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.pais_codigos TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.relacoes_por_ano TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.setor_codigos TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.snapshot_exportacao TO bgc_api_reader;

ALTER DEFAULT PRIVILEGES IN SCHEMA rpt GRANT SELECT ON TABLES TO bgc_api_reader;


--

-- The relations a load marks for recomputation, per year it touches (the trigger on
-- rpt.agg_arquivo), and their first refresh times.
INSERT INTO rpt.relacoes_por_ano VALUES
    ('mv_exportacao_mensal'), ('mv_exportacao_anual'), ('mv_serie_mensal'),
    ('mv_exportacao_dimensao'), ('snapshot_exportacao');
INSERT INTO rpt.atualizacoes (relacao, updated_at, linhas) VALUES
    ('mv_exportacao_mensal', now(), 0), ('mv_exportacao_anual', now(), 0),
    ('mv_serie_mensal', now(), 0), ('mv_exportacao_dimensao', now(), 0),
    ('mv_resumo_pais', now(), 0), ('mv_resumo_setor', now(), 0),
    ('mv_resumo_geral', now(), 1), ('snapshot_exportacao', now(), 0);
-- This warehouse's identity (bgc_core.warehouse).
INSERT INTO cfg.warehouse DEFAULT VALUES;

REFRESH MATERIALIZED VIEW rpt.mv_resumo_pais;
REFRESH MATERIALIZED VIEW rpt.mv_resumo_setor;
REFRESH MATERIALIZED VIEW rpt.mv_resumo_geral;
