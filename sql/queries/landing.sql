-- Queries of the landing sensor: the warehouse, not the orchestrator's memory, says
-- which landing files still need a load.

-- name: decided_files
-- Of the given landing files (name, sha256), those whose latest decided attempt is of
-- this very content: loaded, unchanged, or refused (a bad file stays refused until it
-- changes). An attempt abandoned by a killed process decides nothing. A workbook's
-- attempts are its sheets' (file:sheet); each records the workbook's hash.
WITH files AS (
    SELECT * FROM unnest(%(names)s::TEXT[], %(shas)s::TEXT[]) AS f (name, sha)
),
latest AS (
    SELECT DISTINCT ON (f.name) f.name, f.sha, b.landing_sha256
    FROM files f
    JOIN cfg.ingest_batches b
      ON b.source_name = f.name OR left(b.source_name, length(f.name) + 1) = f.name || ':'
    WHERE b.status IN ('loaded', 'unchanged')
       OR (b.status = 'failed' AND b.error NOT LIKE 'abandoned%%')
    ORDER BY f.name, b.started_at DESC
)
SELECT name FROM latest WHERE landing_sha256 = sha;
