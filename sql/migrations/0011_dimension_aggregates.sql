-- Per source file, the sums by each official code the analysts slice by: state of
-- origin (uf), transport mode (via), customs unit (urf) and product (ncm, whose prefixes
-- are the HS levels). Kept in the load's transaction with the other per-file
-- aggregates (bgc_pipeline/ingest/aggregates.py), so a yearly rollup by any of them
-- never reads staging. One row per year and code with the sums of each month (annual
-- figures, with no month, count as December). Rows without the code (the project layout has none) are summed
-- under a NULL code: each dimension sums to the file's total, and the share with a
-- code is the coverage of that dimension.
CREATE TABLE rpt.agg_dimensao (
    ingest_source VARCHAR(100)  NOT NULL,
    ano           INT           NOT NULL,
    dimensao      TEXT          NOT NULL CHECK (dimensao IN ('uf', 'via', 'urf', 'ncm')),
    codigo        VARCHAR(8),
    registros     BIGINT        NOT NULL,
    usd_m01       DECIMAL(18,2) NOT NULL,
    usd_m02       DECIMAL(18,2) NOT NULL,
    usd_m03       DECIMAL(18,2) NOT NULL,
    usd_m04       DECIMAL(18,2) NOT NULL,
    usd_m05       DECIMAL(18,2) NOT NULL,
    usd_m06       DECIMAL(18,2) NOT NULL,
    usd_m07       DECIMAL(18,2) NOT NULL,
    usd_m08       DECIMAL(18,2) NOT NULL,
    usd_m09       DECIMAL(18,2) NOT NULL,
    usd_m10       DECIMAL(18,2) NOT NULL,
    usd_m11       DECIMAL(18,2) NOT NULL,
    usd_m12       DECIMAL(18,2) NOT NULL,
    kg_m01        DECIMAL(18,3) NOT NULL,
    kg_m02        DECIMAL(18,3) NOT NULL,
    kg_m03        DECIMAL(18,3) NOT NULL,
    kg_m04        DECIMAL(18,3) NOT NULL,
    kg_m05        DECIMAL(18,3) NOT NULL,
    kg_m06        DECIMAL(18,3) NOT NULL,
    kg_m07        DECIMAL(18,3) NOT NULL,
    kg_m08        DECIMAL(18,3) NOT NULL,
    kg_m09        DECIMAL(18,3) NOT NULL,
    kg_m10        DECIMAL(18,3) NOT NULL,
    kg_m11        DECIMAL(18,3) NOT NULL,
    kg_m12        DECIMAL(18,3) NOT NULL
);
CREATE INDEX ix_agg_dimensao_source ON rpt.agg_dimensao (ingest_source);
CREATE INDEX ix_agg_dimensao_ano ON rpt.agg_dimensao (ano);

-- The files stored so far.
INSERT INTO rpt.agg_dimensao
SELECT ingest_source, ano, d.dimensao, d.codigo, count(*),
       COALESCE(SUM(valor_usd) FILTER (WHERE COALESCE(mes, 12) = 1), 0),
       COALESCE(SUM(valor_usd) FILTER (WHERE COALESCE(mes, 12) = 2), 0),
       COALESCE(SUM(valor_usd) FILTER (WHERE COALESCE(mes, 12) = 3), 0),
       COALESCE(SUM(valor_usd) FILTER (WHERE COALESCE(mes, 12) = 4), 0),
       COALESCE(SUM(valor_usd) FILTER (WHERE COALESCE(mes, 12) = 5), 0),
       COALESCE(SUM(valor_usd) FILTER (WHERE COALESCE(mes, 12) = 6), 0),
       COALESCE(SUM(valor_usd) FILTER (WHERE COALESCE(mes, 12) = 7), 0),
       COALESCE(SUM(valor_usd) FILTER (WHERE COALESCE(mes, 12) = 8), 0),
       COALESCE(SUM(valor_usd) FILTER (WHERE COALESCE(mes, 12) = 9), 0),
       COALESCE(SUM(valor_usd) FILTER (WHERE COALESCE(mes, 12) = 10), 0),
       COALESCE(SUM(valor_usd) FILTER (WHERE COALESCE(mes, 12) = 11), 0),
       COALESCE(SUM(valor_usd) FILTER (WHERE COALESCE(mes, 12) = 12), 0),
       COALESCE(SUM(peso_kg) FILTER (WHERE COALESCE(mes, 12) = 1), 0),
       COALESCE(SUM(peso_kg) FILTER (WHERE COALESCE(mes, 12) = 2), 0),
       COALESCE(SUM(peso_kg) FILTER (WHERE COALESCE(mes, 12) = 3), 0),
       COALESCE(SUM(peso_kg) FILTER (WHERE COALESCE(mes, 12) = 4), 0),
       COALESCE(SUM(peso_kg) FILTER (WHERE COALESCE(mes, 12) = 5), 0),
       COALESCE(SUM(peso_kg) FILTER (WHERE COALESCE(mes, 12) = 6), 0),
       COALESCE(SUM(peso_kg) FILTER (WHERE COALESCE(mes, 12) = 7), 0),
       COALESCE(SUM(peso_kg) FILTER (WHERE COALESCE(mes, 12) = 8), 0),
       COALESCE(SUM(peso_kg) FILTER (WHERE COALESCE(mes, 12) = 9), 0),
       COALESCE(SUM(peso_kg) FILTER (WHERE COALESCE(mes, 12) = 10), 0),
       COALESCE(SUM(peso_kg) FILTER (WHERE COALESCE(mes, 12) = 11), 0),
       COALESCE(SUM(peso_kg) FILTER (WHERE COALESCE(mes, 12) = 12), 0)
