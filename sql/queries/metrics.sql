-- Read queries of the API in PostgreSQL: the rpt views, the code tables and the
-- snapshots' list. Every value is a bind parameter (NULL = no filter). Growth compares
-- the reference year (the `ano` filter, else the latest year) with the year before over
-- the same months, as Comex Stat does when the latest year is partial. Scopes filtered
-- beyond what a view holds are answered from the Parquet snapshots
-- (sql/queries/analytics.sql).

-- name: version
-- The latest refresh of any report relation (recorded by every refresh).
SELECT max(updated_at) AS updated_at FROM rpt.atualizacoes;

-- name: data_through
-- The latest year and its latest month (NULL: annual figures only), each one step down
-- the (ano, mes, ...) index: every answer reads it in its snapshot.
SELECT y.ano,
       (SELECT m.mes FROM rpt.mv_exportacao_mensal m
        WHERE m.ano = y.ano AND m.mes IS NOT NULL
        ORDER BY m.mes DESC LIMIT 1) AS mes
FROM (SELECT max(ano) AS ano FROM rpt.mv_exportacao_mensal) AS y
WHERE y.ano IS NOT NULL;

-- name: resumo
-- Unfiltered: the one row of mv_resumo_geral (no scan of the years). Filtered by year,
-- country or sector: the yearly rollup through its indexes (ano; pais, ano; setor, ano).
-- Constant guards: the driver sends literals, so the planner drops the branch that does
-- not apply.
SELECT total_usd, total_kg, paises_count, setores_count, anos
FROM rpt.mv_resumo_geral
WHERE CAST(:ano AS INT) IS NULL AND CAST(:setor AS TEXT) IS NULL AND CAST(:pais AS TEXT) IS NULL
UNION ALL
SELECT COALESCE(SUM(total_usd), 0)::DECIMAL(18,2) AS total_usd,
       COALESCE(SUM(total_kg), 0)::DECIMAL(18,3)  AS total_kg,
       COUNT(DISTINCT pais)::INT                  AS paises_count,
       COUNT(DISTINCT setor)::INT                 AS setores_count,
       COALESCE(ARRAY_AGG(DISTINCT ano ORDER BY ano), '{}')::INT[] AS anos
FROM rpt.mv_exportacao_anual
WHERE NOT (CAST(:ano AS INT) IS NULL AND CAST(:setor AS TEXT) IS NULL
           AND CAST(:pais AS TEXT) IS NULL)
  AND (CAST(:ano AS INT) IS NULL OR ano = CAST(:ano AS INT))
  AND (CAST(:setor AS TEXT) IS NULL OR setor = CAST(:setor AS TEXT))
  AND (CAST(:pais AS TEXT) IS NULL OR pais = CAST(:pais AS TEXT))
HAVING NOT (CAST(:ano AS INT) IS NULL AND CAST(:setor AS TEXT) IS NULL
            AND CAST(:pais AS TEXT) IS NULL);

-- name: conferencia
-- Per year present, the reconciliation of its official yearly file with MDIC's totals;
-- a year without one is pending.
SELECT y.ano, COALESCE(c.status, 'pendente') AS status, c.arquivo,
       CASE WHEN c.status = 'divergente' THEN c.diferenca_linhas END AS diferenca_registros,
       CASE WHEN c.status = 'divergente' THEN c.diferenca_usd END AS diferenca_usd,
       CASE WHEN c.status = 'divergente' THEN c.diferenca_kg END AS diferenca_kg
FROM unnest((SELECT anos FROM rpt.mv_resumo_geral)) AS y (ano)
LEFT JOIN rpt.conferencia_mdic c ON c.ano_arquivo = y.ano
ORDER BY y.ano;

