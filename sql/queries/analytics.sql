-- DuckDB queries of the API (bgc_api/analytics.py) over its local copies of the per-year
-- snapshots: every answer filtered beyond what the PostgreSQL views hold (a state, a
-- route, a customs unit, an NCM prefix, a bloc, a span of months, or two filters
-- together). Each API process turns each Parquet file it fetches into a DuckDB database of
-- its own (local_*, attached as `copia_nova` while it is built): the facts twice, in two
-- orders, their sums by fewer codes, and their monthly sums by each filter. Each query
-- returns exact sums (DECIMAL); shares, growth and unit values are computed from them in
-- Python (bgc_api/figures.py), as DuckDB divides decimals in DOUBLE. $tabelas are the
-- tables of the years the answer reads (`<copy>.fatos`, ...); every other value is a
-- parameter, NULL for no filter.

-- name: local_fatos
-- A year's facts as the Parquet file holds them, in its order (state, country, NCM,
-- month: the state and the country prune), with the NCM as an integer: grouping by a
-- heading or a chapter is an integer division, and a prefix a range (about half the time
-- of the same queries over strings, docs/benchmarks.md). Exports have no freight nor
-- insurance: both flows' copies share one shape, so every query reads either.
CREATE TABLE copia_nova.fatos AS
SELECT ano, mes, CAST(ncm AS INTEGER) AS ncm, pais, uf, via, urf, unid, setor, fator, cgce,
       cuci, usd, kg, qt, registros, CAST(0 AS DECIMAL(18,2)) AS frete,
       CAST(0 AS DECIMAL(18,2)) AS seguro
FROM read_parquet($parquet);

-- name: local_fatos_importacao
-- An import year's facts: the same, with the file's freight and insurance.
CREATE TABLE copia_nova.fatos AS
SELECT ano, mes, CAST(ncm AS INTEGER) AS ncm, pais, uf, via, urf, unid, setor, fator, cgce,
       cuci, usd, kg, qt, registros, frete, seguro
FROM read_parquet($parquet);

-- name: local_fatos_produto
-- The same facts by NCM first: what an answer filtered by a product (an NCM prefix, or a
-- sector, which follows the NCM) reads, as the NCM prunes there.
CREATE TABLE copia_nova.fatos_produto AS
SELECT * FROM copia_nova.fatos ORDER BY ncm, uf, pais, mes, via, urf, unid;

-- name: local_resumo
-- The year's facts summed by month, country and sector (the grain of PostgreSQL's
-- rpt.exportacao_mensal; every other code NULL): a few thousand rows a year instead of
-- about a million. An answer whose filters and grouping need no other code (the whole
-- history unfiltered, a country, a sector, a bloc) reads these sums: the same figures.
CREATE TABLE copia_nova.fatos_resumo AS
SELECT ano, mes, CAST(NULL AS INTEGER) AS ncm, pais, CAST(NULL AS VARCHAR) AS uf,
       CAST(NULL AS VARCHAR) AS via, CAST(NULL AS VARCHAR) AS urf,
       CAST(NULL AS VARCHAR) AS unid, setor, CAST(NULL AS VARCHAR) AS fator,
       CAST(NULL AS VARCHAR) AS cgce, CAST(NULL AS VARCHAR) AS cuci,
       CAST(SUM(usd) AS DECIMAL(18,2)) AS usd, CAST(SUM(kg) AS DECIMAL(18,3)) AS kg,
       CAST(SUM(qt) AS DECIMAL(18,3)) AS qt, CAST(SUM(registros) AS INTEGER) AS registros,
       CAST(SUM(frete) AS DECIMAL(18,2)) AS frete, CAST(SUM(seguro) AS DECIMAL(18,2)) AS seguro
FROM copia_nova.fatos
GROUP BY ano, mes, pais, setor
ORDER BY pais, setor, mes;

