-- The pair table also keeps each row's value in each month: centavos_mes[m] and
-- gramas_mes[m] are the row's sums in month m (annual figures, with no month, count as
-- December) in US cents and in grams, NULL in a month without rows; both are NULL on a
-- row that only holds the year before's sums. A span of months of a filtered answer
-- (`sh4?uf=SP&mes_de=1&mes_ate=6`) and a filtered monthly series (`serie?uf=SP`) then
-- read the pair rows, not the facts: before, both read rpt.exportacao_fato at 250-480 ms
-- on 25 generated years (docs/benchmarks.md). Whole numbers because a span sums them
-- per row at query time: BIGINT elements are fixed-width and add without allocating,
-- NUMERIC ones are not (2.4 against 0.5 us a row, measured); a month without rows
-- costs a bit in the array's NULL bitmap, so rows with a product, which have rows in
-- few months, grow the least.
ALTER TABLE rpt.exportacao_par
    ADD COLUMN centavos_mes BIGINT[],
    ADD COLUMN gramas_mes   BIGINT[];

CREATE OR REPLACE VIEW rpt.mv_exportacao_par AS
SELECT ano, conjunto, pais, setor, uf, via, urf, ncm, total_usd, total_kg,
       anterior_usd, anterior_kg, mes_max, updated_at, centavos_mes, gramas_mes
FROM rpt.exportacao_par;

-- The sum of months de..ate of a row's monthly values (centavos_mes, gramas_mes), in
-- the unit given (0.01 for cents, 0.001 for grams); NULL when none of those months has
-- rows (the row is then not in the span, as a code without facts in it). One
-- expression, so the planner inlines it: with the caller's literal months, the months
-- outside the span fold away.
CREATE FUNCTION rpt.nos_meses(meses BIGINT[], de INT, ate INT, unidade NUMERIC)
RETURNS NUMERIC
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN COALESCE(
        CASE WHEN de <= 1 AND ate >= 1 THEN meses[1] END,
        CASE WHEN de <= 2 AND ate >= 2 THEN meses[2] END,
        CASE WHEN de <= 3 AND ate >= 3 THEN meses[3] END,
        CASE WHEN de <= 4 AND ate >= 4 THEN meses[4] END,
        CASE WHEN de <= 5 AND ate >= 5 THEN meses[5] END,
        CASE WHEN de <= 6 AND ate >= 6 THEN meses[6] END,
        CASE WHEN de <= 7 AND ate >= 7 THEN meses[7] END,
        CASE WHEN de <= 8 AND ate >= 8 THEN meses[8] END,
        CASE WHEN de <= 9 AND ate >= 9 THEN meses[9] END,
        CASE WHEN de <= 10 AND ate >= 10 THEN meses[10] END,
        CASE WHEN de <= 11 AND ate >= 11 THEN meses[11] END,
        CASE WHEN de <= 12 AND ate >= 12 THEN meses[12] END
    ) IS NOT NULL THEN (
            COALESCE(CASE WHEN de <= 1 AND ate >= 1 THEN meses[1] END, 0)
          + COALESCE(CASE WHEN de <= 2 AND ate >= 2 THEN meses[2] END, 0)
          + COALESCE(CASE WHEN de <= 3 AND ate >= 3 THEN meses[3] END, 0)
          + COALESCE(CASE WHEN de <= 4 AND ate >= 4 THEN meses[4] END, 0)
          + COALESCE(CASE WHEN de <= 5 AND ate >= 5 THEN meses[5] END, 0)
          + COALESCE(CASE WHEN de <= 6 AND ate >= 6 THEN meses[6] END, 0)
          + COALESCE(CASE WHEN de <= 7 AND ate >= 7 THEN meses[7] END, 0)
          + COALESCE(CASE WHEN de <= 8 AND ate >= 8 THEN meses[8] END, 0)
          + COALESCE(CASE WHEN de <= 9 AND ate >= 9 THEN meses[9] END, 0)
          + COALESCE(CASE WHEN de <= 10 AND ate >= 10 THEN meses[10] END, 0)
          + COALESCE(CASE WHEN de <= 11 AND ate >= 11 THEN meses[11] END, 0)
          + COALESCE(CASE WHEN de <= 12 AND ate >= 12 THEN meses[12] END, 0)
        )::NUMERIC * unidade
    END