-- name: ranking
-- Items of one dimension (:dimension = 'pais' or 'setor') ordered by value. Sized for
-- the history: unfiltered, the items come from mv_resumo_pais or mv_resumo_setor;
-- filtered by year, country or sector, from the yearly rollup through its indexes. The growth
-- reads the reference year and the year before only, through the same month of each
-- (the latest month of the filtered scope in the reference year), with usd_ate_mes.
-- Each item carries its code and name (in English with :lang = 'en').
WITH filtered AS NOT MATERIALIZED (
    SELECT CASE WHEN CAST(:dimension AS TEXT) = 'pais' THEN pais ELSE setor END AS name,
           ano, mes_max, total_usd, total_kg, usd_ate_mes
    FROM rpt.mv_exportacao_anual
    WHERE (CAST(:setor AS TEXT) IS NULL OR setor = CAST(:setor AS TEXT))
      AND (CAST(:pais AS TEXT) IS NULL OR pais = CAST(:pais AS TEXT))
),
reference AS MATERIALIZED (
    SELECT y.ano, (SELECT max(f.mes_max) FROM filtered f WHERE f.ano = y.ano) AS mes
    FROM (SELECT COALESCE(CAST(:ano AS INT), (SELECT max(ano) FROM filtered)) AS ano) AS y
),
items AS (
    SELECT pais AS name, total_usd AS usd, total_kg AS kg, anos
    FROM rpt.mv_resumo_pais
    WHERE CAST(:dimension AS TEXT) = 'pais' AND CAST(:ano AS INT) IS NULL
      AND CAST(:setor AS TEXT) IS NULL AND CAST(:pais AS TEXT) IS NULL
    UNION ALL
    SELECT setor, total_usd, total_kg, anos
    FROM rpt.mv_resumo_setor
    WHERE CAST(:dimension AS TEXT) = 'setor' AND CAST(:ano AS INT) IS NULL
      AND CAST(:setor AS TEXT) IS NULL AND CAST(:pais AS TEXT) IS NULL
    UNION ALL
    SELECT name, SUM(total_usd), SUM(total_kg), ARRAY_AGG(DISTINCT ano ORDER BY ano)
    FROM filtered
    WHERE NOT (CAST(:ano AS INT) IS NULL AND CAST(:setor AS TEXT) IS NULL
               AND CAST(:pais AS TEXT) IS NULL)
      AND (CAST(:ano AS INT) IS NULL OR ano = CAST(:ano AS INT))
    GROUP BY name
),
growth AS (
    SELECT name,
           SUM(usd_ate_mes[(SELECT mes FROM reference)])
               FILTER (WHERE f.ano = (SELECT ano FROM reference))     AS current_usd,
           SUM(usd_ate_mes[(SELECT mes FROM reference)])
               FILTER (WHERE f.ano = (SELECT ano FROM reference) - 1) AS previous_usd
    FROM filtered f
    WHERE f.ano IN ((SELECT ano FROM reference), (SELECT ano FROM reference) - 1)
    GROUP BY name
),
page AS (
    SELECT i.name                                                   AS name,
           i.usd::DECIMAL(18,2)                                     AS total_usd,
           i.kg::DECIMAL(18,3)                                      AS total_kg,
           ROUND(100 * i.usd / NULLIF(SUM(i.usd) OVER (), 0), 2)    AS participacao_pct,
           i.anos                                                   AS anos,
           ROUND(100 * (g.current_usd - g.previous_usd) / NULLIF(g.previous_usd, 0), 2)
                                                                    AS variacao_pct,
           ROUND(i.usd / NULLIF(i.kg, 0), 4)                        AS usd_por_kg,
           COUNT(*) OVER ()                                         AS total
    FROM items i
    LEFT JOIN growth g USING (name)
    ORDER BY i.usd DESC, i.name
    LIMIT :limit OFFSET :offset
)
SELECT p.*,
       COALESCE(pc.co_pais, sc.codigo)                                      AS codigo,
       COALESCE(CASE WHEN CAST(:lang AS TEXT) = 'en' THEN n.nome_ing END, p.name) AS nome
FROM page p
LEFT JOIN rpt.pais_codigos pc ON CAST(:dimension AS TEXT) = 'pais' AND pc.pais = p.name
LEFT JOIN rpt.nomes n ON n.dimensao = 'pais' AND n.codigo = pc.co_pais
LEFT JOIN (SELECT setor, min(codigo) AS codigo FROM rpt.setor_codigos GROUP BY setor) sc
       ON CAST(:dimension AS TEXT) = 'setor' AND sc.setor = p.name
ORDER BY p.total_usd DESC, p.name;

-- name: ranking_count
-- How many items match, for a page past the end.
SELECT COUNT(DISTINCT CASE WHEN CAST(:dimension AS TEXT) = 'pais' THEN pais ELSE setor END)
FROM rpt.mv_exportacao_mensal
WHERE (CAST(:ano AS INT) IS NULL OR ano = CAST(:ano AS INT))
  AND (CAST(:setor AS TEXT) IS NULL OR setor = CAST(:setor AS TEXT))
  AND (CAST(:pais AS TEXT) IS NULL OR pais = CAST(:pais AS TEXT));

