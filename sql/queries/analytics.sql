-- DuckDB queries of the API over the per-year Parquet snapshots (bgc_api/analytics.py):
-- every answer filtered beyond what the PostgreSQL views hold (a state, a route, a
-- customs unit, an NCM prefix, a bloc, a span of months, or two filters together).
-- Each returns exact sums (DECIMAL); shares, growth and unit values are computed from
-- them in Python (bgc_api/figures.py), as DuckDB divides decimals in DOUBLE. $files are
-- the data version's files of the years the answer reads; every other value is a
-- parameter, NULL for no filter.

-- name: fatos_macro
-- The facts of a scope: the years given (NULL: all of $files), the months de..ate of each
-- (annual figures count as December), and each filter given. `f_ncm` is a prefix (an
-- NCM, SH6, SH4 or SH2 code), `f_paises` the countries of a bloc. The filters reach the
-- Parquet reader, which skips row groups by their statistics.
CREATE OR REPLACE MACRO fatos(files, anos, de, ate, f_pais, f_paises, f_uf, f_via, f_urf,
                              f_ncm, f_setor) AS TABLE
SELECT *
FROM read_parquet(files)
WHERE (anos IS NULL OR list_contains(anos, ano))
  AND (de IS NULL OR COALESCE(mes, 12) >= de)
  AND (ate IS NULL OR COALESCE(mes, 12) <= ate)
  AND (f_pais IS NULL OR pais = f_pais)
  AND (f_paises IS NULL OR list_contains(f_paises, pais))
  AND (f_uf IS NULL OR uf = f_uf)
  AND (f_via IS NULL OR via = f_via)
  AND (f_urf IS NULL OR urf = f_urf)
  AND (f_ncm IS NULL OR starts_with(ncm, f_ncm))
  AND (f_setor IS NULL OR setor = f_setor);

-- name: resumo
-- Totals of the scope: value, weight, countries, sectors and years present.
SELECT COALESCE(SUM(usd), 0)::DECIMAL(18,2)             AS total_usd,
       COALESCE(SUM(kg), 0)::DECIMAL(18,3)              AS total_kg,
       COUNT(DISTINCT pais)::INT                        AS paises_count,
       COUNT(DISTINCT setor)::INT                       AS setores_count,
       COALESCE(list(DISTINCT ano ORDER BY ano), [])    AS anos
FROM fatos($files, $anos, $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm, $setor);

