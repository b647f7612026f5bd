-- The per-year refresh of the history-sized report tables (migration 0010).
-- {table} is composed with psycopg2.sql from the view registry (bgc_core/views.py);
-- %(relacao)s is the view readers query (rpt.mv_*), %(anos)s the years to recompute.

-- name: memory
-- For the refresh's transaction only (BGC_REFRESH_WORK_MEM_MB): the pair table hashes a
-- year's 1.2M fact rows several times and sorts its sums; at the default 4 MB each pass
-- spills to disk and the year takes twice as long (docs/benchmarks.md).
SELECT set_config('work_mem', %(work_mem)s, true);


-- name: lock
-- One refresh of a table at a time: two would each delete only the rows their
-- snapshot saw, then both insert the year.
SELECT pg_advisory_xact_lock(hashtext('rpt.' || %(relacao)s));


-- name: take_pending
-- The years marked since the last refresh, and those of them marked only because the
-- year before changed (migration 0018). Rows a load commits after this statement stay
-- for the next refresh.
WITH taken AS (
    DELETE FROM rpt.anos_pendentes WHERE relacao = %(relacao)s
    RETURNING ano, pela_comparacao
), por_ano AS (
    SELECT ano, bool_and(pela_comparacao) AS pela_comparacao FROM taken GROUP BY ano
)
SELECT COALESCE(array_agg(ano ORDER BY ano), '{}'),
       COALESCE(array_agg(ano ORDER BY ano) FILTER (WHERE pela_comparacao), '{}')
FROM por_ano;

-- name: take_all
-- A full rebuild: every year stored or still shown, and the pending marks with them.
WITH taken AS (
    DELETE FROM rpt.anos_pendentes WHERE relacao = %(relacao)s RETURNING ano
), anos AS (
    SELECT ano FROM taken
    UNION SELECT ano FROM rpt.agg_arquivo
    UNION SELECT ano FROM {table}
)
SELECT COALESCE(array_agg(ano ORDER BY ano), '{{}}'), '{{}}'::INT[] FROM anos;

-- name: delete_years
DELETE FROM {table} WHERE ano = ANY(%(anos)s);

-- name: exportacao_mensal
INSERT INTO rpt.exportacao_mensal
SELECT ano, mes, pais, setor, SUM(total_usd), SUM(total_kg), SUM(registros), now()
FROM rpt.agg_mensal
WHERE ano = ANY(%(anos)s)
GROUP BY ano, mes, pais, setor;

-- name: exportacao_anual
-- usd_ate_mes[m]: the value through month m, annual figures (no month) as December.
INSERT INTO rpt.exportacao_anual
SELECT ano, pais, setor, SUM(total_usd), SUM(total_kg), max(COALESCE(mes, 12)),
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
       ], now()
FROM rpt.agg_mensal
WHERE ano = ANY(%(anos)s)
GROUP BY ano, pais, setor;

-- name: serie_mensal
-- All countries and sectors, per country, per sector ('' = all).
INSERT INTO rpt.serie_mensal
SELECT ano, mes, COALESCE(pais, ''), COALESCE(setor, ''), SUM(total_usd), SUM(total_kg), now()
FROM rpt.agg_mensal
WHERE ano = ANY(%(anos)s)
GROUP BY GROUPING SETS ((ano, mes), (ano, mes, pais), (ano, mes, setor));

