-- The pair table also keeps every set of three columns (the NCM with its sector counting
-- as one), so an answer with two filters besides its months reads one index range of
-- sums instead of the facts: /ncm?uf=SP&via=01 sums the NCMs of (state, route, NCM)
-- rows held to SP and 01 (11,600 rows on a generated 1.2M-row year) where the facts
-- gave it 193,000 rows to sum. Only the sets with the NCM and at most one other column
-- are summed by heading as well (0017). The columns and the conjunto bits are as in
-- 0013 (sql/queries/refresh.sql: exportacao_par), so nothing here changes the table:
-- every stored year is marked as its own change (pela_comparacao false, 0018), and the
-- next refresh recomputes them all, in order.
INSERT INTO rpt.anos_pendentes (relacao, ano)
SELECT DISTINCT 'mv_exportacao_par', ano FROM rpt.agg_arquivo;
