-- Staging partitioned by source file, and aggregates kept at load time.
--
-- stg.exportacao becomes LIST-partitioned on ingest_source: one partition per loaded
-- source (a file, or one sheet of a workbook). The loader fills a fresh table, builds
-- its indexes, aggregates it into rpt.agg_* and swaps it in, all in one transaction,
-- so replacing a file costs O(file). The report views read the aggregates, never
-- staging. Rows already stored move into partitions here.

-- The partition of one source: a stable name whatever characters the source has.
CREATE FUNCTION stg.partition_for(source TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 'exportacao_' || left(md5(source), 16);

-- The views read staging today; they are rebuilt over the aggregates below.
DROP MATERIALIZED VIEW rpt.mv_resumo_geral;
DROP MATERIALIZED VIEW rpt.mv_resumo_setor;
DROP MATERIALIZED VIEW rpt.mv_resumo_pais;
DROP MATERIALIZED VIEW rpt.mv_exportacao_mensal;

ALTER TABLE stg.exportacao RENAME TO exportacao_v1;
DROP INDEX stg.idx_exportacao_ano_pais;
DROP INDEX stg.idx_exportacao_setor;
DROP INDEX stg.idx_exportacao_ingest;

-- Same columns as 0003. The CHECK constraints are named: every partition repeats
-- them (sql/queries/staging.sql, new_partition), as ATTACH PARTITION requires.
CREATE TABLE stg.exportacao (
    ano           INT           NOT NULL CONSTRAINT exportacao_ano_check CHECK (ano BETWEEN 1997 AND 2100),
    mes           INT           CONSTRAINT exportacao_mes_check CHECK (mes BETWEEN 1 AND 12),
    pais          VARCHAR(100)  NOT NULL CONSTRAINT exportacao_pais_check CHECK (pais <> ''),
    setor         VARCHAR(100)  NOT NULL CONSTRAINT exportacao_setor_check CHECK (setor <> ''),
    ncm           VARCHAR(20)   CONSTRAINT exportacao_ncm_check CHECK (ncm ~ '^[0-9]{8}$'),
    valor_usd     DECIMAL(15,2) NOT NULL CONSTRAINT exportacao_valor_usd_check CHECK (valor_usd >= 0),
    peso_kg       DECIMAL(15,3) NOT NULL CONSTRAINT exportacao_peso_kg_check CHECK (peso_kg >= 0),
    ingest_at     TIMESTAMPTZ   NOT NULL DEFAULT now(),
    ingest_batch  VARCHAR(50)   NOT NULL,
    ingest_source VARCHAR(100)  NOT NULL,
    co_pais       VARCHAR(3),
    sg_uf         VARCHAR(2),
    co_via        VARCHAR(2),
    co_urf        VARCHAR(7),
    co_unid       VARCHAR(2),
    qt_estat      DECIMAL(18,3) CONSTRAINT exportacao_qt_estat_check CHECK (qt_estat >= 0)
) PARTITION BY LIST (ingest_source);
-- The original design's indexes, now partitioned: each partition builds its own after
-- its COPY, and ATTACH adopts them. ingest_source needs none: it picks the partition.
CREATE INDEX idx_exportacao_ano_pais ON stg.exportacao (ano, pais);
CREATE INDEX idx_exportacao_setor ON stg.exportacao (setor);

-- Per source and year: what the file holds, for the views' checks, the reconciliation
-- with MDIC's published totals and the API's per-year status.
CREATE TABLE rpt.agg_arquivo (
    ingest_source VARCHAR(100)  NOT NULL,
    ingest_batch  VARCHAR(50)   NOT NULL,
    ano           INT           NOT NULL,
    registros     BIGINT        NOT NULL,
    total_usd     DECIMAL(18,2) NOT NULL,
    total_kg      DECIMAL(18,3) NOT NULL,
    total_qt      DECIMAL(20,3) NOT NULL,
    mes_max       INT,
    PRIMARY KEY (ingest_source, ano)
);

-- Per source at the grain of rpt.mv_exportacao_mensal.
CREATE TABLE rpt.agg_mensal (
    ingest_source VARCHAR(100)  NOT NULL,
    ano           INT           NOT NULL,
    mes           INT,
    pais          VARCHAR(100)  NOT NULL,
    setor         VARCHAR(100)  NOT NULL,
    total_usd     DECIMAL(18,2) NOT NULL,
    total_kg      DECIMAL(18,3) NOT NULL,
    registros     BIGINT        NOT NULL
);
CREATE INDEX ix_agg_mensal_source ON rpt.agg_mensal (ingest_source);

-- Move the rows stored so far: one partition per source, then its aggregates.
DO $$
DECLARE
    source TEXT;
BEGIN
    FOR source IN SELECT DISTINCT ingest_source FROM stg.exportacao_v1 LOOP
        EXECUTE format('CREATE TABLE stg.%I PARTITION OF stg.exportacao FOR VALUES IN (%L)',
                       stg.partition_for(source), source);
    END LOOP;
END
$$;
INSERT INTO stg.exportacao SELECT * FROM stg.exportacao_v1;
DROP TABLE stg.exportacao_v1;

INSERT INTO rpt.agg_arquivo
SELECT ingest_source, max(ingest_batch), ano, count(*), SUM(valor_usd), SUM(peso_kg),
       COALESCE(SUM(qt_estat), 0), max(mes)
FROM stg.exportacao GROUP BY ingest_source, ano;
INSERT INTO rpt.agg_mensal
SELECT ingest_source, ano, mes, pais, setor, SUM(valor_usd), SUM(peso_kg), count(*)
FROM stg.exportacao GROUP BY ingest_source, ano, mes, pais, setor;

-- The report views, as in 0004, now over the aggregates.
CREATE MATERIALIZED VIEW rpt.mv_exportacao_mensal AS
SELECT ano,
       mes,
       pais,
       setor,
       SUM(total_usd)::DECIMAL(18,2) AS total_usd,
       SUM(total_kg)::DECIMAL(18,3)  AS total_kg,
       SUM(registros)::BIGINT        AS registros,
       now()                         AS updated_at
FROM rpt.agg_mensal
GROUP BY ano, mes, pais, setor;
CREATE UNIQUE INDEX ux_mv_exportacao_mensal
    ON rpt.mv_exportacao_mensal (ano, mes, pais, setor) NULLS NOT DISTINCT;
CREATE INDEX ix_mv_exportacao_mensal_pais ON rpt.mv_exportacao_mensal (pais, ano);
CREATE INDEX ix_mv_exportacao_mensal_setor ON rpt.mv_exportacao_mensal (setor, ano);

CREATE MATERIALIZED VIEW rpt.mv_resumo_pais AS
WITH por_pais AS (
    SELECT pais,
           SUM(total_usd)                       AS total_usd,
           SUM(total_kg)                        AS total_kg,
           ARRAY_AGG(DISTINCT ano ORDER BY ano) AS anos
    FROM rpt.mv_exportacao_mensal
    GROUP BY pais
)
SELECT pais,
       total_usd::DECIMAL(18,2) AS total_usd,
       total_kg::DECIMAL(18,3)  AS total_kg,
       ROUND(100 * total_usd / NULLIF(SUM(total_usd) OVER (), 0), 2)::DECIMAL(5,2) AS participacao_pct,
       anos::INT[]              AS anos,
       now()                    AS updated_at
FROM por_pais;
CREATE UNIQUE INDEX ux_mv_resumo_pais ON rpt.mv_resumo_pais (pais);

CREATE MATERIALIZED VIEW rpt.mv_resumo_setor AS
WITH por_setor AS (
    SELECT setor,
           SUM(total_usd)                       AS total_usd,
           SUM(total_kg)                        AS total_kg,
           ARRAY_AGG(DISTINCT ano ORDER BY ano) AS anos
    FROM rpt.mv_exportacao_mensal
    GROUP BY setor
)
SELECT setor,
       total_usd::DECIMAL(18,2) AS total_usd,
       total_kg::DECIMAL(18,3)  AS total_kg,
       ROUND(100 * total_usd / NULLIF(SUM(total_usd) OVER (), 0), 2)::DECIMAL(5,2) AS participacao_pct,
       anos::INT[]              AS anos,
       now()                    AS updated_at
FROM por_setor;
CREATE UNIQUE INDEX ux_mv_resumo_setor ON rpt.mv_resumo_setor (setor);

CREATE MATERIALIZED VIEW rpt.mv_resumo_geral AS
SELECT 1                                                         AS id,
       COALESCE(SUM(total_usd), 0)::DECIMAL(18,2)                AS total_usd,
       COALESCE(SUM(total_kg), 0)::DECIMAL(18,3)                 AS total_kg,
       COUNT(DISTINCT pais)::INT                                 AS paises_count,
       COUNT(DISTINCT setor)::INT                                AS setores_count,
       COALESCE(ARRAY_AGG(DISTINCT ano ORDER BY ano), '{}')::INT[] AS anos,
       now()                                                     AS updated_at
FROM rpt.mv_exportacao_mensal;
CREATE UNIQUE INDEX ux_mv_resumo_geral ON rpt.mv_resumo_geral (id);

-- Which landing file (its sha256) each attempt came from: a workbook's sheets record
-- their own content hash in sha256, so the sensor asks the warehouse by file.
ALTER TABLE cfg.ingest_batches ADD COLUMN landing_sha256 CHAR(64);
UPDATE cfg.ingest_batches SET landing_sha256 = sha256 WHERE source_name NOT LIKE '%:%';
CREATE INDEX idx_ingest_batches_landing ON cfg.ingest_batches (landing_sha256);

-- The warehouse's identity, so a Dagster instance can tell which warehouse it served.
CREATE TABLE cfg.warehouse (
    id         BOOLEAN     PRIMARY KEY DEFAULT true CHECK (id),
    warehouse  UUID        NOT NULL DEFAULT gen_random_uuid(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO cfg.warehouse DEFAULT VALUES;