-- name: exportacao_dimensao
-- Each official code as kept per file, then the HS levels cut from the NCM codes and
-- the NCM's classifications (fator agregado, CGCE, CUCI section); a NULL or unknown
-- code stays NULL: the share without it. Cumulative through each month.
INSERT INTO rpt.exportacao_dimensao
SELECT ano, dimensao, codigo,
       SUM(usd_m01 + usd_m02 + usd_m03 + usd_m04 + usd_m05 + usd_m06 + usd_m07 + usd_m08 + usd_m09 + usd_m10 + usd_m11 + usd_m12),
       SUM(kg_m01 + kg_m02 + kg_m03 + kg_m04 + kg_m05 + kg_m06 + kg_m07 + kg_m08 + kg_m09 + kg_m10 + kg_m11 + kg_m12),
       SUM(registros),
       ARRAY[
           SUM(usd_m01),
           SUM(usd_m01 + usd_m02),
           SUM(usd_m01 + usd_m02 + usd_m03),
           SUM(usd_m01 + usd_m02 + usd_m03 + usd_m04),
           SUM(usd_m01 + usd_m02 + usd_m03 + usd_m04 + usd_m05),
           SUM(usd_m01 + usd_m02 + usd_m03 + usd_m04 + usd_m05 + usd_m06),
           SUM(usd_m01 + usd_m02 + usd_m03 + usd_m04 + usd_m05 + usd_m06 + usd_m07),
           SUM(usd_m01 + usd_m02 + usd_m03 + usd_m04 + usd_m05 + usd_m06 + usd_m07 + usd_m08),
           SUM(usd_m01 + usd_m02 + usd_m03 + usd_m04 + usd_m05 + usd_m06 + usd_m07 + usd_m08 + usd_m09),
           SUM(usd_m01 + usd_m02 + usd_m03 + usd_m04 + usd_m05 + usd_m06 + usd_m07 + usd_m08 + usd_m09 + usd_m10),
           SUM(usd_m01 + usd_m02 + usd_m03 + usd_m04 + usd_m05 + usd_m06 + usd_m07 + usd_m08 + usd_m09 + usd_m10 + usd_m11),
           SUM(usd_m01 + usd_m02 + usd_m03 + usd_m04 + usd_m05 + usd_m06 + usd_m07 + usd_m08 + usd_m09 + usd_m10 + usd_m11 + usd_m12)
       ],
       ARRAY[
           SUM(kg_m01),
           SUM(kg_m01 + kg_m02),
           SUM(kg_m01 + kg_m02 + kg_m03),
           SUM(kg_m01 + kg_m02 + kg_m03 + kg_m04),
           SUM(kg_m01 + kg_m02 + kg_m03 + kg_m04 + kg_m05),
           SUM(kg_m01 + kg_m02 + kg_m03 + kg_m04 + kg_m05 + kg_m06),
           SUM(kg_m01 + kg_m02 + kg_m03 + kg_m04 + kg_m05 + kg_m06 + kg_m07),
           SUM(kg_m01 + kg_m02 + kg_m03 + kg_m04 + kg_m05 + kg_m06 + kg_m07 + kg_m08),
           SUM(kg_m01 + kg_m02 + kg_m03 + kg_m04 + kg_m05 + kg_m06 + kg_m07 + kg_m08 + kg_m09),
           SUM(kg_m01 + kg_m02 + kg_m03 + kg_m04 + kg_m05 + kg_m06 + kg_m07 + kg_m08 + kg_m09 + kg_m10),
           SUM(kg_m01 + kg_m02 + kg_m03 + kg_m04 + kg_m05 + kg_m06 + kg_m07 + kg_m08 + kg_m09 + kg_m10 + kg_m11),
           SUM(kg_m01 + kg_m02 + kg_m03 + kg_m04 + kg_m05 + kg_m06 + kg_m07 + kg_m08 + kg_m09 + kg_m10 + kg_m11 + kg_m12)
       ],
       now()
FROM (
    SELECT ano, dimensao, codigo, registros, usd_m01, usd_m02, usd_m03, usd_m04, usd_m05, usd_m06, usd_m07, usd_m08, usd_m09, usd_m10, usd_m11, usd_m12, kg_m01, kg_m02, kg_m03, kg_m04, kg_m05, kg_m06, kg_m07, kg_m08, kg_m09, kg_m10, kg_m11, kg_m12
    FROM rpt.agg_dimensao
    WHERE ano = ANY(%(anos)s)
    UNION ALL
    SELECT ano, nivel.dimensao, left(codigo, nivel.digitos), registros, usd_m01, usd_m02, usd_m03, usd_m04, usd_m05, usd_m06, usd_m07, usd_m08, usd_m09, usd_m10, usd_m11, usd_m12, kg_m01, kg_m02, kg_m03, kg_m04, kg_m05, kg_m06, kg_m07, kg_m08, kg_m09, kg_m10, kg_m11, kg_m12
    FROM rpt.agg_dimensao
    CROSS JOIN (VALUES ('sh6', 6), ('sh4', 4), ('sh2', 2)) AS nivel (dimensao, digitos)
    WHERE ano = ANY(%(anos)s) AND agg_dimensao.dimensao = 'ncm'
    UNION ALL
    SELECT a.ano, classe.dimensao, classe.codigo, registros, usd_m01, usd_m02, usd_m03, usd_m04, usd_m05, usd_m06, usd_m07, usd_m08, usd_m09, usd_m10, usd_m11, usd_m12, kg_m01, kg_m02, kg_m03, kg_m04, kg_m05, kg_m06, kg_m07, kg_m08, kg_m09, kg_m10, kg_m11, kg_m12
    FROM rpt.agg_dimensao a
    LEFT JOIN cfg.ncm_classes c ON c.ncm = a.codigo
    CROSS JOIN LATERAL (VALUES ('fator', c.fator), ('cgce', c.cgce), ('cuci', c.cuci))
        AS classe (dimensao, codigo)
    WHERE a.ano = ANY(%(anos)s) AND a.dimensao = 'ncm'
) AS por_codigo
GROUP BY ano, dimensao, codigo;

