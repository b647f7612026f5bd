-- Queries behind the Dagster asset checks. Named blocks, bind parameters only.

-- name: staging_violations
-- Rows that break the ingest rules (the table's CHECKs cover most; the upper year
-- bound moves with the calendar, so it is checked here).
SELECT count(*) AS bad_rows
FROM stg.exportacao
WHERE (ano < %(first_year)s OR ano > %(last_year)s
       OR mes NOT BETWEEN 1 AND 12
       OR valor_usd < 0 OR peso_kg < 0
       OR btrim(pais) = '' OR btrim(setor) = ''
       OR (ncm IS NOT NULL AND ncm !~ '^[0-9]{8}$'));

-- name: view_consistency
-- One row per check of a report view: its totals next to staging's, the sum of its
-- shares (NULL for views without participacao_pct), its last refresh and the latest
-- load. {view} and {share} are composed with psycopg2.sql from the view registry.
SELECT v.total_usd, v.total_kg, s.total_usd AS staging_usd, s.total_kg AS staging_kg,
       v.share_sum, v.row_count, v.updated_at, l.latest_load
FROM (SELECT COALESCE(SUM(total_usd), 0) AS total_usd,
             COALESCE(SUM(total_kg), 0)  AS total_kg,
             {share}                     AS share_sum,
             count(*)                    AS row_count,
             max(updated_at)             AS updated_at
      FROM {view}) AS v
CROSS JOIN (SELECT COALESCE(SUM(valor_usd), 0) AS total_usd,
                   COALESCE(SUM(peso_kg), 0)   AS total_kg
            FROM stg.exportacao) AS s
CROSS JOIN (SELECT max(finished_at) AS latest_load
            FROM cfg.ingest_batches WHERE status = 'loaded') AS l;