-- name: local_origem
-- The year's facts summed by month, state, country, route and sector (every other code
-- NULL): about a third of the rows, in the order of the facts by state and country. An
-- answer whose filters and grouping need no code but these (a state with a country, a
-- route, a bloc or a sector) reads these sums: the same figures from fewer blocks, which
-- is what a query pays for first in a copy DuckDB has not read yet (docs/benchmarks.md).
CREATE TABLE copia_nova.fatos_origem AS
SELECT ano, mes, CAST(NULL AS INTEGER) AS ncm, pais, uf, via, CAST(NULL AS VARCHAR) AS urf,
       CAST(NULL AS VARCHAR) AS unid, setor, CAST(NULL AS VARCHAR) AS fator,
       CAST(NULL AS VARCHAR) AS cgce, CAST(NULL AS VARCHAR) AS cuci,
       CAST(SUM(usd) AS DECIMAL(18,2)) AS usd, CAST(SUM(kg) AS DECIMAL(18,3)) AS kg,
       CAST(SUM(qt) AS DECIMAL(18,3)) AS qt, CAST(SUM(registros) AS INTEGER) AS registros,
       CAST(SUM(frete) AS DECIMAL(18,2)) AS frete, CAST(SUM(seguro) AS DECIMAL(18,2)) AS seguro
FROM copia_nova.fatos
GROUP BY ano, mes, uf, pais, via, setor
ORDER BY uf, pais, via, setor, mes;

