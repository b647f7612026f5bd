-- Per source file, the sums by each official code the analysts slice by: state of
-- origin (uf), transport mode (via), customs unit (urf) and product (ncm, whose prefixes
-- are the HS levels). Kept in the load's transaction with the other per-file
-- aggregates (bgc_pipeline/ingest/aggregates.py), so a yearly rollup by any of them
-- never reads staging. Rows without the code (the project layout has none) are summed
-- under a NULL code: each dimension sums to the file's total, and the share with a
-- code is the coverage of that dimension.
CREATE TABLE rpt.agg_dimensao (
    ingest_source VARCHAR(100)  NOT NULL,
    ano           INT           NOT NULL,
    mes           INT,
    dimensao      TEXT          NOT NULL CHECK (dimensao IN ('uf', 'via', 'urf', 'ncm')),
    codigo        VARCHAR(8),
    total_usd     DECIMAL(18,2) NOT NULL,
    total_kg      DECIMAL(18,3) NOT NULL,
    registros     BIGINT        NOT NULL
);
CREATE INDEX ix_agg_dimensao_source ON rpt.agg_dimensao (ingest_source);
CREATE INDEX ix_agg_dimensao_ano ON rpt.agg_dimensao (ano, dimensao);

-- The files stored so far.
INSERT INTO rpt.agg_dimensao
SELECT ingest_source, ano, mes, d.dimensao, d.codigo,
       SUM(valor_usd), SUM(peso_kg), count(*)
FROM stg.exportacao
CROSS JOIN LATERAL (VALUES ('uf', sg_uf), ('via', co_via), ('urf', co_urf), ('ncm', ncm))
    AS d (dimensao, codigo)
GROUP BY ingest_source, ano, mes, d.dimensao, d.codigo;