-- name: exportacao_fato
-- Staging's grain less the unit and the load columns: what combined filters read.
-- Ordered as the (ano, pais, ncm) index, so a country's rows of a year lie together.
INSERT INTO rpt.exportacao_fato
SELECT ano, mes, pais, setor, sg_uf, co_via, co_urf, ncm,
       SUM(valor_usd), SUM(peso_kg), count(*), now()
FROM stg.exportacao
WHERE ano = ANY(%(anos)s)
GROUP BY ano, mes, pais, setor, sg_uf, co_via, co_urf, ncm
ORDER BY ano, pais, ncm;

-- name: exportacao_par
-- One year, %(ano)s, from the facts just refreshed, into {target}: a new table that
-- becomes the year's partition (views.py). Years are computed in order, and {anterior}
-- holds the year before's rows as this refresh leaves them. The comparison (the *_a
-- columns) is the year before through the year's last month (annual figures as
-- December). When the year reaches December that is the whole year before, whose sums
-- its own rows already hold (anterior): the year's facts go through the passes alone.
-- Otherwise (the current, partial year) the year before's facts through that month go
-- through them too. Each pass hashes the rows once: the sets without products or
-- customs units come from one rollup by country, sector, state and route, those with
-- units from two smaller ones, and each set with the NCM (which carries its sector) from
-- the rows. conjunto as GROUPING(pais, setor, uf, via, urf, ncm) would give it. Each set
-- with the NCM is summed again by heading (SH4, conjunto + 64, migration 0017). The
-- passes keep the month, so each row also gets its sums month by month (centavos_mes,
-- gramas_mes, migration 0019: NULL in a month without rows); each (key, month) comes
-- out of them once, so max() picks its value. Values go through the passes as whole
-- cents and grams: BIGINT sums keep no NUMERIC state (three 1.2M-row years: 181 s, 231
-- s with NUMERIC passes, 143 s before the months; docs/benchmarks.md).
INSERT INTO {target} (ano, conjunto, pais, setor, uf, via, urf, ncm, total_usd,
                      total_kg, anterior_usd, anterior_kg, mes_max, updated_at,
                      centavos_mes, gramas_mes)