-- name: ranking
-- Countries or sectors ($dimension) ordered by value over the scope's years ($ano, else
-- every year; $anos adds the year before for the growth), with the growth of the
-- reference year ($ano, else the scope's latest) over the year before through the same
-- month (the scope's latest month of the reference year; annual figures as December).
-- Each row carries the whole scope's value (for shares) and the number of items. The
-- facts are read once, into sums by item, year and month (a few thousand rows), which
-- every other step reads: reading them once per step cost twice as much.
WITH por_mes AS MATERIALIZED (
    SELECT CASE WHEN $dimension = 'pais' THEN pais ELSE setor END AS name,
           ano, COALESCE(mes, 12) AS mes, SUM(usd) AS usd, SUM(kg) AS kg
    FROM fatos($files, $anos, $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm, $setor)
    GROUP BY ALL
),
referencia AS (
    SELECT r.ano, (SELECT max(m.mes) FROM por_mes m WHERE m.ano = r.ano) AS mes
    FROM (SELECT COALESCE(CAST($ano AS INT), (SELECT max(ano) FROM por_mes)) AS ano) AS r
),
itens AS (
    SELECT name, SUM(usd) AS usd, SUM(kg) AS kg, list(DISTINCT ano ORDER BY ano) AS anos
    FROM por_mes
    WHERE $ano IS NULL OR ano = $ano
    GROUP BY name
),
crescimento AS (
    SELECT m.name,
           SUM(m.usd) FILTER (WHERE m.ano = r.ano AND m.mes <= r.mes)     AS atual,
           SUM(m.usd) FILTER (WHERE m.ano = r.ano - 1 AND m.mes <= r.mes) AS anterior
    FROM por_mes m, referencia r
    WHERE m.ano IN (r.ano, r.ano - 1)
    GROUP BY m.name
)
SELECT i.name, i.usd, i.kg, i.anos, c.atual, c.anterior,
       SUM(i.usd) OVER () AS escopo_usd, COUNT(*) OVER () AS total
FROM itens i
LEFT JOIN crescimento c USING (name)
ORDER BY i.usd DESC NULLS FIRST, i.name
LIMIT $limit OFFSET $offset;

-- name: ranking_count
-- How many countries or sectors the scope holds, for a page past the end.
SELECT COUNT(DISTINCT CASE WHEN $dimension = 'pais' THEN pais ELSE setor END)
FROM fatos($files, $anos, $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm, $setor);

-- name: serie
-- The monthly series of the scope between $ano_de and $ano_ate (annual figures, with no
-- month, are not in a series).
SELECT ano, mes, SUM(usd)::DECIMAL(18,2) AS total_usd, SUM(kg)::DECIMAL(18,3) AS total_kg
FROM fatos($files, NULL, $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm, $setor)
WHERE mes IS NOT NULL
  AND ($ano_de IS NULL OR ano >= $ano_de)
  AND ($ano_ate IS NULL OR ano <= $ano_ate)
GROUP BY ano, mes
ORDER BY ano, mes;

-- name: dimension_page
-- One page of an official dimension's codes ($dimension: uf, via, urf, ncm, sh6, sh4,
-- sh2, fator, cgce, cuci, bloco) over months de..ate of the reference year $ano, with
-- the same months of the year before. Blocs sum their countries ($bloco_pais and
-- $bloco_codigo list each country's blocs; a country counts in each). Every row carries
-- the scope's value, the value that has a code (coverage) and the number of codes; the
-- scope's row comes alone (codigo NULL) when the page is empty.
WITH linhas AS (
    SELECT CASE $dimension
               WHEN 'uf' THEN uf WHEN 'via' THEN via WHEN 'urf' THEN urf
               WHEN 'ncm' THEN ncm WHEN 'sh6' THEN left(ncm, 6)
               WHEN 'sh4' THEN left(ncm, 4) WHEN 'sh2' THEN left(ncm, 2)
               WHEN 'fator' THEN fator WHEN 'cgce' THEN cgce WHEN 'cuci' THEN cuci
               WHEN 'bloco' THEN pais
           END AS chave,
           CASE WHEN ano = $ano THEN usd END     AS usd,
           CASE WHEN ano = $ano THEN kg END      AS kg,
           CASE WHEN ano = $ano - 1 THEN usd END AS usd_anterior
    FROM fatos($files, [$ano, $ano - 1], $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm,
               $setor)
),
por_chave AS (
    SELECT chave, SUM(usd) AS usd, SUM(kg) AS kg, SUM(usd_anterior) AS usd_anterior
    FROM linhas
    GROUP BY chave
),
blocos AS (
    SELECT unnest($bloco_pais) AS pais, unnest($bloco_codigo) AS co_bloco
),
itens AS (
    SELECT chave AS codigo, usd, kg, usd_anterior
    FROM por_chave
    WHERE $dimension <> 'bloco' AND chave IS NOT NULL
      AND (COALESCE(usd, 0) <> 0 OR COALESCE(kg, 0) <> 0)
    UNION ALL
    SELECT b.co_bloco, SUM(c.usd), SUM(c.kg), SUM(c.usd_anterior)
    FROM por_chave c
    JOIN blocos b ON b.pais = c.chave
    WHERE $dimension = 'bloco'
    GROUP BY b.co_bloco
    HAVING COALESCE(SUM(c.usd), 0) <> 0 OR COALESCE(SUM(c.kg), 0) <> 0
),
escopo AS (
    SELECT SUM(usd) AS usd,
           SUM(usd) FILTER (
               WHERE CASE WHEN $dimension = 'bloco'
                          THEN chave IN (SELECT pais FROM blocos)
                          ELSE chave IS NOT NULL END
           ) AS usd_com_codigo,
           (SELECT count(*) FROM itens) AS itens
    FROM por_chave
),
pagina AS (
    SELECT * FROM itens ORDER BY usd DESC NULLS FIRST, codigo LIMIT $limit OFFSET $offset
)
SELECT g.codigo, g.usd, g.kg, g.usd_anterior,
       e.usd AS escopo_usd, e.usd_com_codigo, e.itens
FROM escopo e
LEFT JOIN pagina g ON true
ORDER BY g.usd DESC NULLS FIRST, g.codigo;

-- name: concentracao
-- The value of each destination country and each product heading (SH4) of the scope in
-- months de..ate of the reference year $ano, largest first: the HHI and top shares are
-- computed from them. Both sets come from one read of the facts (GROUPING SETS).
SELECT CASE WHEN GROUPING(pais) = 0 THEN 'pais' ELSE 'sh4' END AS dimensao,
       COALESCE(pais, sh4) AS codigo, SUM(usd) AS usd
FROM (
    SELECT pais, left(ncm, 4) AS sh4, usd
    FROM fatos($files, [$ano], $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm, $setor)
) AS linhas
GROUP BY GROUPING SETS ((pais), (sh4))
HAVING SUM(usd) > 0 AND (GROUPING(pais) = 0 OR sh4 IS NOT NULL)
ORDER BY dimensao, usd DESC, codigo;

-- name: variacao
-- The $limit biggest gains ('alta') and losses ('queda') in USD of one dimension between
-- months de..ate of the reference year $ano and the same months of the year before.
WITH valores AS (
    SELECT CASE $dimension
               WHEN 'pais' THEN pais WHEN 'setor' THEN setor
               WHEN 'uf' THEN uf WHEN 'via' THEN via WHEN 'urf' THEN urf
               WHEN 'ncm' THEN ncm WHEN 'sh6' THEN left(ncm, 6)
               WHEN 'sh4' THEN left(ncm, 4) WHEN 'sh2' THEN left(ncm, 2)
               WHEN 'fator' THEN fator WHEN 'cgce' THEN cgce WHEN 'cuci' THEN cuci
           END AS codigo,
           CASE WHEN ano = $ano THEN usd END     AS usd,
           CASE WHEN ano = $ano - 1 THEN usd END AS usd_anterior
    FROM fatos($files, [$ano, $ano - 1], $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm,
               $setor)
),
movimentos AS (
    SELECT codigo, COALESCE(SUM(usd), 0) AS usd, COALESCE(SUM(usd_anterior), 0) AS usd_anterior
    FROM valores
    WHERE codigo IS NOT NULL
    GROUP BY codigo
),
altas AS (
    SELECT 'alta' AS sentido, codigo, usd, usd_anterior, usd - usd_anterior AS diferenca
    FROM movimentos
    WHERE usd > usd_anterior
    ORDER BY usd - usd_anterior DESC, codigo
    LIMIT $limit
),
quedas AS (
    SELECT 'queda' AS sentido, codigo, usd, usd_anterior, usd - usd_anterior AS diferenca
    FROM movimentos
    WHERE usd < usd_anterior
    ORDER BY usd - usd_anterior, codigo
    LIMIT $limit
)
SELECT * FROM altas
UNION ALL
SELECT * FROM quedas
ORDER BY sentido, abs(diferenca) DESC, codigo;

-- name: totais_por_ano
-- Each year's value and weight in the files (the Dagster checks compare them with
-- staging's per-file aggregates and the summaries).
SELECT ano, SUM(usd) AS total_usd, SUM(kg) AS total_kg, SUM(registros) AS registros
FROM read_parquet($files)
GROUP BY ano
ORDER BY ano;

-- name: totais_por_pais
-- The value and weight of each country over every year (the check against
-- rpt.mv_resumo_pais).
SELECT pais, SUM(usd) AS total_usd, SUM(kg) AS total_kg
FROM read_parquet($files)
GROUP BY pais
ORDER BY pais;

-- name: totais_por_setor
-- The same by sector (the check against rpt.mv_resumo_setor).
SELECT setor, SUM(usd) AS total_usd, SUM(kg) AS total_kg
FROM read_parquet($files)
GROUP BY setor
ORDER BY setor;

-- name: empty_file
-- The snapshots' columns and no row: the file a query over years the data version does
-- not hold reads (bgc_core/snapshots.py writes the real ones).
SELECT NULL::SMALLINT AS ano, NULL::TINYINT AS mes, NULL::VARCHAR AS ncm, NULL::VARCHAR AS pais,
       NULL::VARCHAR AS uf, NULL::VARCHAR AS via, NULL::VARCHAR AS urf, NULL::VARCHAR AS unid,
       NULL::VARCHAR AS setor, NULL::VARCHAR AS fator, NULL::VARCHAR AS cgce,
       NULL::VARCHAR AS cuci, NULL::DECIMAL(18,2) AS usd, NULL::DECIMAL(18,3) AS kg,
       NULL::DECIMAL(18,3) AS qt, NULL::INTEGER AS registros
LIMIT 0;