-- name: serie
-- From mv_serie_mensal ('' = all countries or all sectors); with both a country and a
-- sector, from the base aggregate through its country index.
SELECT ano, mes, total_usd, total_kg
FROM rpt.mv_serie_mensal
WHERE mes IS NOT NULL
  AND NOT (CAST(:pais AS TEXT) IS NOT NULL AND CAST(:setor AS TEXT) IS NOT NULL)
  AND pais = COALESCE(CAST(:pais AS TEXT), '')
  AND setor = COALESCE(CAST(:setor AS TEXT), '')
  AND (CAST(:ano_de AS INT) IS NULL OR ano >= CAST(:ano_de AS INT))
  AND (CAST(:ano_ate AS INT) IS NULL OR ano <= CAST(:ano_ate AS INT))
  AND mes BETWEEN COALESCE(CAST(:mes_de AS INT), 1) AND COALESCE(CAST(:mes_ate AS INT), 12)
UNION ALL
SELECT ano, mes,
       SUM(total_usd)::DECIMAL(18,2) AS total_usd,
       SUM(total_kg)::DECIMAL(18,3)  AS total_kg
FROM rpt.mv_exportacao_mensal
WHERE mes IS NOT NULL
  AND CAST(:pais AS TEXT) IS NOT NULL AND CAST(:setor AS TEXT) IS NOT NULL
  AND pais = CAST(:pais AS TEXT) AND setor = CAST(:setor AS TEXT)
  AND (CAST(:ano_de AS INT) IS NULL OR ano >= CAST(:ano_de AS INT))
  AND (CAST(:ano_ate AS INT) IS NULL OR ano <= CAST(:ano_ate AS INT))
  AND mes BETWEEN COALESCE(CAST(:mes_de AS INT), 1) AND COALESCE(CAST(:mes_ate AS INT), 12)
GROUP BY ano, mes
ORDER BY ano, mes;

-- name: readiness
-- Which report views exist and are populated (the API is ready when all are): a plain
-- view over a yearly table always is, a materialized view once refreshed.
SELECT c.relname AS view, COALESCE(m.ispopulated, true) AS ispopulated
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'rpt'
LEFT JOIN pg_matviews m ON m.schemaname = 'rpt' AND m.matviewname = c.relname
WHERE c.relkind IN ('v', 'm') AND c.relname = ANY(:names);

-- name: dimension_ranking
-- Codes of one official dimension (:dimension: uf, via, urf, ncm, sh6, sh4, sh2) over a
-- span of months of the reference year (the `ano` filter, else the latest year), from
-- the per-year table (a span of months: rpt.no_periodo of its cumulative values). The span
-- ends by default with the reference year's last month present. Each (ano, dimensao,
-- codigo) is one row, so nothing is grouped: the page is cut first, and only its codes
-- are looked up in the year before (growth over the same months) and in the names.
-- Shares and coverage are of the scope's whole value, codes or not (files in the
-- project layout carry no state, route or unit). Every row repeats the period, the
-- number of codes and the coverage (dimension_scope gives them for an empty page).
WITH periodo AS MATERIALIZED (
    SELECT * FROM rpt.periodo(CAST(:ano AS INT), CAST(:mes_de AS INT), CAST(:mes_ate AS INT))
),
atual AS MATERIALIZED (
    SELECT d.codigo,
           rpt.no_periodo(d.usd_ate_mes, p.de, p.ate) AS usd,
           rpt.no_periodo(d.kg_ate_mes, p.de, p.ate) AS kg
    FROM rpt.mv_exportacao_dimensao d
    JOIN periodo p ON d.ano = p.ano
    WHERE d.dimensao = CAST(:dimension AS TEXT)
),
escopo AS (
    SELECT SUM(usd)                                                         AS usd,
           SUM(usd) FILTER (WHERE codigo IS NOT NULL)                       AS usd_com_codigo,
           count(*) FILTER (WHERE codigo IS NOT NULL AND (usd <> 0 OR kg <> 0)) AS itens
    FROM atual
),
pagina AS (
    SELECT codigo, usd, kg
    FROM atual
    WHERE codigo IS NOT NULL AND (usd <> 0 OR kg <> 0)
    ORDER BY usd DESC, codigo
    LIMIT :limit OFFSET :offset
),
anterior AS (
    SELECT d.codigo,
           rpt.no_periodo(d.usd_ate_mes, p.de, p.ate) AS usd
    FROM rpt.mv_exportacao_dimensao d
    JOIN periodo p ON d.ano = p.ano - 1
    WHERE d.dimensao = CAST(:dimension AS TEXT) AND d.codigo IN (SELECT codigo FROM pagina)
)
SELECT g.codigo,
       COALESCE(CASE WHEN CAST(:lang AS TEXT) = 'en' THEN n.nome_ing END, n.nome) AS nome,
       g.usd::DECIMAL(18,2)                                                       AS total_usd,
       g.kg::DECIMAL(18,3)                                                        AS total_kg,
       ROUND(100 * g.usd / NULLIF(e.usd, 0), 2)                                   AS participacao_pct,
       ROUND(100 * (g.usd - a.usd) / NULLIF(a.usd, 0), 2)                         AS variacao_pct,
       ROUND(g.usd / NULLIF(g.kg, 0), 4)                                          AS usd_por_kg,
       p.ano, p.de, p.ate, e.itens,
       ROUND(100 * e.usd_com_codigo / NULLIF(e.usd, 0), 2)                        AS cobertura