$$;

-- The pair rows of one conjunto that every filter given (NULL: none) keeps, every year:
-- the one place the filters meet the pair table's columns. A row of the conjunto leaves
-- NULL each column the set does not hold. Inlined by the planner, like the functions
-- built on it, so the caller's years and the filters reach the indexes.
CREATE FUNCTION rpt.pares_do_escopo(
    conjunto_pedido INT, f_pais TEXT, f_bloco TEXT, f_uf TEXT, f_via TEXT, f_urf TEXT,
    f_ncm TEXT, f_setor TEXT
) RETURNS SETOF rpt.exportacao_par
LANGUAGE sql STABLE AS $$
    SELECT p.*
    FROM rpt.exportacao_par p
    WHERE p.conjunto = conjunto_pedido
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

-- rpt.pares_filtrados (0013) with a span of months: NULL de and ate, each row's sums as
-- before (its year's, with its latest month, and with `anterior` the year before's
-- over the same months, as a row of that year). With a span, each row's sums in those
-- months; the year before's come from its own rows (the years before `anos`, read
-- again), so both years are summed over the same months.
DROP FUNCTION rpt.pares_filtrados(INT, INT[], BOOLEAN, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT);
CREATE FUNCTION rpt.pares_filtrados(
    conjunto_pedido INT, anos INT[], anterior BOOLEAN, de INT, ate INT, f_pais TEXT,
    f_bloco TEXT, f_uf TEXT, f_via TEXT, f_urf TEXT, f_ncm TEXT, f_setor TEXT
) RETURNS TABLE (
    ano INT, pais VARCHAR, setor VARCHAR, uf VARCHAR, via VARCHAR, urf VARCHAR,
    ncm VARCHAR, total_usd DECIMAL, total_kg DECIMAL, mes_max INT
)
LANGUAGE sql STABLE AS $$
    SELECT l.ano, p.pais, p.setor, p.uf, p.via, p.urf, p.ncm, l.usd, l.kg, l.mes_max
    FROM (
        SELECT p.*, p.ano = ANY(anos) OR anos IS NULL AS proprio
        FROM rpt.pares_do_escopo(
            conjunto_pedido, f_pais, f_bloco, f_uf, f_via, f_urf, f_ncm, f_setor) p
        WHERE anos IS NULL
           OR p.ano = ANY(anos || CASE WHEN anterior AND (de IS NOT NULL OR ate IS NOT NULL)
                                       THEN ARRAY(SELECT a - 1 FROM unnest(anos) AS a) END)
    ) AS p
    CROSS JOIN LATERAL (
        SELECT p.ano, p.total_usd, p.total_kg, p.mes_max
        WHERE de IS NULL AND ate IS NULL
        UNION ALL
        SELECT p.ano - 1, p.anterior_usd, p.anterior_kg, NULL
        WHERE de IS NULL AND ate IS NULL AND anterior
        UNION ALL
        SELECT p.ano, rpt.nos_meses(p.centavos_mes, COALESCE(de, 1), COALESCE(ate, 12), 0.01),
               rpt.nos_meses(p.gramas_mes, COALESCE(de, 1), COALESCE(ate, 12), 0.001), p.mes_max
        WHERE (de IS NOT NULL OR ate IS NOT NULL) AND p.proprio
        UNION ALL
        SELECT p.ano, rpt.nos_meses(p.centavos_mes, COALESCE(de, 1), COALESCE(ate, 12), 0.01),
               rpt.nos_meses(p.gramas_mes, COALESCE(de, 1), COALESCE(ate, 12), 0.001), NULL
        WHERE (de IS NOT NULL OR ate IS NOT NULL) AND anterior
          AND (anos IS NULL OR p.ano + 1 = ANY(anos))
    ) AS l (ano, usd, kg, mes_max)
    WHERE l.usd IS NOT NULL
$$;

