-- Rollups the API reads, so an answer costs what its years cost, not the whole history.
-- Both are built from rpt.mv_exportacao_mensal and refreshed CONCURRENTLY after it.

-- Per year, country and sector. The growth of a ranking compares the same months of two
-- years: usd_ate_mes[m] is the value through month m (annual figures, with no month,
-- count as December), NULL when no row is that early, as the monthly rows would give.
CREATE MATERIALIZED VIEW rpt.mv_exportacao_anual AS
SELECT ano,
       pais,
       setor,
       SUM(total_usd)::DECIMAL(18,2)  AS total_usd,
       SUM(total_kg)::DECIMAL(18,3)   AS total_kg,
       max(COALESCE(mes, 12))::INT    AS mes_max,
       ARRAY[
           SUM(total_usd) FILTER (WHERE COALESCE(mes, 12) <= 1),
           SUM(total_usd) FILTER (WHERE COALESCE(mes, 12) <= 2),
           SUM(total_usd) FILTER (WHERE COALESCE(mes, 12) <= 3),
           SUM(total_usd) FILTER (WHERE COALESCE(mes, 12) <= 4),
           SUM(total_usd) FILTER (WHERE COALESCE(mes, 12) <= 5),
           SUM(total_usd) FILTER (WHERE COALESCE(mes, 12) <= 6),
           SUM(total_usd) FILTER (WHERE COALESCE(mes, 12) <= 7),
           SUM(total_usd) FILTER (WHERE COALESCE(mes, 12) <= 8),
           SUM(total_usd) FILTER (WHERE COALESCE(mes, 12) <= 9),
           SUM(total_usd) FILTER (WHERE COALESCE(mes, 12) <= 10),
           SUM(total_usd) FILTER (WHERE COALESCE(mes, 12) <= 11),
           SUM(total_usd)
       ]::DECIMAL(18,2)[]             AS usd_ate_mes,
       now()                          AS updated_at
FROM rpt.mv_exportacao_mensal
GROUP BY ano, pais, setor;
CREATE UNIQUE INDEX ux_mv_exportacao_anual ON rpt.mv_exportacao_anual (ano, pais, setor);
CREATE INDEX ix_mv_exportacao_anual_pais ON rpt.mv_exportacao_anual (pais, ano);
CREATE INDEX ix_mv_exportacao_anual_setor ON rpt.mv_exportacao_anual (setor, ano);

-- The monthly series: all countries and sectors, per country, per sector ('' = all).
-- Annual figures keep mes NULL, so the totals equal staging's; the series skips them.
CREATE MATERIALIZED VIEW rpt.mv_serie_mensal AS
SELECT ano,
       mes,
       COALESCE(pais, '')             AS pais,
       COALESCE(setor, '')            AS setor,
       SUM(total_usd)::DECIMAL(18,2)  AS total_usd,
       SUM(total_kg)::DECIMAL(18,3)   AS total_kg,
       now()                          AS updated_at
FROM rpt.mv_exportacao_mensal
GROUP BY GROUPING SETS ((ano, mes), (ano, mes, pais), (ano, mes, setor));
CREATE UNIQUE INDEX ux_mv_serie_mensal
    ON rpt.mv_serie_mensal (pais, setor, ano, mes) NULLS NOT DISTINCT;