FROM pagina g
CROSS JOIN escopo e
CROSS JOIN periodo p
LEFT JOIN anterior a ON a.codigo = g.codigo
LEFT JOIN rpt.nomes n ON n.dimensao = CAST(:dimension AS TEXT) AND n.codigo = g.codigo
ORDER BY g.usd DESC, g.codigo;

-- name: dimension_scope
-- The months, the number of codes and the coverage of a dimension ranking (also for a
-- page past the end).
WITH periodo AS MATERIALIZED (
    SELECT * FROM rpt.periodo(CAST(:ano AS INT), CAST(:mes_de AS INT), CAST(:mes_ate AS INT))
),
valores AS (
    SELECT d.codigo,
           rpt.no_periodo(d.usd_ate_mes, p.de, p.ate) AS usd,
           rpt.no_periodo(d.kg_ate_mes, p.de, p.ate) AS kg
    FROM rpt.mv_exportacao_dimensao d
    JOIN periodo p ON d.ano = p.ano
    WHERE d.dimensao = CAST(:dimension AS TEXT)
)
SELECT p.ano, p.de, p.ate,
       (SELECT count(*) FROM valores
        WHERE codigo IS NOT NULL AND (usd <> 0 OR kg <> 0))                   AS itens,
       (SELECT ROUND(100 * SUM(usd) FILTER (WHERE codigo IS NOT NULL) / NULLIF(SUM(usd), 0), 2)
        FROM valores)                                                         AS cobertura
FROM periodo p;

-- name: concentracao
-- How concentrated the value is, by destination country and by product heading (SH4),
-- over the months of the reference year, unfiltered: the HHI (sum of squared percentage
-- shares, 0 to 10,000) and the shares of the first and of the first five, from the
-- yearly rollup (countries) and the per-code table (SH4). Shares are of the items' total.
WITH periodo AS MATERIALIZED (
    SELECT * FROM rpt.periodo(CAST(:ano AS INT), CAST(:mes_de AS INT), CAST(:mes_ate AS INT))
),
valores AS (
    SELECT 'pais' AS dimensao, a.pais AS codigo,
           rpt.no_periodo(a.usd_ate_mes, p.de, p.ate) AS usd
    FROM rpt.mv_exportacao_anual a
    JOIN periodo p ON a.ano = p.ano
    UNION ALL
    SELECT 'sh4', d.codigo,
           rpt.no_periodo(d.usd_ate_mes, p.de, p.ate)
    FROM rpt.mv_exportacao_dimensao d
    JOIN periodo p ON d.ano = p.ano
    WHERE d.dimensao = 'sh4' AND d.codigo IS NOT NULL
),
itens AS (
    SELECT dimensao, codigo, SUM(usd) AS usd
    FROM valores
    GROUP BY dimensao, codigo
    HAVING SUM(usd) > 0
),
partes AS (
    SELECT dimensao,
           100 * usd / SUM(usd) OVER (PARTITION BY dimensao)                 AS pct,
           row_number() OVER (PARTITION BY dimensao ORDER BY usd DESC, codigo) AS posicao
    FROM itens
)
SELECT p.ano, p.de, p.ate, d.dimensao,
       ROUND(SUM(pt.pct * pt.pct), 2)                          AS hhi,
       ROUND(SUM(pt.pct) FILTER (WHERE pt.posicao = 1), 2)     AS top1_pct,
       ROUND(SUM(pt.pct) FILTER (WHERE pt.posicao <= 5), 2)    AS top5_pct,
       count(pt.pct)                                           AS itens
FROM periodo p
CROSS JOIN (VALUES ('pais'), ('sh4')) AS d (dimensao)
LEFT JOIN partes pt ON pt.dimensao = d.dimensao
GROUP BY p.ano, p.de, p.ate, d.dimensao
ORDER BY d.dimensao;

