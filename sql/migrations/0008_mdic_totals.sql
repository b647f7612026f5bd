-- MDIC's published totals (EXP_TOTAIS_CONFERENCIA.csv) and the reconciliation of each
-- official yearly file against them.

-- When the landing file was last modified: "totals older than the data" compares these.
ALTER TABLE cfg.ingest_batches ADD COLUMN landing_mtime TIMESTAMPTZ;

-- One row per yearly file named in the totals file (the latest totals file wins).
CREATE TABLE cfg.totais_conferencia (
    arquivo       VARCHAR(100)  PRIMARY KEY,
    co_ano        INT           NOT NULL,
    qt_estat      DECIMAL(20,3) NOT NULL,
    kg_liquido    DECIMAL(20,3) NOT NULL,
    vl_fob        DECIMAL(20,2) NOT NULL,
    numero_linhas BIGINT        NOT NULL,
    source_name   VARCHAR(100)  NOT NULL,
    batch_id      VARCHAR(50)   NOT NULL,
    file_mtime    TIMESTAMPTZ,
    stored_at     TIMESTAMPTZ   NOT NULL DEFAULT now()
);

-- Each official yearly file loaded (EXP_YYYY.csv) next to MDIC's totals for it:
--   ok         rows and the sums of VL_FOB, KG_LIQUIDO and QT_ESTAT all equal;
--   divergente they differ and the totals are not older than the data file;
--   pendente   no totals row for the file, or they differ and the totals file is older
--              than the data file (MDIC sometimes updates the data first).
-- A view in rpt: the API's read-only role reads it (it runs with its owner's rights).
CREATE VIEW rpt.conferencia_mdic AS
WITH files AS (
    SELECT a.ingest_source                  AS arquivo,
           max(a.ingest_batch)              AS batch_id,
           min(a.ano)                       AS ano_min,
           max(a.ano)                       AS ano_max,
           SUM(a.registros)::BIGINT         AS registros,
           SUM(a.total_usd)                 AS total_usd,
           SUM(a.total_kg)                  AS total_kg,
           SUM(a.total_qt)                  AS total_qt
    FROM rpt.agg_arquivo a
    WHERE a.ingest_source ~* '^EXP_[0-9]{4}\.csv$'
    GROUP BY a.ingest_source
),
compared AS (
    SELECT f.*,
           substring(f.arquivo FROM 5 FOR 4)::INT AS ano_arquivo,
           b.landing_mtime                        AS file_mtime,
           t.arquivo IS NOT NULL                  AS has_totals,
           t.numero_linhas, t.vl_fob, t.kg_liquido, t.qt_estat,
           t.file_mtime                           AS totals_mtime,
           (f.registros, f.total_usd, f.total_kg, f.total_qt)
               = (t.numero_linhas, t.vl_fob, t.kg_liquido, t.qt_estat) AS same
    FROM files f
    LEFT JOIN cfg.ingest_batches b ON b.batch_id = f.batch_id
    LEFT JOIN cfg.totais_conferencia t ON lower(t.arquivo) = lower(f.arquivo)
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
       registros - numero_linhas AS diferenca_linhas,
       total_usd - vl_fob        AS diferenca_usd,
       total_kg - kg_liquido     AS diferenca_kg,
       total_qt - qt_estat       AS diferenca_qt,
       file_mtime,
       totals_mtime,
       CASE WHEN NOT has_totals THEN 'pendente'
            WHEN same THEN 'ok'
            WHEN totals_mtime < file_mtime THEN 'pendente'
            ELSE 'divergente'
       END AS status
FROM compared;
