-- rpt.escopo_lado_a_lado: what rpt.escopo gives for a reference year and the year before,
-- with the year before's values beside the year's on one row (usd_anterior,
-- kg_anterior) rather than on a row of their own.
--
-- A pair row already holds both years; rpt.pares_filtrados turns it into two rows for
-- callers that sum by year, and a dimension ranking then sorts and groups twice the
-- rows. For `ncm?uf=SP` over a 1.2M-row year that was 25,335 rows from 13,567 pair
-- rows, and most of the answer's time (docs/benchmarks.md). The facts still come one
-- row per year and month, with the other year's columns NULL. Inlined by the planner
-- like rpt.escopo: the caller's conjunto is a literal, so one branch is kept.
CREATE FUNCTION rpt.escopo_lado_a_lado(
    conjunto_pedido INT, ano_ref INT, de INT, ate INT, f_pais TEXT, f_bloco TEXT,
    f_uf TEXT, f_via TEXT, f_urf TEXT, f_ncm TEXT, f_setor TEXT
) RETURNS TABLE (
    pais VARCHAR, setor VARCHAR, uf VARCHAR, via VARCHAR, urf VARCHAR, ncm VARCHAR,
    usd DECIMAL, kg DECIMAL, usd_anterior DECIMAL, kg_anterior DECIMAL
)
LANGUAGE sql STABLE AS $$
    SELECT f.pais, f.setor, f.uf, f.via, f.urf, f.ncm,
           CASE WHEN f.ano = ano_ref THEN f.total_usd END,
           CASE WHEN f.ano = ano_ref THEN f.total_kg END,
           CASE WHEN f.ano = ano_ref - 1 THEN f.total_usd END,
           CASE WHEN f.ano = ano_ref - 1 THEN f.total_kg END
    FROM rpt.fatos_filtrados(
        ARRAY[ano_ref, ano_ref - 1], de, ate, f_pais, f_bloco, f_uf, f_via, f_urf, f_ncm,
        f_setor) f
    WHERE conjunto_pedido IS NULL
    UNION ALL
    SELECT p.pais, p.setor, p.uf, p.via, p.urf, p.ncm, p.total_usd, p.total_kg,
           p.anterior_usd, p.anterior_kg
    FROM rpt.exportacao_par p
    WHERE conjunto_pedido IS NOT NULL
      AND p.ano = ano_ref AND p.conjunto = conjunto_pedido
      AND (conjunto_pedido & 32 = 0 OR p.pais IS NULL)
      AND (conjunto_pedido & 8 = 0 OR p.uf IS NULL)
      AND (conjunto_pedido & 4 = 0 OR p.via IS NULL)
      AND (conjunto_pedido & 2 = 0 OR p.urf IS NULL)
      AND (conjunto_pedido & 16 = 0 OR p.setor IS NULL)
      AND (f_pais IS NULL OR p.pais = f_pais)
      AND (f_bloco IS NULL OR p.pais IN (SELECT b.pais FROM rpt.pais_bloco b
                                         WHERE b.co_bloco = f_bloco))
      AND (f_uf IS NULL OR p.uf = f_uf)
      AND (f_via IS NULL OR p.via = f_via)
      AND (f_urf IS NULL OR p.urf = f_urf)
      AND (f_ncm IS NULL OR p.ncm LIKE f_ncm || '%')
      AND (f_setor IS NULL OR p.setor = f_setor)
$$;