-- name: variacao
-- The biggest gains (sentido 'alta') and losses ('queda') in USD of one dimension
-- between the months of the reference year and the same months of the year before,
-- :limit each way, unfiltered: countries and sectors come from the yearly rollup (their
-- code is their name), the official dimensions from the per-code table. Each row of
-- valores holds a year's value (usd) or the year before's (usd_anterior). Each way is a
-- top-N pick, not a rank of every code.
WITH periodo AS MATERIALIZED (
    SELECT * FROM rpt.periodo(CAST(:ano AS INT), CAST(:mes_de AS INT), CAST(:mes_ate AS INT))
),
valores AS NOT MATERIALIZED (
    SELECT CASE WHEN CAST(:dimension AS TEXT) = 'pais' THEN a.pais ELSE a.setor END AS codigo,
           CASE WHEN a.ano = p.ano THEN rpt.no_periodo(a.usd_ate_mes, p.de, p.ate) END AS usd,
           CASE WHEN a.ano = p.ano - 1 THEN rpt.no_periodo(a.usd_ate_mes, p.de, p.ate) END
               AS usd_anterior
    FROM rpt.mv_exportacao_anual a
    JOIN periodo p ON a.ano IN (p.ano, p.ano - 1)
    WHERE CAST(:dimension AS TEXT) IN ('pais', 'setor')
    UNION ALL
    SELECT d.codigo,
           CASE WHEN d.ano = p.ano THEN rpt.no_periodo(d.usd_ate_mes, p.de, p.ate) END,
           CASE WHEN d.ano = p.ano - 1 THEN rpt.no_periodo(d.usd_ate_mes, p.de, p.ate) END
    FROM rpt.mv_exportacao_dimensao d
    JOIN periodo p ON d.ano IN (p.ano, p.ano - 1)
    WHERE d.dimensao = CAST(:dimension AS TEXT) AND d.codigo IS NOT NULL
),
movimentos AS MATERIALIZED (
    SELECT codigo,
           COALESCE(SUM(usd), 0)          AS usd,
           COALESCE(SUM(usd_anterior), 0) AS usd_anterior
    FROM valores
    WHERE codigo IS NOT NULL
    GROUP BY codigo
),
altas AS (
    SELECT 'alta' AS sentido, codigo, usd, usd_anterior, usd - usd_anterior AS diferenca
    FROM movimentos
    WHERE usd > usd_anterior
    ORDER BY usd - usd_anterior DESC, codigo
    LIMIT :limit
),
quedas AS (
    SELECT 'queda' AS sentido, codigo, usd, usd_anterior, usd - usd_anterior AS diferenca
    FROM movimentos
    WHERE usd < usd_anterior
    ORDER BY usd - usd_anterior, codigo
    LIMIT :limit
)
SELECT o.sentido,
       o.codigo,
       COALESCE(CASE WHEN CAST(:lang AS TEXT) = 'en' THEN n.nome_ing END, n.nome, o.codigo)
                                                                              AS nome,
       o.usd::DECIMAL(18,2)                                                   AS total_usd,
       o.usd_anterior::DECIMAL(18,2)                                          AS total_usd_anterior,
       o.diferenca::DECIMAL(18,2)                                             AS diferenca_usd,
       ROUND(100 * o.diferenca / NULLIF(o.usd_anterior, 0), 2)                AS variacao_pct
FROM (SELECT * FROM altas UNION ALL SELECT * FROM quedas) o
-- A country's code here is its name; its English name is kept by its Comex Stat code.
LEFT JOIN rpt.pais_codigos pc ON CAST(:dimension AS TEXT) = 'pais' AND pc.pais = o.codigo
LEFT JOIN LATERAL (  -- LIMIT 1: an index lookup per item, as in scoped_ranking
    SELECT n.nome, n.nome_ing FROM rpt.nomes n
    WHERE n.dimensao = CAST(:dimension AS TEXT) AND n.codigo = COALESCE(pc.co_pais, o.codigo)
    LIMIT 1
) n ON true
ORDER BY o.sentido, abs(o.diferenca) DESC, o.codigo;

-- name: periodo
-- The months a comparison covers, for answers with no item.
SELECT ano, de, ate
FROM rpt.periodo(CAST(:ano AS INT), CAST(:mes_de AS INT), CAST(:mes_ate AS INT));