-- rpt.escopo (0013) as before, on the new rpt.pares_filtrados: its pair branch keeps the
-- yearly sums (concentracao calls it for the facts only).
CREATE OR REPLACE FUNCTION rpt.escopo(
    conjunto_pedido INT, ano_ref INT, anterior BOOLEAN, de INT, ate INT, f_pais TEXT,
    f_bloco TEXT, f_uf TEXT, f_via TEXT, f_urf TEXT, f_ncm TEXT, f_setor TEXT
) RETURNS TABLE (
    ano INT, pais VARCHAR, setor VARCHAR, uf VARCHAR, via VARCHAR, urf VARCHAR,
    ncm VARCHAR, total_usd DECIMAL, total_kg DECIMAL
)
LANGUAGE sql STABLE AS $$
    SELECT f.ano, f.pais, f.setor, f.uf, f.via, f.urf, f.ncm, f.total_usd, f.total_kg
    FROM rpt.fatos_filtrados(
        CASE WHEN anterior THEN ARRAY[ano_ref, ano_ref - 1] ELSE ARRAY[ano_ref] END,
        de, ate, f_pais, f_bloco, f_uf, f_via, f_urf, f_ncm, f_setor) f
    WHERE conjunto_pedido IS NULL
    UNION ALL
    SELECT p.ano, p.pais, p.setor, p.uf, p.via, p.urf, p.ncm, p.total_usd, p.total_kg
    FROM rpt.pares_filtrados(
        conjunto_pedido, ARRAY[ano_ref], anterior, NULL, NULL, f_pais, f_bloco, f_uf,
        f_via, f_urf, f_ncm, f_setor) p
    WHERE conjunto_pedido IS NOT NULL
$$;

-- rpt.escopo_lado_a_lado (0015) with `meses`: whether de..ate is a span the client asked
-- for. Without one, a pair row's yearly sums and its year before's are the months of
-- the answer, as before, one row per key. With one, the reference year's rows give
-- their sums in the span, and the year before's own rows (its partition) the
-- comparison, on rows of their own, as the facts do.
DROP FUNCTION rpt.escopo_lado_a_lado(INT, INT, INT, INT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT);
CREATE FUNCTION rpt.escopo_lado_a_lado(
    conjunto_pedido INT, ano_ref INT, de INT, ate INT, meses BOOLEAN, f_pais TEXT,
    f_bloco TEXT, f_uf TEXT, f_via TEXT, f_urf TEXT, f_ncm TEXT, f_setor TEXT
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
    SELECT p.pais, p.setor, p.uf, p.via, p.urf, p.ncm,
           CASE WHEN NOT meses THEN p.total_usd
                WHEN p.ano = ano_ref THEN rpt.nos_meses(p.centavos_mes, de, ate, 0.01) END,
           CASE WHEN NOT meses THEN p.total_kg
                WHEN p.ano = ano_ref THEN rpt.nos_meses(p.gramas_mes, de, ate, 0.001) END,
           CASE WHEN NOT meses THEN p.anterior_usd
                WHEN p.ano = ano_ref - 1 THEN rpt.nos_meses(p.centavos_mes, de, ate, 0.01) END,
           CASE WHEN NOT meses THEN p.anterior_kg
                WHEN p.ano = ano_ref - 1 THEN rpt.nos_meses(p.gramas_mes, de, ate, 0.001) END
    FROM rpt.pares_do_escopo(
        conjunto_pedido, f_pais, f_bloco, f_uf, f_via, f_urf, f_ncm, f_setor) p
    WHERE conjunto_pedido IS NOT NULL
      AND p.ano IN (ano_ref, CASE WHEN meses THEN ano_ref - 1 ELSE ano_ref END)
      AND (NOT meses OR p.centavos_mes IS NOT NULL)
$$;

GRANT SELECT ON ALL TABLES IN SCHEMA rpt TO bgc_api_reader;

-- Every stored year is recomputed by the next refresh, in order, to fill the months.
INSERT INTO rpt.anos_pendentes (relacao, ano)
SELECT DISTINCT 'mv_exportacao_par', a.ano
FROM rpt.agg_arquivo a
WHERE NOT EXISTS (SELECT 1 FROM rpt.anos_pendentes p
                  WHERE p.relacao = 'mv_exportacao_par' AND p.ano = a.ano);
