-- The pair table also keeps each set with the NCM summed by its heading (SH4): such a
-- row holds the heading's four digits in `ncm`, and its conjunto the bit 64 besides the
-- NCM set's bits (sql/queries/refresh.sql: exportacao_par). A ranking by SH4 or SH2, or
-- any answer whose NCM filter has at most four digits, reads about a tenth of the rows:
-- /sh4?via=01 sums 1,300 heading rows instead of 13,500 NCM rows. Every stored year is
-- recomputed by the next refresh, in order, so each year's comparison finds the year
-- before's headings.
INSERT INTO rpt.anos_pendentes (relacao, ano)
SELECT DISTINCT 'mv_exportacao_par', a.ano
FROM rpt.agg_arquivo a
WHERE NOT EXISTS (SELECT 1 FROM rpt.anos_pendentes p
                  WHERE p.relacao = 'mv_exportacao_par' AND p.ano = a.ano);