-- name: codigos
-- Codes and names of one dimension for building selectors: a code starting with :q,
-- or a name containing it (case and Portuguese accents ignored; :q arrives with LIKE's
-- wildcards escaped). Sectors are named by themselves.
WITH todos AS (
    SELECT codigo, COALESCE(CASE WHEN CAST(:lang AS TEXT) = 'en' THEN nome_ing END, nome) AS nome
    FROM rpt.nomes
    WHERE dimensao = CAST(:dimension AS TEXT)
    UNION ALL
    SELECT setor, setor FROM rpt.mv_resumo_setor WHERE CAST(:dimension AS TEXT) = 'setor'
),
encontrados AS (
    SELECT codigo, nome
    FROM todos
    WHERE CAST(:q AS TEXT) IS NULL
       OR codigo LIKE CAST(:q AS TEXT) || '%' ESCAPE '\'
       OR translate(lower(nome), 'áàâãäéèêëíìîïóòôõöúùûüç', 'aaaaaeeeeiiiiooooouuuuc')
          LIKE '%' || translate(lower(CAST(:q AS TEXT)), 'áàâãäéèêëíìîïóòôõöúùûüç',
                                'aaaaaeeeeiiiiooooouuuuc') || '%' ESCAPE '\'
)
SELECT codigo, nome, COUNT(*) OVER () AS total
FROM encontrados
ORDER BY codigo
LIMIT :limit OFFSET :offset;

-- name: bloco_ranking
-- Economic blocs over a span of months of the reference year, from the monthly base
-- aggregate and each country's blocs. A country counts in every bloc it belongs to,
-- so blocs overlap (the European Union lies within Europe) and their shares, each of
-- the scope's whole value, do not add up to 100. Rows repeat the period, the number of
-- blocs and the coverage, as dimension_ranking's do.
WITH periodo AS MATERIALIZED (
    SELECT * FROM rpt.periodo(CAST(:ano AS INT), CAST(:mes_de AS INT), CAST(:mes_ate AS INT))
),
por_pais AS (
    SELECT m.ano = p.ano AS atual, m.pais, SUM(m.total_usd) AS usd, SUM(m.total_kg) AS kg
    FROM rpt.mv_exportacao_mensal m
    JOIN periodo p ON m.ano IN (p.ano, p.ano - 1) AND COALESCE(m.mes, 12) BETWEEN p.de AND p.ate
    GROUP BY 1, 2
),
escopo AS (
    SELECT SUM(usd) FILTER (WHERE atual) AS usd,
           SUM(usd) FILTER (WHERE atual AND EXISTS (SELECT 1 FROM rpt.pais_bloco b
                                                    WHERE b.pais = por_pais.pais)) AS usd_em_bloco
    FROM por_pais
),
items AS (
    SELECT b.co_bloco AS codigo,
           SUM(c.usd) FILTER (WHERE c.atual)     AS usd,
           SUM(c.kg) FILTER (WHERE c.atual)      AS kg,
           SUM(c.usd) FILTER (WHERE NOT c.atual) AS usd_anterior
    FROM por_pais c
    JOIN rpt.pais_bloco b ON b.pais = c.pais
    GROUP BY b.co_bloco
    HAVING SUM(c.usd) FILTER (WHERE c.atual) <> 0 OR SUM(c.kg) FILTER (WHERE c.atual) <> 0
)
SELECT i.codigo,
       COALESCE(CASE WHEN CAST(:lang AS TEXT) = 'en' THEN n.nome_ing END, n.nome) AS nome,
       i.usd::DECIMAL(18,2)                                                       AS total_usd,
       i.kg::DECIMAL(18,3)                                                        AS total_kg,
       ROUND(100 * i.usd / NULLIF(e.usd, 0), 2)                                   AS participacao_pct,
       ROUND(100 * (i.usd - i.usd_anterior) / NULLIF(i.usd_anterior, 0), 2)       AS variacao_pct,
       ROUND(i.usd / NULLIF(i.kg, 0), 4)                                          AS usd_por_kg,
       p.ano, p.de, p.ate, (SELECT count(*) FROM items)                           AS itens,
       ROUND(100 * e.usd_em_bloco / NULLIF(e.usd, 0), 2)                          AS cobertura
FROM items i
CROSS JOIN escopo e
CROSS JOIN periodo p
LEFT JOIN rpt.nomes n ON n.dimensao = 'bloco' AND n.codigo = i.codigo
ORDER BY i.usd DESC, i.codigo
LIMIT :limit OFFSET :offset;

