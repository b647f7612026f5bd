-- Queries behind the Dagster asset checks. Named blocks, bind parameters only.

-- name: staging_violations
-- Rows that break the ingest rules (the table's CHECKs cover most; the upper year
-- bound moves with the calendar, so it is checked here).
SELECT count(*) AS bad_rows
FROM stg.exportacao
WHERE (ano < 1997 OR ano > EXTRACT(YEAR FROM now())::INT + 1
       OR mes NOT BETWEEN 1 AND 12
       OR valor_usd < 0 OR peso_kg < 0
       OR btrim(pais) = '' OR btrim(setor) = ''
       OR (ncm IS NOT NULL AND ncm !~ '^[0-9]{8}$'));

-- name: staging_totals
SELECT COALESCE(SUM(valor_usd), 0) AS total_usd, COALESCE(SUM(peso_kg), 0) AS total_kg
FROM stg.exportacao;

-- name: mv_exportacao_mensal_totals
SELECT COALESCE(SUM(total_usd), 0), COALESCE(SUM(total_kg), 0) FROM rpt.mv_exportacao_mensal;

-- name: mv_resumo_pais_totals
SELECT COALESCE(SUM(total_usd), 0), COALESCE(SUM(total_kg), 0) FROM rpt.mv_resumo_pais;

-- name: mv_resumo_setor_totals
SELECT COALESCE(SUM(total_usd), 0), COALESCE(SUM(total_kg), 0) FROM rpt.mv_resumo_setor;

-- name: mv_resumo_geral_totals
SELECT total_usd, total_kg FROM rpt.mv_resumo_geral;

-- name: mv_resumo_pais_share
SELECT COALESCE(SUM(participacao_pct), 0), count(*) FROM rpt.mv_resumo_pais;

-- name: mv_resumo_setor_share
SELECT COALESCE(SUM(participacao_pct), 0), count(*) FROM rpt.mv_resumo_setor;

-- name: mv_resumo_pais_updated
SELECT max(updated_at) FROM rpt.mv_resumo_pais;

-- name: mv_resumo_setor_updated
SELECT max(updated_at) FROM rpt.mv_resumo_setor;

-- name: mv_resumo_geral_updated
SELECT max(updated_at) FROM rpt.mv_resumo_geral;

-- name: latest_load
SELECT max(finished_at) FROM cfg.ingest_batches WHERE status = 'loaded';