-- name: local_ncm
-- The year's facts summed by month, NCM and route (the NCM's unit, sector and
-- classifications follow it; state, country and customs unit NULL): about a quarter of
-- the rows, by NCM first. An answer whose codes are a product at any level, a route or a
-- sector (the headings a route carries, imports' products ranked over a year) reads
-- these sums.
CREATE TABLE copia_nova.fatos_ncm AS
SELECT ano, mes, ncm, CAST(NULL AS VARCHAR) AS pais, CAST(NULL AS VARCHAR) AS uf, via,
       CAST(NULL AS VARCHAR) AS urf, unid, setor, fator, cgce, cuci,
       CAST(SUM(usd) AS DECIMAL(18,2)) AS usd, CAST(SUM(kg) AS DECIMAL(18,3)) AS kg,
       CAST(SUM(qt) AS DECIMAL(18,3)) AS qt, CAST(SUM(registros) AS INTEGER) AS registros,
       CAST(SUM(frete) AS DECIMAL(18,2)) AS frete, CAST(SUM(seguro) AS DECIMAL(18,2)) AS seguro
FROM copia_nova.fatos
GROUP BY ano, mes, ncm, via, unid, setor, fator, cgce, cuci
ORDER BY ncm, via, mes;

-- name: local_mensal
-- The year's monthly sums by each code of each filter alone: a series with one filter
-- over every year reads a few rows a year instead of every fact (annual figures, with no
-- month, are not in a series).
CREATE TABLE copia_nova.mensal AS
SELECT dimensao, COALESCE(codigo_nivel(chave_ncm, digitos_de(dimensao)), chave) AS codigo,
       ano, mes, usd, kg
FROM (
    SELECT d.dimensao, nivel_ncm(ncm, digitos_de(d.dimensao)) AS chave_ncm,
           CASE d.dimensao WHEN 'uf' THEN uf WHEN 'via' THEN via WHEN 'urf' THEN urf
                           WHEN 'pais' THEN pais END AS chave,
           ano, mes, SUM(usd) AS usd, SUM(kg) AS kg
    FROM copia_nova.fatos
    CROSS JOIN (VALUES ('uf'), ('via'), ('urf'), ('pais'), ('ncm'), ('sh6'), ('sh4'), ('sh2'))
        AS d (dimensao)
    WHERE mes IS NOT NULL
    GROUP BY ALL
) AS somas
WHERE chave_ncm IS NOT NULL OR chave IS NOT NULL
ORDER BY dimensao, codigo, mes;

-- name: local_check
-- What a local copy holds, against what the database says of its file: the rows and
-- value of both orders, and the value of the sums (DuckDB checks the checksum of each
-- block it reads; a block found damaged later fails its query, and the copy is built
-- again).
SELECT (SELECT count(*) FROM fatos)         AS linhas,
       (SELECT SUM(usd) FROM fatos)         AS usd,
       (SELECT count(*) FROM fatos_produto) AS linhas_produto,
       (SELECT SUM(usd) FROM fatos_produto) AS usd_produto,
       (SELECT count(*) FROM mensal)        AS sums,
       (SELECT SUM(usd) FROM fatos_resumo)  AS usd_resumo,
       (SELECT SUM(usd) FROM fatos_origem)  AS usd_origem,
       (SELECT SUM(usd) FROM fatos_ncm)     AS usd_ncm;

-- name: macros
-- The NCMs (integers of up to 8 digits) cut to their first `digitos` digits (8, 6, 4 or 2:
-- the NCM, the HS subheading, heading or chapter), and such a cut as the code it is
-- (zero-padded text). `digitos_de` gives the digits of a dimension (NULL: not a product
-- level).
CREATE OR REPLACE MACRO nivel_ncm(ncm, digitos) AS ncm // CAST(10 ** (8 - digitos) AS INTEGER);
CREATE OR REPLACE MACRO codigo_nivel(n, digitos) AS lpad(CAST(n AS VARCHAR), digitos, '0');
CREATE OR REPLACE MACRO digitos_de(dimensao) AS
    CASE dimensao WHEN 'ncm' THEN 8 WHEN 'sh6' THEN 6 WHEN 'sh4' THEN 4 WHEN 'sh2' THEN 2 END;

-- The facts of a scope: the years given (NULL: all of $tabelas), the months de..ate of
-- each (annual figures count as December), and each filter given. An NCM prefix is the
-- range `ncm_de`..`ncm_ate`, `f_paises` the countries of a bloc. The filters reach the
-- table scans, which skip row groups by their statistics.
CREATE OR REPLACE MACRO fatos(tabelas, anos, de, ate, f_pais, f_paises, f_uf, f_via, f_urf,
                              ncm_de, ncm_ate, f_setor) AS TABLE
SELECT *
FROM query_table(tabelas)
WHERE (anos IS NULL OR list_contains(anos, ano))
  AND (de IS NULL OR COALESCE(mes, 12) >= de)
  AND (ate IS NULL OR COALESCE(mes, 12) <= ate)
  AND (f_pais IS NULL OR pais = f_pais)
  AND (f_paises IS NULL OR list_contains(f_paises, pais))
  AND (f_uf IS NULL OR uf = f_uf)
  AND (f_via IS NULL OR via = f_via)
  AND (f_urf IS NULL OR urf = f_urf)
  AND (ncm_de IS NULL OR ncm BETWEEN ncm_de AND ncm_ate)
  AND (f_setor IS NULL OR setor = f_setor);

-- name: empty_tables
-- The local tables with no row (in memory): what a query over years the data version
-- does not hold reads.
CREATE TABLE vazio AS
SELECT NULL::SMALLINT AS ano, NULL::TINYINT AS mes, NULL::INTEGER AS ncm, NULL::VARCHAR AS pais,
       NULL::VARCHAR AS uf, NULL::VARCHAR AS via, NULL::VARCHAR AS urf, NULL::VARCHAR AS unid,
       NULL::VARCHAR AS setor, NULL::VARCHAR AS fator, NULL::VARCHAR AS cgce,
       NULL::VARCHAR AS cuci, NULL::DECIMAL(18,2) AS usd, NULL::DECIMAL(18,3) AS kg,
       NULL::DECIMAL(18,3) AS qt, NULL::INTEGER AS registros, NULL::DECIMAL(18,2) AS frete,
       NULL::DECIMAL(18,2) AS seguro
LIMIT 0;
CREATE TABLE vazio_mensal AS
SELECT NULL::VARCHAR AS dimensao, NULL::VARCHAR AS codigo, NULL::SMALLINT AS ano,
       NULL::TINYINT AS mes, NULL::DECIMAL(38,2) AS usd, NULL::DECIMAL(38,3) AS kg
LIMIT 0;

-- name: resumo
-- Totals of the scope: value, weight, countries, sectors and years present (and the
-- freight and insurance of imports: zero in exports' copies).
SELECT COALESCE(SUM(usd), 0)::DECIMAL(18,2)             AS total_usd,
       COALESCE(SUM(kg), 0)::DECIMAL(18,3)              AS total_kg,
       COALESCE(SUM(frete), 0)::DECIMAL(18,2)           AS total_frete,
       COALESCE(SUM(seguro), 0)::DECIMAL(18,2)          AS total_seguro,
       COUNT(DISTINCT pais)::INT                        AS paises_count,
       COUNT(DISTINCT setor)::INT                       AS setores_count,
       COALESCE(list(DISTINCT ano ORDER BY ano), [])    AS anos
FROM fatos($tabelas, $anos, $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm_de,
           $ncm_ate, $setor);

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
           ano, COALESCE(mes, 12) AS mes, SUM(usd) AS usd, SUM(kg) AS kg, SUM(frete) AS frete,
           SUM(seguro) AS seguro
    FROM fatos($tabelas, $anos, $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm_de,
           $ncm_ate, $setor)
    GROUP BY ALL
),
referencia AS (
    SELECT r.ano, (SELECT max(m.mes) FROM por_mes m WHERE m.ano = r.ano) AS mes
    FROM (SELECT COALESCE(CAST($ano AS INT), (SELECT max(ano) FROM por_mes)) AS ano) AS r
),
itens AS (
    SELECT name, SUM(usd) AS usd, SUM(kg) AS kg, SUM(frete) AS frete, SUM(seguro) AS seguro,
           list(DISTINCT ano ORDER BY ano) AS anos
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
SELECT i.name, i.usd, i.kg, i.frete, i.seguro, i.anos, c.atual, c.anterior,
       SUM(i.usd) OVER () AS escopo_usd, COUNT(*) OVER () AS total
FROM itens i
LEFT JOIN crescimento c USING (name)
ORDER BY i.usd DESC NULLS FIRST, i.name
LIMIT $limit OFFSET $offset;

-- name: ranking_count
-- How many countries or sectors the scope holds, for a page past the end.
SELECT COUNT(DISTINCT CASE WHEN $dimension = 'pais' THEN pais ELSE setor END)
FROM fatos($tabelas, $anos, $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm_de,
           $ncm_ate, $setor);

-- name: serie
-- The monthly series of the scope between $ano_de and $ano_ate (annual figures, with no
-- month, are not in a series).
SELECT ano, mes, SUM(usd)::DECIMAL(18,2) AS total_usd, SUM(kg)::DECIMAL(18,3) AS total_kg
FROM fatos($tabelas, NULL, $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm_de,
           $ncm_ate, $setor)
WHERE mes IS NOT NULL
  AND ($ano_de IS NULL OR ano >= $ano_de)
  AND ($ano_ate IS NULL OR ano <= $ano_ate)
GROUP BY ano, mes
ORDER BY ano, mes;

-- name: serie_mensal
-- The same series for a scope of one filter ($dimensao, with any of the codes $codigos:
-- one, or the countries of a bloc), from the copies' monthly sums. The codes' range lets
-- the scan skip row groups (the sums are sorted by dimension and code).
SELECT ano, mes, SUM(usd)::DECIMAL(18,2) AS total_usd, SUM(kg)::DECIMAL(18,3) AS total_kg
FROM query_table($tabelas)
WHERE dimensao = $dimensao
  AND codigo BETWEEN list_min($codigos) AND list_max($codigos)
  AND list_contains($codigos, codigo)
  AND ($de IS NULL OR mes >= $de)
  AND ($ate IS NULL OR mes <= $ate)
  AND ($ano_de IS NULL OR ano >= $ano_de)
  AND ($ano_ate IS NULL OR ano <= $ano_ate)
GROUP BY ano, mes
ORDER BY ano, mes;

-- name: dimension_page
-- One page of an official dimension's codes ($dimension: uf, via, urf, ncm, sh6, sh4,
-- sh2, fator, cgce, cuci, bloco; pais, by name, for the balance's ranking) over months de..ate of the reference year $ano, with
-- the same months of the year before. Blocs sum their countries ($bloco_pais and
-- $bloco_codigo list each country's blocs; a country counts in each). Every row carries
-- the scope's value, the value that has a code (coverage) and the number of codes; the
-- scope's row comes alone (codigo NULL) when the page is empty.
WITH linhas AS (
    SELECT nivel_ncm(ncm, digitos_de($dimension)) AS chave_ncm,
           CASE $dimension
               WHEN 'uf' THEN uf WHEN 'via' THEN via WHEN 'urf' THEN urf
               WHEN 'fator' THEN fator WHEN 'cgce' THEN cgce WHEN 'cuci' THEN cuci
               WHEN 'bloco' THEN pais WHEN 'pais' THEN pais
           END AS chave_texto,
           CASE WHEN ano = $ano THEN usd END     AS usd,
           CASE WHEN ano = $ano THEN kg END      AS kg,
           CASE WHEN ano = $ano THEN frete END   AS frete,
           CASE WHEN ano = $ano THEN seguro END  AS seguro,
           CASE WHEN ano = $ano - 1 THEN usd END AS usd_anterior
    FROM fatos($tabelas, [$ano, $ano - 1], $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm_de,
               $ncm_ate, $setor)
),
por_chave AS (
    SELECT COALESCE(codigo_nivel(chave_ncm, digitos_de($dimension)), chave_texto) AS chave,
           usd, kg, frete, seguro, usd_anterior
    FROM (
        SELECT chave_ncm, chave_texto, SUM(usd) AS usd, SUM(kg) AS kg, SUM(frete) AS frete,
               SUM(seguro) AS seguro, SUM(usd_anterior) AS usd_anterior
        FROM linhas
        GROUP BY chave_ncm, chave_texto
    ) AS somas
),
blocos AS (
    SELECT unnest($bloco_pais) AS pais, unnest($bloco_codigo) AS co_bloco
),
itens AS (
    SELECT chave AS codigo, usd, kg, frete, seguro, usd_anterior
    FROM por_chave
    WHERE $dimension <> 'bloco' AND chave IS NOT NULL
      AND (COALESCE(usd, 0) <> 0 OR COALESCE(kg, 0) <> 0)
    UNION ALL
    SELECT b.co_bloco, SUM(c.usd), SUM(c.kg), SUM(c.frete), SUM(c.seguro), SUM(c.usd_anterior)
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
SELECT g.codigo, g.usd, g.kg, g.frete, g.seguro, g.usd_anterior,
       e.usd AS escopo_usd, e.usd_com_codigo, e.itens
FROM escopo e
LEFT JOIN pagina g ON true
ORDER BY g.usd DESC NULLS FIRST, g.codigo;

-- name: balanca_ranking
-- The codes of one dimension ($dimension: pais (by name), uf, ncm, sh4) with their
-- exports ($exportacao's tables) and imports ($importacao's) over months de..ate of the
-- year $ano, one page ranked by balance (exports minus imports) or, with $ordem =
-- 'corrente', by trade flow (their sum); `total` counts every code, and comes alone
-- (codigo NULL) when the page is past the end. One read of each flow's facts: the two
-- sides meet in DuckDB, not in the API.
WITH lados AS (
    SELECT 1 AS lado, nivel_ncm(ncm, digitos_de($dimension)) AS chave_ncm,
           CASE $dimension WHEN 'uf' THEN uf WHEN 'pais' THEN pais END AS chave_texto, usd, kg
    FROM fatos($exportacao, [$ano], $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm_de,
               $ncm_ate, $setor)
    UNION ALL
    SELECT 2, nivel_ncm(ncm, digitos_de($dimension)),
           CASE $dimension WHEN 'uf' THEN uf WHEN 'pais' THEN pais END, usd, kg
    FROM fatos($importacao, [$ano], $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm_de,
               $ncm_ate, $setor)
),
por_lado AS (
    SELECT lado, chave_ncm, chave_texto, SUM(usd) AS usd, SUM(kg) AS kg
    FROM lados
    GROUP BY lado, chave_ncm, chave_texto
),
por_codigo AS (
    SELECT COALESCE(codigo_nivel(chave_ncm, digitos_de($dimension)), chave_texto) AS codigo,
           COALESCE(SUM(usd) FILTER (WHERE lado = 1), 0) AS exportacao,
           COALESCE(SUM(usd) FILTER (WHERE lado = 2), 0) AS importacao
    FROM por_lado
    GROUP BY 1
    HAVING COALESCE(SUM(usd), 0) <> 0 OR COALESCE(SUM(kg), 0) <> 0
),
codigos AS MATERIALIZED (
    SELECT codigo, exportacao, importacao, exportacao - importacao AS saldo,
           exportacao + importacao AS corrente,
           CASE WHEN $ordem = 'corrente' THEN exportacao + importacao
                ELSE exportacao - importacao END AS ordem
    FROM por_codigo
    WHERE codigo IS NOT NULL
),
pagina AS (
    SELECT * FROM codigos ORDER BY ordem DESC, codigo LIMIT $limit OFFSET $offset
)
SELECT p.codigo, p.exportacao, p.importacao, p.saldo, p.corrente,
       (SELECT count(*) FROM codigos) AS total
FROM (SELECT 1) AS escopo
LEFT JOIN pagina p ON true
ORDER BY p.ordem DESC, p.codigo;

-- name: concentracao
-- The value of each destination country and each product heading (SH4) of the scope in
-- months de..ate of the reference year $ano, largest first: the HHI and top shares are
-- computed from them. Both sets come from one read of the facts (GROUPING SETS).
SELECT CASE WHEN GROUPING(pais) = 0 THEN 'pais' ELSE 'sh4' END AS dimensao,
       COALESCE(pais, codigo_nivel(sh4, 4)) AS codigo, SUM(usd) AS usd
FROM (
    SELECT pais, nivel_ncm(ncm, 4) AS sh4, usd
    FROM fatos($tabelas, [$ano], $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm_de,
           $ncm_ate, $setor)
) AS linhas
GROUP BY GROUPING SETS ((pais), (sh4))
HAVING SUM(usd) > 0 AND (GROUPING(pais) = 0 OR sh4 IS NOT NULL)
ORDER BY dimensao, usd DESC, codigo;

-- name: variacao
-- The $limit biggest gains ('alta') and losses ('queda') in USD of one dimension between
-- months de..ate of the reference year $ano and the same months of the year before.
WITH valores AS (
    SELECT nivel_ncm(ncm, digitos_de($dimension)) AS chave_ncm,
           CASE $dimension
               WHEN 'pais' THEN pais WHEN 'setor' THEN setor
               WHEN 'uf' THEN uf WHEN 'via' THEN via WHEN 'urf' THEN urf
               WHEN 'fator' THEN fator WHEN 'cgce' THEN cgce WHEN 'cuci' THEN cuci
           END AS chave_texto,
           CASE WHEN ano = $ano THEN usd END     AS usd,
           CASE WHEN ano = $ano - 1 THEN usd END AS usd_anterior
    FROM fatos($tabelas, [$ano, $ano - 1], $de, $ate, $pais, $paises, $uf, $via, $urf, $ncm_de,
               $ncm_ate, $setor)
),
movimentos AS (
    SELECT COALESCE(codigo_nivel(chave_ncm, digitos_de($dimension)), chave_texto) AS codigo,
           COALESCE(SUM(usd), 0) AS usd, COALESCE(SUM(usd_anterior), 0) AS usd_anterior
    FROM valores
    WHERE chave_ncm IS NOT NULL OR chave_texto IS NOT NULL
    GROUP BY chave_ncm, chave_texto
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

-- name: general_fatos
-- The facts the general query reads when no level of the classifications is asked.
SELECT * FROM query_table($tabelas)

-- name: general_fatos_niveis
-- The facts with each NCM's levels of the classifications (memory.main.niveis, loaded
-- from rpt.ncm_niveis): what the general query reads when a level is a detail or a filter.
SELECT f.*, n.secao, n.cgce_n2, n.cgce_n3, n.cuci_cap, n.cuci_pos, n.cuci_sub, n.cuci_item,
       n.isic_divisao, n.isic_grupo, n.isic_classe
FROM query_table($tabelas) f
LEFT JOIN memory.main.niveis n ON n.ncm = f.ncm

-- name: general
-- The Comex Stat API's general query (bgc_api/comexstat.py): the facts of $tabelas in the
-- years $anos and months $de..$ate of each (annual figures count as December), with each
-- filter's list of codes (NULL: no filter), summed by year, by month with $por_mes, and
-- by each detail whose $d_* is true (the others stay NULL, one value). Where a level of
-- the classifications is asked, bgc_api/analytics.py puts general_fatos_niveis in place
-- of general_fatos and adds the general_niveis_* parts (filters, columns, order); else
-- they are left out: ten more NULL columns to filter and group cost a quarter of the
-- median answer (docs/benchmarks.md). A country counts in each of its blocs
-- ($bloco_pais, $bloco_codigo) when the bloc is a detail. At most $limite rows come
-- back, largest value first within each year and month.
WITH fatos_lidos AS (
    {fatos}
),
pedidos AS (
    SELECT *
    FROM fatos_lidos f
    WHERE list_contains($anos, f.ano)
      AND COALESCE(f.mes, 12) BETWEEN $de AND $ate
      -- each list's bounds too: a range is what lets the scans skip row groups
      AND ($f_pais IS NULL OR f.pais BETWEEN list_min($f_pais) AND list_max($f_pais))
      AND ($f_uf IS NULL OR f.uf BETWEEN list_min($f_uf) AND list_max($f_uf))
      AND ($f_ncm IS NULL OR f.ncm BETWEEN list_min($f_ncm) AND list_max($f_ncm))
      AND ($f_sh6 IS NULL OR f.ncm BETWEEN list_min($f_sh6) * 100
                                       AND list_max($f_sh6) * 100 + 99)
      AND ($f_sh4 IS NULL OR f.ncm BETWEEN list_min($f_sh4) * 10000
                                       AND list_max($f_sh4) * 10000 + 9999)
      AND ($f_sh2 IS NULL OR f.ncm BETWEEN list_min($f_sh2) * 1000000
                                       AND list_max($f_sh2) * 1000000 + 999999)
      AND ($f_pais IS NULL OR list_contains($f_pais, f.pais))
      AND ($f_uf IS NULL OR list_contains($f_uf, f.uf))
      AND ($f_via IS NULL OR list_contains($f_via, f.via))
      AND ($f_urf IS NULL OR list_contains($f_urf, f.urf))
      AND ($f_ncm IS NULL OR list_contains($f_ncm, f.ncm))
      AND ($f_sh6 IS NULL OR list_contains($f_sh6, f.ncm // 100))
      AND ($f_sh4 IS NULL OR list_contains($f_sh4, f.ncm // 10000))
      AND ($f_sh2 IS NULL OR list_contains($f_sh2, f.ncm // 1000000))
      AND ($f_cgce IS NULL OR list_contains($f_cgce, f.cgce))
      AND ($f_cuci IS NULL OR list_contains($f_cuci, f.cuci))
      AND ($f_setor IS NULL OR list_contains($f_setor, f.setor))
      {niveis_filtros}
),
blocos AS (
    SELECT unnest($bloco_pais) AS pais, unnest($bloco_codigo) AS bloco
)
SELECT f.ano,
       CASE WHEN $por_mes THEN COALESCE(f.mes, 12) END AS mes,
       CASE WHEN $d_pais THEN f.pais END                AS pais,
       CASE WHEN $d_bloco THEN b.bloco END              AS bloco,
       CASE WHEN $d_uf THEN f.uf END                    AS uf,
       CASE WHEN $d_via THEN f.via END                  AS via,
       CASE WHEN $d_urf THEN f.urf END                  AS urf,
       CASE WHEN $d_ncm THEN f.ncm END                  AS ncm,
       CASE WHEN $d_sh6 THEN f.ncm // 100 END           AS sh6,
       CASE WHEN $d_sh4 THEN f.ncm // 10000 END         AS sh4,
       CASE WHEN $d_sh2 THEN f.ncm // 1000000 END       AS sh2,
       CASE WHEN $d_cgce THEN f.cgce END                AS cgce,
       CASE WHEN $d_cuci THEN f.cuci END                AS cuci,
       CASE WHEN $d_setor THEN f.setor END              AS setor,
       {niveis_colunas}
       SUM(f.usd) AS usd, SUM(f.kg) AS kg, SUM(f.qt) AS qt, SUM(f.frete) AS frete,
       SUM(f.seguro) AS seguro
FROM pedidos f
LEFT JOIN blocos b ON $d_bloco AND b.pais = f.pais
WHERE NOT $d_bloco OR b.bloco IS NOT NULL
GROUP BY ALL
ORDER BY ano, mes, usd DESC, pais, bloco, uf, via, urf, ncm, sh6, sh4, sh2, cgce, cuci, setor
         {niveis_ordem}
LIMIT $limite;

-- name: general_niveis_filtros
-- The general query's filters on the levels of the classifications.
AND ($f_secao IS NULL OR list_contains($f_secao, f.secao))
      AND ($f_cgce_n2 IS NULL OR list_contains($f_cgce_n2, f.cgce_n2))
      AND ($f_cgce_n3 IS NULL OR list_contains($f_cgce_n3, f.cgce_n3))
      AND ($f_cuci_cap IS NULL OR list_contains($f_cuci_cap, f.cuci_cap))
      AND ($f_cuci_pos IS NULL OR list_contains($f_cuci_pos, f.cuci_pos))
      AND ($f_cuci_sub IS NULL OR list_contains($f_cuci_sub, f.cuci_sub))
      AND ($f_cuci_item IS NULL OR list_contains($f_cuci_item, f.cuci_item))
      AND ($f_isic_divisao IS NULL OR list_contains($f_isic_divisao, f.isic_divisao))
      AND ($f_isic_grupo IS NULL OR list_contains($f_isic_grupo, f.isic_grupo))
      AND ($f_isic_classe IS NULL OR list_contains($f_isic_classe, f.isic_classe))

-- name: general_niveis_colunas
-- The general query's keys of the levels of the classifications.
CASE WHEN $d_secao THEN f.secao END              AS secao,
CASE WHEN $d_cgce_n2 THEN f.cgce_n2 END          AS cgce_n2,
CASE WHEN $d_cgce_n3 THEN f.cgce_n3 END          AS cgce_n3,
CASE WHEN $d_cuci_cap THEN f.cuci_cap END        AS cuci_cap,
CASE WHEN $d_cuci_pos THEN f.cuci_pos END        AS cuci_pos,
CASE WHEN $d_cuci_sub THEN f.cuci_sub END        AS cuci_sub,
CASE WHEN $d_cuci_item THEN f.cuci_item END      AS cuci_item,
CASE WHEN $d_isic_divisao THEN f.isic_divisao END AS isic_divisao,
CASE WHEN $d_isic_grupo THEN f.isic_grupo END    AS isic_grupo,
CASE WHEN $d_isic_classe THEN f.isic_classe END  AS isic_classe,

-- name: general_niveis_ordem
-- The general query's order on those keys.
, secao, cgce_n2, cgce_n3, cuci_cap, cuci_pos, cuci_sub, cuci_item, isic_divisao, isic_grupo,
isic_classe

-- name: niveis
-- Every NCM's levels of the classifications (rpt.ncm_niveis), in memory: what the
-- general query joins when a detail or a filter is a level the facts do not hold.
CREATE OR REPLACE TABLE memory.main.niveis AS
SELECT unnest($ncm) AS ncm, unnest($secao) AS secao, unnest($cgce_n2) AS cgce_n2,
       unnest($cgce_n3) AS cgce_n3, unnest($cuci_cap) AS cuci_cap,
       unnest($cuci_pos) AS cuci_pos, unnest($cuci_sub) AS cuci_sub,
       unnest($cuci_item) AS cuci_item, unnest($isic_divisao) AS isic_divisao,
       unnest($isic_grupo) AS isic_grupo, unnest($isic_classe) AS isic_classe;