-- name: bloco_scope
-- The months, the number of blocs and the share of the value going to countries in at
-- least one bloc.
WITH periodo AS MATERIALIZED (
    SELECT * FROM rpt.periodo(CAST(:ano AS INT), CAST(:mes_de AS INT), CAST(:mes_ate AS INT))
),
por_pais AS (
    SELECT m.pais, SUM(m.total_usd) AS usd, SUM(m.total_kg) AS kg,
           EXISTS (SELECT 1 FROM rpt.pais_bloco b WHERE b.pais = m.pais) AS em_bloco
    FROM rpt.mv_exportacao_mensal m
    JOIN periodo p ON m.ano = p.ano AND COALESCE(m.mes, 12) BETWEEN p.de AND p.ate
    GROUP BY m.pais
)
SELECT p.ano, p.de, p.ate,
       (SELECT count(DISTINCT b.co_bloco) FROM por_pais c JOIN rpt.pais_bloco b USING (pais)
        WHERE c.usd <> 0 OR c.kg <> 0)                                         AS itens,
       (SELECT ROUND(100 * SUM(usd) FILTER (WHERE em_bloco) / NULLIF(SUM(usd), 0), 2)
        FROM por_pais)                                                        AS cobertura
FROM periodo p;

-- name: resolve_filters
-- The filters a client gave, checked against the code tables: the country's name (from
-- its name, Comex Stat code or ISO3 code, or a name present in the data), the sector's
-- name (from its name or ISIC section letter), and whether each other code exists. NULL
-- where the filter was not given.
SELECT
    COALESCE(
        (SELECT pais FROM rpt.pais_codigos
         WHERE pais = CAST(:pais AS TEXT) OR co_pais = CAST(:pais AS TEXT)
            OR iso3 = upper(CAST(:pais AS TEXT))
         ORDER BY pais = CAST(:pais AS TEXT) DESC LIMIT 1),
        (SELECT pais FROM rpt.mv_resumo_pais WHERE pais = CAST(:pais AS TEXT))
    ) AS pais,
    COALESCE(
        (SELECT setor FROM rpt.mv_resumo_setor WHERE setor = CAST(:setor AS TEXT)),
        (SELECT min(setor) FROM rpt.setor_codigos
         WHERE setor = CAST(:setor AS TEXT) OR codigo = upper(CAST(:setor AS TEXT)))
    ) AS setor,
    EXISTS (SELECT 1 FROM rpt.nomes WHERE dimensao = 'bloco' AND codigo = CAST(:bloco AS TEXT))
        AS bloco,
    EXISTS (SELECT 1 FROM rpt.nomes WHERE dimensao = 'uf' AND codigo = upper(CAST(:uf AS TEXT)))
        AS uf,
    EXISTS (SELECT 1 FROM rpt.nomes WHERE dimensao = 'via' AND codigo = CAST(:via AS TEXT))
        AS via,
    EXISTS (SELECT 1 FROM rpt.nomes WHERE dimensao = 'urf' AND codigo = CAST(:urf AS TEXT))
        AS urf,
    EXISTS (SELECT 1 FROM rpt.nomes
            WHERE dimensao = CASE length(CAST(:ncm AS TEXT)) WHEN 8 THEN 'ncm'
                                  ELSE 'sh' || length(CAST(:ncm AS TEXT)) END
              AND codigo = CAST(:ncm AS TEXT))
        AS ncm;

-- name: snapshot_files
-- The Parquet snapshots of the data version the answer's snapshot sees: the files its
-- DuckDB queries may read (bgc_api/analytics.py fetches those it lacks), with their rows
-- and value, which a local copy must hold.
SELECT ano, sha256, linhas, total_usd FROM rpt.snapshot_exportacao ORDER BY ano;