WITH ate AS MATERIALIZED (
    SELECT max(COALESCE(mes, 12)) AS mes FROM rpt.exportacao_fato WHERE ano = %(ano)s
),
linhas AS MATERIALIZED (
    SELECT f.ano, f.pais, f.setor, f.uf, f.via, f.urf, f.ncm,
           (f.total_usd * 100)::BIGINT AS usd, (f.total_kg * 1000)::BIGINT AS kg,
           NULL::BIGINT AS usd_a, NULL::BIGINT AS kg_a, COALESCE(f.mes, 12) AS mes
    FROM rpt.exportacao_fato f
    WHERE f.ano = %(ano)s
    UNION ALL
    SELECT f.ano + 1, f.pais, f.setor, f.uf, f.via, f.urf, f.ncm, NULL, NULL,
           (f.total_usd * 100)::BIGINT, (f.total_kg * 1000)::BIGINT, NULL
    FROM ate JOIN rpt.exportacao_fato f
         ON f.ano = %(ano)s - 1 AND COALESCE(f.mes, 12) <= ate.mes
    WHERE ate.mes < 12
),
origem AS MATERIALIZED (
    SELECT ano, pais, setor, uf, via, SUM(usd)::BIGINT AS usd, SUM(kg)::BIGINT AS kg,
           SUM(usd_a)::BIGINT AS usd_a, SUM(kg_a)::BIGINT AS kg_a, mes
    FROM linhas GROUP BY ano, pais, setor, uf, via, mes
),
unidade AS MATERIALIZED (
    SELECT true AS destino, ano, urf, pais, setor, NULL::VARCHAR AS uf, NULL::VARCHAR AS via,
           SUM(usd)::BIGINT AS usd, SUM(kg)::BIGINT AS kg, SUM(usd_a)::BIGINT AS usd_a,
           SUM(kg_a)::BIGINT AS kg_a, mes
    FROM linhas GROUP BY ano, urf, pais, setor, mes
    UNION ALL
    SELECT false, ano, urf, NULL, NULL, uf, via, SUM(usd)::BIGINT, SUM(kg)::BIGINT,
           SUM(usd_a)::BIGINT, SUM(kg_a)::BIGINT, mes
    FROM linhas GROUP BY ano, urf, uf, via, mes
),
conjuntos AS MATERIALIZED (
    SELECT ano, 32 * GROUPING(pais) + 16 * GROUPING(setor) + 8 * GROUPING(uf)
                + 4 * GROUPING(via) + 2 + 1 AS conjunto,
           pais, setor, uf, via, NULL::VARCHAR AS urf, NULL::VARCHAR AS ncm,
           SUM(usd)::BIGINT AS usd, SUM(kg)::BIGINT AS kg, SUM(usd_a)::BIGINT AS usd_a,
           SUM(kg_a)::BIGINT AS kg_a, mes
    FROM origem
    GROUP BY ano, mes, GROUPING SETS ((pais), (setor), (uf), (via), (pais, setor), (pais, uf),
                                 (pais, via), (setor, uf), (setor, via), (uf, via))
    UNION ALL
    SELECT ano, 32 * GROUPING(pais) + 16 * GROUPING(setor) + 8 + 4 + 1,
           pais, setor, NULL, NULL, urf, NULL, SUM(usd)::BIGINT, SUM(kg)::BIGINT,
           SUM(usd_a)::BIGINT, SUM(kg_a)::BIGINT, mes
    FROM unidade WHERE destino
    GROUP BY ano, mes, urf, GROUPING SETS ((), (pais), (setor))
    UNION ALL
    SELECT ano, 32 + 16 + 8 * GROUPING(uf) + 4 * GROUPING(via) + 1,
           NULL, NULL, uf, via, urf, NULL, SUM(usd)::BIGINT, SUM(kg)::BIGINT,
           SUM(usd_a)::BIGINT, SUM(kg_a)::BIGINT, mes
    FROM unidade WHERE NOT destino
    GROUP BY ano, mes, urf, GROUPING SETS ((uf), (via))
    UNION ALL
    SELECT ano, 32 + 8 + 4 + 2, NULL, setor, NULL, NULL, NULL, ncm,
           SUM(usd)::BIGINT, SUM(kg)::BIGINT, SUM(usd_a)::BIGINT, SUM(kg_a)::BIGINT, mes
    FROM linhas GROUP BY ano, ncm, setor, mes
    UNION ALL
    SELECT ano, 8 + 4 + 2, pais, setor, NULL, NULL, NULL, ncm,
           SUM(usd)::BIGINT, SUM(kg)::BIGINT, SUM(usd_a)::BIGINT, SUM(kg_a)::BIGINT, mes
    FROM linhas GROUP BY ano, pais, ncm, setor, mes
    UNION ALL
    SELECT ano, 32 + 4 + 2, NULL, setor, uf, NULL, NULL, ncm,
           SUM(usd)::BIGINT, SUM(kg)::BIGINT, SUM(usd_a)::BIGINT, SUM(kg_a)::BIGINT, mes
    FROM linhas GROUP BY ano, uf, ncm, setor, mes
    UNION ALL
    SELECT ano, 32 + 8 + 2, NULL, setor, NULL, via, NULL, ncm,
           SUM(usd)::BIGINT, SUM(kg)::BIGINT, SUM(usd_a)::BIGINT, SUM(kg_a)::BIGINT, mes
    FROM linhas GROUP BY ano, via, ncm, setor, mes
    UNION ALL
    SELECT ano, 32 + 8 + 4, NULL, setor, NULL, NULL, urf, ncm,
           SUM(usd)::BIGINT, SUM(kg)::BIGINT, SUM(usd_a)::BIGINT, SUM(kg_a)::BIGINT, mes
    FROM linhas GROUP BY ano, urf, ncm, setor, mes
),
titulos AS (
    SELECT ano, conjunto + 64, pais, setor, uf, via, urf, left(ncm, 4), SUM(usd)::BIGINT,
           SUM(kg)::BIGINT, SUM(usd_a)::BIGINT, SUM(kg_a)::BIGINT, mes
    FROM conjuntos
    WHERE conjunto & 1 = 0
    GROUP BY ano, conjunto, pais, setor, uf, via, urf, left(ncm, 4), mes
),
anterior AS (
    SELECT p.ano + 1 AS ano, p.conjunto, p.pais, p.setor, p.uf, p.via, p.urf, p.ncm,
           NULL::BIGINT AS usd, NULL::BIGINT AS kg, (p.total_usd * 100)::BIGINT AS usd_a,
           (p.total_kg * 1000)::BIGINT AS kg_a, NULL::INT AS mes
    FROM ate JOIN {anterior} p ON p.ano = %(ano)s - 1 AND p.total_usd IS NOT NULL
    WHERE ate.mes = 12
)
SELECT ano, conjunto, pais, setor, uf, via, urf, ncm, SUM(usd) * 0.01, SUM(kg) * 0.001,
       SUM(usd_a) * 0.01, SUM(kg_a) * 0.001, max(mes), now(),
       CASE WHEN SUM(usd) IS NOT NULL THEN
         ARRAY[max(usd) FILTER (WHERE mes = 1), max(usd) FILTER (WHERE mes = 2),
               max(usd) FILTER (WHERE mes = 3), max(usd) FILTER (WHERE mes = 4),
               max(usd) FILTER (WHERE mes = 5), max(usd) FILTER (WHERE mes = 6),
               max(usd) FILTER (WHERE mes = 7), max(usd) FILTER (WHERE mes = 8),
               max(usd) FILTER (WHERE mes = 9), max(usd) FILTER (WHERE mes = 10),
               max(usd) FILTER (WHERE mes = 11), max(usd) FILTER (WHERE mes = 12)]
       END,
       CASE WHEN SUM(usd) IS NOT NULL THEN
         ARRAY[max(kg) FILTER (WHERE mes = 1), max(kg) FILTER (WHERE mes = 2),
               max(kg) FILTER (WHERE mes = 3), max(kg) FILTER (WHERE mes = 4),
               max(kg) FILTER (WHERE mes = 5), max(kg) FILTER (WHERE mes = 6),
               max(kg) FILTER (WHERE mes = 7), max(kg) FILTER (WHERE mes = 8),
               max(kg) FILTER (WHERE mes = 9), max(kg) FILTER (WHERE mes = 10),
               max(kg) FILTER (WHERE mes = 11), max(kg) FILTER (WHERE mes = 12)]
       END
