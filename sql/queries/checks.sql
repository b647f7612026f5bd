-- Queries behind the Dagster asset checks. Named blocks, bind parameters only.

-- name: staging_violations
-- One landing file's partitions (the file, or each sheet of a workbook): rows that
-- break the ingest rules (the table's CHECKs cover most; the upper year bound moves
-- with the calendar, so it is checked here), and how far the aggregates kept at load
-- time are from the rows. Reads only those partitions and their aggregates: O(file).
WITH rows AS (
    SELECT count(*) FILTER (
               WHERE ano < %(first_year)s OR ano > %(last_year)s
                  OR mes NOT BETWEEN 1 AND 12
                  OR valor_usd < 0 OR peso_kg < 0
                  OR btrim(pais) = '' OR btrim(setor) = ''
                  OR (ncm IS NOT NULL AND ncm !~ '^[0-9]{8}$')) AS bad_rows,
           count(*)                    AS row_count,
           COALESCE(SUM(valor_usd), 0) AS total_usd,
           COALESCE(SUM(peso_kg), 0)   AS total_kg
    FROM stg.exportacao
    WHERE ingest_source = ANY(%(sources)s)
),
kept AS (
    SELECT COALESCE(SUM(registros), 0) AS row_count,
           COALESCE(SUM(total_usd), 0) AS total_usd,
           COALESCE(SUM(total_kg), 0)  AS total_kg
    FROM rpt.agg_arquivo
    WHERE ingest_source = ANY(%(sources)s)
),
by_code AS (
    -- Each official code's sums (rpt.agg_dimensao) add up to the file's, code or not.
    SELECT d.dimensao,
           COALESCE(SUM(a.usd_m01 + a.usd_m02 + a.usd_m03 + a.usd_m04 + a.usd_m05 + a.usd_m06
                        + a.usd_m07 + a.usd_m08 + a.usd_m09 + a.usd_m10 + a.usd_m11
                        + a.usd_m12), 0) AS total_usd
    FROM (VALUES ('uf'), ('via'), ('urf'), ('ncm')) AS d (dimensao)
    LEFT JOIN rpt.agg_dimensao a
           ON a.dimensao = d.dimensao AND a.ingest_source = ANY(%(sources)s)
    GROUP BY d.dimensao
)
SELECT rows.bad_rows, rows.row_count,
       kept.row_count - rows.row_count AS aggregate_rows_difference,
       kept.total_usd - rows.total_usd AS aggregate_usd_difference,
       kept.total_kg - rows.total_kg   AS aggregate_kg_difference,
       (SELECT max(abs(by_code.total_usd - rows.total_usd)) FROM by_code)
                                       AS dimension_usd_difference
FROM rows CROSS JOIN kept;

-- name: landing_sources
-- The sources one landing file was loaded as: itself, or its sheets (file:sheet).
SELECT DISTINCT ingest_source FROM rpt.agg_arquivo
WHERE ingest_source = %(name)s OR left(ingest_source, length(%(name)s) + 1) = %(name)s || ':'
UNION
SELECT DISTINCT ingest_source FROM rpt.agg_arquivo_importacao
WHERE ingest_source = %(name)s OR left(ingest_source, length(%(name)s) + 1) = %(name)s || ':'
UNION
SELECT c.source FROM (SELECT %(name)s::TEXT AS source) AS c;

-- name: staging_violations_importacao
-- The same for an import file's partitions in stg.importacao, with freight and
-- insurance: their signs, and their sums against the totals kept at load time.
WITH rows AS (
    SELECT count(*) FILTER (
               WHERE ano < %(first_year)s OR ano > %(last_year)s
                  OR mes NOT BETWEEN 1 AND 12
                  OR valor_usd < 0 OR peso_kg < 0 OR valor_frete < 0 OR valor_seguro < 0
                  OR btrim(pais) = '' OR btrim(setor) = ''
                  OR (ncm IS NOT NULL AND ncm !~ '^[0-9]{8}$')) AS bad_rows,
           count(*)                       AS row_count,
           COALESCE(SUM(valor_usd), 0)    AS total_usd,
           COALESCE(SUM(peso_kg), 0)      AS total_kg,
           COALESCE(SUM(valor_frete), 0)  AS total_frete,
           COALESCE(SUM(valor_seguro), 0) AS total_seguro
    FROM stg.importacao
    WHERE ingest_source = ANY(%(sources)s)
),
kept AS (
    SELECT COALESCE(SUM(registros), 0)    AS row_count,
           COALESCE(SUM(total_usd), 0)    AS total_usd,
           COALESCE(SUM(total_kg), 0)     AS total_kg,
           COALESCE(SUM(total_frete), 0)  AS total_frete,
           COALESCE(SUM(total_seguro), 0) AS total_seguro
    FROM rpt.agg_arquivo_importacao
    WHERE ingest_source = ANY(%(sources)s)
)
SELECT rows.bad_rows, rows.row_count,
       kept.row_count - rows.row_count       AS aggregate_rows_difference,
       kept.total_usd - rows.total_usd       AS aggregate_usd_difference,
       kept.total_kg - rows.total_kg         AS aggregate_kg_difference,
       kept.total_frete - rows.total_frete   AS aggregate_frete_difference,
       kept.total_seguro - rows.total_seguro AS aggregate_seguro_difference
FROM rows CROSS JOIN kept;

-- name: view_consistency
-- One row per check of a report view: its totals next to staging's (kept per source
-- at load time in rpt.agg_arquivo, checked against each partition by the staging
-- check, so this reads no staging row), the sum of its shares (NULL for views without
-- participacao_pct), its last refresh and the latest load. {view}, {share} and
-- {total_rows} (the rows that hold the total once) are composed with psycopg2.sql from
-- the view registry.
SELECT v.total_usd, v.total_kg, s.total_usd AS staging_usd, s.total_kg AS staging_kg,
       v.share_sum, v.row_count, v.updated_at, l.latest_load
FROM (SELECT COALESCE(SUM(total_usd), 0) AS total_usd,
             COALESCE(SUM(total_kg), 0)  AS total_kg,
             {share}                     AS share_sum,
             count(*)                    AS row_count,
             max(updated_at)             AS updated_at
      FROM {view}
      WHERE {total_rows}) AS v
CROSS JOIN (SELECT COALESCE(SUM(total_usd), 0) AS total_usd,
                   COALESCE(SUM(total_kg), 0)  AS total_kg
            FROM rpt.agg_arquivo) AS s
CROSS JOIN (SELECT max(finished_at) AS latest_load
            FROM cfg.ingest_batches WHERE status = 'loaded') AS l;

-- name: staging_per_year
-- Staging's value, weight and records per year, as kept per file at load time.
SELECT ano, SUM(total_usd), SUM(total_kg), SUM(registros)
FROM rpt.agg_arquivo
GROUP BY ano
ORDER BY ano;

-- name: staging_per_year_importacao
-- The same for the imports, with freight and insurance.
SELECT ano, SUM(total_usd), SUM(total_kg), SUM(registros), SUM(total_frete),
       SUM(total_seguro)
FROM rpt.agg_arquivo_importacao
GROUP BY ano
ORDER BY ano;

-- name: resumo_por_pais
-- What /metrics/pais answers without a filter: each country's value and weight over
-- every year (their sum is /metrics/resumo's total).
SELECT pais, total_usd, total_kg FROM rpt.mv_resumo_pais;

-- name: resumo_por_setor
-- What /metrics/setor answers without a filter: each sector's value and weight.
SELECT setor, total_usd, total_kg FROM rpt.mv_resumo_setor;
