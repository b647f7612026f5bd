-- Report views. One aggregate scans staging (ano, mes, pais, setor); the seed's
-- summaries are built from it, so a full refresh reads stg.exportacao once.
-- Every view has a unique index on plain columns, as REFRESH ... CONCURRENTLY needs.

CREATE MATERIALIZED VIEW rpt.mv_exportacao_mensal AS
SELECT ano,
       mes,
       pais,
       setor,
       SUM(valor_usd)::DECIMAL(18,2) AS total_usd,
       SUM(peso_kg)::DECIMAL(18,3)   AS total_kg,
       COUNT(*)                      AS registros,
       now()                         AS updated_at
FROM stg.exportacao
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

-- A single row; `id` exists only to carry the unique index.
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
