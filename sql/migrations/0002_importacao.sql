-- Imports beside the exports (docs/architecture.md, "Two flows"): MDIC's IMP_YYYY.csv
-- files and the web UI's import downloads load into stg.importacao, one partition per
-- source as for stg.exportacao, with the freight and insurance of each record. Each
-- file's yearly totals are kept at load time (rpt.agg_arquivo_importacao) and reconciled
-- with IMP_TOTAIS_CONFERENCIA.csv (rpt.conferencia_mdic_importacao). Nothing here reads
-- or changes an export table: loading imports never changes an export answer.

-- The partition of an import source: a name of its own, so that an export and an import
-- loaded under one name could never share a table.
CREATE FUNCTION stg.partition_for_importacao(source text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ('importacao_'::text || "left"(md5(source), 16));

-- The columns of stg.exportacao, with CO_PAIS the country of origin and SG_UF the state
-- of destination, plus VL_FRETE and VL_SEGURO (CIF = FOB + freight + insurance).
CREATE TABLE stg.importacao (
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
    valor_frete numeric(15,2) NOT NULL,
    valor_seguro numeric(15,2) NOT NULL,
    CONSTRAINT importacao_ano_check CHECK (((ano >= 1997) AND (ano <= 2100))),
    CONSTRAINT importacao_mes_check CHECK (((mes >= 1) AND (mes <= 12))),
    CONSTRAINT importacao_ncm_check CHECK (((ncm)::text ~ '^[0-9]{8}$'::text)),
    CONSTRAINT importacao_pais_check CHECK (((pais)::text <> ''::text)),
    CONSTRAINT importacao_peso_kg_check CHECK ((peso_kg >= (0)::numeric)),
    CONSTRAINT importacao_qt_estat_check CHECK ((qt_estat >= (0)::numeric)),
    CONSTRAINT importacao_setor_check CHECK (((setor)::text <> ''::text)),
    CONSTRAINT importacao_valor_usd_check CHECK ((valor_usd >= (0)::numeric)),
    CONSTRAINT importacao_valor_frete_check CHECK ((valor_frete >= (0)::numeric)),
    CONSTRAINT importacao_valor_seguro_check CHECK ((valor_seguro >= (0)::numeric))
)
PARTITION BY LIST (ingest_source);

CREATE INDEX idx_importacao_ano_pais ON ONLY stg.importacao USING btree (ano, pais);

-- Each import file's totals per year, summed while it was read (as rpt.agg_arquivo for
-- the exports).
CREATE TABLE rpt.agg_arquivo_importacao (
    ingest_source character varying(100) NOT NULL,
    ingest_batch character varying(50) NOT NULL,
    ano integer NOT NULL,
    registros bigint NOT NULL,
    total_usd numeric(18,2) NOT NULL,
    total_kg numeric(18,3) NOT NULL,
    total_qt numeric(20,3) NOT NULL,
    total_frete numeric(18,2) NOT NULL,
    total_seguro numeric(18,2) NOT NULL,
    mes_max integer,
    PRIMARY KEY (ingest_source, ano)
);

-- IMP_TOTAIS_CONFERENCIA.csv carries freight and insurance in some editions.
ALTER TABLE cfg.totais_conferencia
    ADD COLUMN vl_frete numeric(20,2),
    ADD COLUMN vl_seguro numeric(20,2);

-- Each official yearly import file (IMP_YYYY.csv) against MDIC's totals: as
-- rpt.conferencia_mdic, and freight and insurance too where the totals carry them.
CREATE VIEW rpt.conferencia_mdic_importacao AS
 WITH files AS (
         SELECT a.ingest_source AS arquivo,
            max((a.ingest_batch)::text) AS batch_id,
            min(a.ano) AS ano_min,
            max(a.ano) AS ano_max,
            (sum(a.registros))::bigint AS registros,
            sum(a.total_usd) AS total_usd,
            sum(a.total_kg) AS total_kg,
            sum(a.total_qt) AS total_qt,
            sum(a.total_frete) AS total_frete,
            sum(a.total_seguro) AS total_seguro
           FROM rpt.agg_arquivo_importacao a
          WHERE ((a.ingest_source)::text ~* '^IMP_[0-9]{4}\.csv$'::text)
          GROUP BY a.ingest_source
        ), compared AS (
         SELECT f.*,
            (SUBSTRING(f.arquivo FROM 5 FOR 4))::integer AS ano_arquivo,
            b.landing_mtime AS file_mtime,
            (t.arquivo IS NOT NULL) AS has_totals,
            t.numero_linhas,
            t.vl_fob,
            t.kg_liquido,
            t.qt_estat,
            t.vl_frete,
            t.vl_seguro,
            t.file_mtime AS totals_mtime,
            ((f.registros = t.numero_linhas) AND (f.total_usd = t.vl_fob)
             AND (f.total_kg = t.kg_liquido) AND (f.total_qt = t.qt_estat)
             AND (t.vl_frete IS NULL OR f.total_frete = t.vl_frete)
             AND (t.vl_seguro IS NULL OR f.total_seguro = t.vl_seguro)) AS same
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
        END AS status,
    total_frete,
    total_seguro,
    vl_frete,
    vl_seguro,
    (total_frete - vl_frete) AS diferenca_frete,
    (total_seguro - vl_seguro) AS diferenca_seguro
   FROM compared;

GRANT SELECT ON TABLE rpt.agg_arquivo_importacao TO bgc_api_reader;

GRANT SELECT ON TABLE rpt.conferencia_mdic_importacao TO bgc_api_reader;
