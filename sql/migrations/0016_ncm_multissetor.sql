-- A filtered ranking that reads pair rows already holding one code each takes them as
-- they are instead of summing them again (sql/queries/metrics.sql: scoped_ranking,
-- variacao). The rows of the NCM sets are split by NCM and sector, and an NCM has one
-- sector when its sector comes from cfg.ncm_setor, but a file in the project layout
-- gives each row's sector itself: one NCM may then carry two. The years where some NCM
-- does are listed here, kept by each refresh of the pair table (sql/queries/refresh.sql:
-- ncm_multissetor), and their answers sum as before.
CREATE TABLE rpt.anos_ncm_multissetor (
    ano INT PRIMARY KEY
);

-- conjunto 46: split by sector and NCM only (0013).
INSERT INTO rpt.anos_ncm_multissetor (ano)
SELECT DISTINCT ano
FROM rpt.exportacao_par
WHERE conjunto = 46 AND ncm IS NOT NULL
GROUP BY ano, ncm
HAVING count(*) > 1;

GRANT SELECT ON ALL TABLES IN SCHEMA rpt TO bgc_api_reader;

-- Whether a query asked to take the rows as they are (:por_linha) may: not in a year
-- listed above. A constant for the planner, so each query keeps one branch.
CREATE FUNCTION rpt.um_codigo_por_linha(pedido BOOLEAN, ano_ref INT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
    SELECT pedido AND NOT EXISTS (SELECT 1 FROM rpt.anos_ncm_multissetor m
                                  WHERE m.ano = ano_ref)
$$;