FROM (SELECT * FROM conjuntos UNION ALL SELECT * FROM titulos UNION ALL SELECT * FROM anterior)
    AS ambos
GROUP BY ano, conjunto, pais, setor, uf, via, urf, ncm
HAVING SUM(usd) IS NOT NULL OR SUM(usd_a) IS NOT NULL
ORDER BY ano, conjunto, pais, uf, via, urf, setor, ncm;

-- name: partition_new
-- A year's table before it becomes a partition ({new}, from views.py): the parent's
-- columns, and the partition bound as a CHECK so the attach need not scan the rows.
CREATE TABLE {new} (LIKE {parent} INCLUDING DEFAULTS, CHECK (ano = %(ano)s));

-- name: partition_indexes
-- The parent's two indexes, built after the rows (one sorted build each), and the
-- table's statistics; the attach adopts the indexes.
SET LOCAL maintenance_work_mem = '256MB';
CREATE INDEX {index_new} ON {new} (ano, conjunto, pais, uf, via, urf, setor, ncm);
CREATE INDEX {index_ncm_new} ON {new} (ano, conjunto, ncm varchar_pattern_ops);
ANALYZE {new};

-- name: partition_december
-- Whether the year has a partition that reaches December: its comparison is then the
-- whole year before. conjunto 47 holds one row per sector; no partition, no row.
SELECT COALESCE(max(mes_max), 0) = 12 FROM {parent} WHERE ano = %(ano)s AND conjunto = 47;