-- name: snapshot_files_importacao
-- The same for the imports' snapshots, with each year's latest month (the import
-- answers' latest month and default span).
SELECT ano, sha256, linhas, total_usd, mes_max FROM rpt.snapshot_importacao ORDER BY ano;

-- name: snapshot_content_importacao
-- An import snapshot's bytes (as snapshot_content).
COPY (SELECT conteudo FROM rpt.snapshot_importacao WHERE sha256 = %(sha256)s)
TO STDOUT WITH (FORMAT binary);

-- name: conferencia_importacao
-- Per year of the imports' data version, the reconciliation of its official yearly
-- import file with MDIC's totals; a year without one is pending.
SELECT y.ano, COALESCE(c.status, 'pendente') AS status, c.arquivo,
       CASE WHEN c.status = 'divergente' THEN c.diferenca_linhas END AS diferenca_registros,
       CASE WHEN c.status = 'divergente' THEN c.diferenca_usd END AS diferenca_usd,
       CASE WHEN c.status = 'divergente' THEN c.diferenca_kg END AS diferenca_kg
FROM (SELECT ano FROM rpt.snapshot_importacao) AS y
LEFT JOIN rpt.conferencia_mdic_importacao c ON c.ano_arquivo = y.ano
ORDER BY y.ano;

-- name: snapshot_content
-- One snapshot's bytes, for an API process that lacks the file, through a binary COPY
-- (bgc_api/repository.py; psycopg2's own parameter style: COPY takes no bind parameters).
COPY (SELECT conteudo FROM rpt.snapshot_exportacao WHERE sha256 = %(sha256)s)
TO STDOUT WITH (FORMAT binary);

-- name: blocos
-- The countries of one bloc (:bloco), or every country and bloc (NULL).
SELECT pais, co_bloco FROM rpt.pais_bloco
WHERE CAST(:bloco AS TEXT) IS NULL OR co_bloco = CAST(:bloco AS TEXT)
ORDER BY co_bloco, pais;

-- name: nomes
-- The names of a page's codes of one dimension (a country's code is its name; its names
-- are kept by its Comex Stat code), in English with :lang = 'en' where there is one.
SELECT c.codigo,
       COALESCE(CASE WHEN CAST(:lang AS TEXT) = 'en' THEN n.nome_ing END, n.nome) AS nome
FROM unnest(CAST(:codigos AS TEXT[])) AS c (codigo)
LEFT JOIN rpt.pais_codigos pc ON CAST(:dimension AS TEXT) = 'pais' AND pc.pais = c.codigo
LEFT JOIN LATERAL (
    SELECT n.nome, n.nome_ing FROM rpt.nomes n
    WHERE n.dimensao = CAST(:dimension AS TEXT) AND n.codigo = COALESCE(pc.co_pais, c.codigo)
    LIMIT 1
) n ON true;

-- name: ranked_names
-- The code and name of each country or sector of a ranking page, as the ranking query
-- gives them.
SELECT p.name,
       COALESCE(pc.co_pais, sc.codigo)                                          AS codigo,
       COALESCE(CASE WHEN CAST(:lang AS TEXT) = 'en' THEN n.nome_ing END, p.name) AS nome
FROM unnest(CAST(:names AS TEXT[])) AS p (name)
LEFT JOIN rpt.pais_codigos pc ON CAST(:dimension AS TEXT) = 'pais' AND pc.pais = p.name
LEFT JOIN rpt.nomes n ON n.dimensao = 'pais' AND n.codigo = pc.co_pais
LEFT JOIN (SELECT setor, min(codigo) AS codigo FROM rpt.setor_codigos GROUP BY setor) sc
       ON CAST(:dimension AS TEXT) = 'setor' AND sc.setor = p.name;

-- name: comexstat_codes
-- The codes Comex Stat API filters name (:codes, as the public API writes them, each of
-- the dimension at the same place of :dimensions), each with the key the facts hold
-- (`chave`): a country's name by its Comex Stat code, a state's abbreviation by its IBGE
-- code, a sector by its ISIC section letter, any other code itself where its table knows
-- it. NULL: a code no table knows.
SELECT c.dimensao, c.codigo,
       CASE c.dimensao
           WHEN 'pais' THEN (SELECT min(pc.pais) FROM rpt.pais_codigos pc
                             WHERE pc.co_pais = c.codigo)
           WHEN 'uf' THEN (SELECT u.uf FROM rpt.uf_codigos u WHERE u.co_ibge = c.codigo)
           WHEN 'setor' THEN (SELECT min(s.setor) FROM rpt.setor_codigos s
                              WHERE s.codigo = c.codigo)
           ELSE (SELECT min(n.codigo) FROM rpt.nomes n
                 WHERE n.dimensao = c.dimensao AND n.codigo = c.codigo)
       END AS chave
FROM unnest(CAST(:dimensions AS TEXT[]), CAST(:codes AS TEXT[])) AS c (dimensao, codigo);

-- name: uf_ibge
-- Every state's abbreviation and IBGE code.
SELECT uf, co_ibge FROM rpt.uf_codigos ORDER BY co_ibge;

-- name: ncm_niveis
-- Every NCM (an integer) with its levels of the classifications, for DuckDB's memory.
SELECT ncm, secao, cgce_n2, cgce_n3, cuci_cap, cuci_pos, cuci_sub, cuci_item, isic_divisao,
       isic_grupo, isic_classe
FROM rpt.ncm_niveis;