FROM stg.exportacao
CROSS JOIN LATERAL (VALUES ('uf', sg_uf), ('via', co_via), ('urf', co_urf), ('ncm', ncm))
    AS d (dimensao, codigo)
GROUP BY ingest_source, ano, d.dimensao, d.codigo;

-- Names of the codes (official tables UF, VIA, URF, NCM, NCM_SH and PAIS_BLOCO), in
-- Portuguese and, where the official table has it, in English. `bgc db migrate` fills it from
-- sql/reference/nomes.csv when empty; `bgc db load-reference` replaces it.
CREATE TABLE cfg.nomes (
    dimensao TEXT         NOT NULL
                          CHECK (dimensao IN ('uf', 'via', 'urf', 'ncm', 'sh6', 'sh4', 'sh2', 'bloco')),
    codigo   VARCHAR(8)   NOT NULL,
    nome     TEXT         NOT NULL,
    nome_ing TEXT,
    PRIMARY KEY (dimensao, codigo)
);

-- Which economic blocs each country belongs to (official PAIS_BLOCO: a country may
-- belong to several, e.g. Mercosul and South America).
CREATE TABLE cfg.pais_bloco (
    co_pais  VARCHAR(3) NOT NULL CHECK (co_pais ~ '^[0-9]{3}$'),
    co_bloco VARCHAR(3) NOT NULL,
    PRIMARY KEY (co_pais, co_bloco)
);

-- Per year and code, for each dimension and the HS levels cut from the NCM (sh6, sh4,
-- sh2): the rankings by state, route, customs unit and product read only their year's
-- rows. usd_ate_mes[m] and kg_ate_mes[m] are the values through month m, so any span
-- of months within the year is a difference of two elements. Recomputed per year like the other yearly tables.
CREATE TABLE rpt.exportacao_dimensao (
    ano         INT             NOT NULL,
    dimensao    TEXT            NOT NULL,
    codigo      VARCHAR(8),
    total_usd   DECIMAL(18,2)   NOT NULL,
    total_kg    DECIMAL(18,3)   NOT NULL,
    registros   BIGINT          NOT NULL,
    usd_ate_mes DECIMAL(18,2)[] NOT NULL,
    kg_ate_mes  DECIMAL(18,3)[] NOT NULL,
    updated_at  TIMESTAMPTZ     NOT NULL
);
CREATE UNIQUE INDEX ux_exportacao_dimensao
    ON rpt.exportacao_dimensao (ano, dimensao, codigo) NULLS NOT DISTINCT;

CREATE VIEW rpt.mv_exportacao_dimensao AS
SELECT ano, dimensao, codigo, total_usd, total_kg, registros, usd_ate_mes, kg_ate_mes,
       updated_at
FROM rpt.exportacao_dimensao;

CREATE OR REPLACE FUNCTION rpt.marcar_anos_pendentes() RETURNS trigger
LANGUAGE plpgsql AS $$
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
    SELECT DISTINCT relacao, ano
    FROM unnest(ARRAY['mv_exportacao_mensal', 'mv_exportacao_anual', 'mv_serie_mensal',
                      'mv_exportacao_dimensao']) AS relacao,
         unnest(changed) AS ano;
    RETURN NULL;
END
$$;

-- Every year stored so far, recomputed by the first refresh.
INSERT INTO rpt.anos_pendentes (relacao, ano)
SELECT DISTINCT 'mv_exportacao_dimensao', ano FROM rpt.agg_arquivo;
INSERT INTO rpt.atualizacoes VALUES ('mv_exportacao_dimensao', now(), 0);

-- The names, for the API's role (it reads rpt only); an empty English name is none.
CREATE VIEW rpt.nomes AS
SELECT dimensao, codigo, nome, NULLIF(nome_ing, '') AS nome_ing FROM cfg.nomes
UNION ALL
SELECT 'pais', co_pais, no_pais, NULLIF(no_pais_ing, '') FROM cfg.pais;

-- The blocs of each country by the name the report views carry.
CREATE VIEW rpt.pais_bloco AS
SELECT p.no_pais AS pais, b.co_bloco
FROM cfg.pais_bloco b
JOIN cfg.pais p USING (co_pais);

-- The months an answer covers: the reference year (given, else the latest) and a span
-- of its months (given, else January through the year's last month present).
CREATE FUNCTION rpt.periodo(ano_pedido INT, mes_de INT, mes_ate INT)
RETURNS TABLE (ano INT, de INT, ate INT)
LANGUAGE sql STABLE AS $$
    SELECT y.ano,
           COALESCE(mes_de, 1),
           COALESCE(mes_ate,
                    (SELECT max(COALESCE(m.mes, 12)) FROM rpt.mv_exportacao_mensal m
                     WHERE m.ano = y.ano),
                    12)
    FROM (SELECT COALESCE(ano_pedido, (SELECT max(a.ano) FROM rpt.mv_exportacao_anual a))
                 AS ano) AS y
$$;

-- A span of months from values through each month (usd_ate_mes, kg_ate_mes): the value
-- through `ate` less the value before `de` (a missing element counts as zero).
CREATE FUNCTION rpt.no_periodo(ate_mes NUMERIC[], de INT, ate INT) RETURNS NUMERIC
LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(ate_mes[ate], 0) - CASE WHEN de > 1 THEN COALESCE(ate_mes[de - 1], 0) ELSE 0 END
$$;

GRANT SELECT ON ALL TABLES IN SCHEMA rpt TO bgc_api_reader;