-- name: exportacao_par_comparacao
-- A year, %(ano)s, whose own sums did not change but whose year before did (it was
-- marked only for its comparison): its stored rows ({old}) with the comparison taken
-- from the year before's new rows ({anterior}), into {new}. Only for a year through
-- December, whose comparison is the whole year before. Both sides are already summed,
-- one row per key: grouping them together pairs the keys, NULLs (no code) included,
-- and as exportacao_par gives, a code of the year before alone keeps a row without sums
-- of its own. The months (centavos_mes, gramas_mes) are the stored row's, the only
-- one of its key that has them. On a 1.5M-row year: 14-22 s, against 44 s for summing its facts again
-- (a full join on the keys, tried first, took 49 s).
INSERT INTO {new} (ano, conjunto, pais, setor, uf, via, urf, ncm, total_usd, total_kg,
                   anterior_usd, anterior_kg, mes_max, updated_at, centavos_mes, gramas_mes)
SELECT %(ano)s, conjunto, pais, setor, uf, via, urf, ncm, SUM(usd), SUM(kg), SUM(usd_a),
       SUM(kg_a), max(mes), now(), max(centavos_mes), max(gramas_mes)
FROM (
    SELECT conjunto, pais, setor, uf, via, urf, ncm, total_usd AS usd, total_kg AS kg,
           NULL::DECIMAL AS usd_a, NULL::DECIMAL AS kg_a, mes_max AS mes, centavos_mes,
           gramas_mes
    FROM {old}
    WHERE total_usd IS NOT NULL
    UNION ALL
    SELECT conjunto, pais, setor, uf, via, urf, ncm, NULL, NULL, total_usd, total_kg, NULL,
           NULL, NULL
    FROM {anterior}
    WHERE ano = %(ano)s - 1 AND total_usd IS NOT NULL
) AS ambos
GROUP BY conjunto, pais, setor, uf, via, urf, ncm
ORDER BY conjunto, pais, uf, via, urf, setor, ncm;

-- name: ncm_multissetor
-- Whether some NCM of the year's new table ({new}) carries more than one sector
-- (migration 0016), noted before the swap and committed with it.
DELETE FROM rpt.anos_ncm_multissetor WHERE ano = %(ano)s;
INSERT INTO rpt.anos_ncm_multissetor (ano)
SELECT %(ano)s
WHERE EXISTS (SELECT 1 FROM {new}
              WHERE conjunto = 46 AND ncm IS NOT NULL
              GROUP BY ncm HAVING count(*) > 1);

-- name: partition_lock
-- First statement of the swap, held until the commit: readers see every year before
-- the refresh or every year after it.
LOCK TABLE {parent} IN ACCESS EXCLUSIVE MODE;

-- name: partition_rows
-- The year's current partition (by its name, NULL if none) and its rows.
SELECT to_regclass(%(old)s), (SELECT count(*) FROM {parent} WHERE ano = %(ano)s);

-- name: partition_drop
ALTER TABLE {parent} DETACH PARTITION {old};
DROP TABLE {old};

-- name: partition_attach
-- The new table and its indexes take the names of the partition they replace.
ALTER TABLE {new} RENAME TO {name};
ALTER INDEX rpt.{index_new} RENAME TO {index};
ALTER INDEX rpt.{index_ncm_new} RENAME TO {index_ncm};
ALTER TABLE {parent} ATTACH PARTITION {old} FOR VALUES IN (%(ano)s);

-- name: record_refresh
-- The API's data version moves with every refresh (sql/queries/metrics.sql: version);
-- %(linhas)s: the relation's rows, counted.
INSERT INTO rpt.atualizacoes (relacao, updated_at, linhas) VALUES (%(relacao)s, now(), %(linhas)s)
ON CONFLICT (relacao) DO UPDATE SET updated_at = EXCLUDED.updated_at, linhas = EXCLUDED.linhas
RETURNING linhas;

-- name: record_change
-- The same after recomputing some years: %(delta)s rows inserted less rows deleted, so
-- the count costs nothing however long the history.
UPDATE rpt.atualizacoes SET updated_at = now(), linhas = linhas + %(delta)s
WHERE relacao = %(relacao)s
RETURNING linhas;
