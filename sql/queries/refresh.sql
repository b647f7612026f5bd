-- The per-year refresh of the history-sized report tables and the Parquet snapshots.
-- {table} is composed with psycopg2.sql from the view registry (bgc_core/views.py);
-- %(relacao)s is the view readers query (rpt.mv_*), %(anos)s the years to recompute.

-- name: memory
-- For the refresh's transaction only (BGC_REFRESH_WORK_MEM_MB): the yearly tables hash
-- and sort a year's per-file aggregates, which spill to disk at the default 4 MB.
SELECT set_config('work_mem', %(work_mem)s, true);


-- name: lock
-- One refresh of a table at a time: two would each delete only the rows their
-- snapshot saw, then both insert the year.
SELECT pg_advisory_xact_lock(hashtext('rpt.' || %(relacao)s));


-- name: take_pending
-- The years marked since the last refresh. Rows a load commits after this statement
-- stay for the next refresh.
WITH taken AS (
    DELETE FROM rpt.anos_pendentes WHERE relacao = %(relacao)s RETURNING ano
)
SELECT COALESCE(array_agg(DISTINCT ano ORDER BY ano), '{}') FROM taken;

-- name: take_all
-- A full rebuild: every year stored or still shown, and the pending marks with them.
-- {files}: the flow's per-file totals (rpt.agg_arquivo, rpt.agg_arquivo_importacao).
WITH taken AS (
    DELETE FROM rpt.anos_pendentes WHERE relacao = %(relacao)s RETURNING ano
), anos AS (
    SELECT ano FROM taken
    UNION SELECT ano FROM {files}
    UNION SELECT ano FROM {table}
)
SELECT COALESCE(array_agg(ano ORDER BY ano), '{{}}') FROM anos;

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
-- code stays NULL: the share without it. Cumulative through each month. The months are
-- summed per code first and accumulated after, once per code rather than once per
-- source row (the same sums: the month columns are NOT NULL): 1.4 s to 0.3 s for a
-- 1.2M-row year.
INSERT INTO rpt.exportacao_dimensao
SELECT ano, dimensao, codigo,
       u01 + u02 + u03 + u04 + u05 + u06 + u07 + u08 + u09 + u10 + u11 + u12,
       k01 + k02 + k03 + k04 + k05 + k06 + k07 + k08 + k09 + k10 + k11 + k12,
       registros,
       ARRAY[
           u01,
           u01 + u02,
           u01 + u02 + u03,
           u01 + u02 + u03 + u04,
           u01 + u02 + u03 + u04 + u05,
           u01 + u02 + u03 + u04 + u05 + u06,
           u01 + u02 + u03 + u04 + u05 + u06 + u07,
           u01 + u02 + u03 + u04 + u05 + u06 + u07 + u08,
           u01 + u02 + u03 + u04 + u05 + u06 + u07 + u08 + u09,
           u01 + u02 + u03 + u04 + u05 + u06 + u07 + u08 + u09 + u10,
           u01 + u02 + u03 + u04 + u05 + u06 + u07 + u08 + u09 + u10 + u11,
           u01 + u02 + u03 + u04 + u05 + u06 + u07 + u08 + u09 + u10 + u11 + u12
       ],
       ARRAY[
           k01,
           k01 + k02,
           k01 + k02 + k03,
           k01 + k02 + k03 + k04,
           k01 + k02 + k03 + k04 + k05,
           k01 + k02 + k03 + k04 + k05 + k06,
           k01 + k02 + k03 + k04 + k05 + k06 + k07,
           k01 + k02 + k03 + k04 + k05 + k06 + k07 + k08,
           k01 + k02 + k03 + k04 + k05 + k06 + k07 + k08 + k09,
           k01 + k02 + k03 + k04 + k05 + k06 + k07 + k08 + k09 + k10,
           k01 + k02 + k03 + k04 + k05 + k06 + k07 + k08 + k09 + k10 + k11,
           k01 + k02 + k03 + k04 + k05 + k06 + k07 + k08 + k09 + k10 + k11 + k12
       ],
       now()
FROM (
    SELECT ano, dimensao, codigo, SUM(registros) AS registros,
           SUM(usd_m01) AS u01,
           SUM(usd_m02) AS u02,
           SUM(usd_m03) AS u03,
           SUM(usd_m04) AS u04,
           SUM(usd_m05) AS u05,
           SUM(usd_m06) AS u06,
           SUM(usd_m07) AS u07,
           SUM(usd_m08) AS u08,
           SUM(usd_m09) AS u09,
           SUM(usd_m10) AS u10,
           SUM(usd_m11) AS u11,
           SUM(usd_m12) AS u12,
           SUM(kg_m01) AS k01,
           SUM(kg_m02) AS k02,
           SUM(kg_m03) AS k03,
           SUM(kg_m04) AS k04,
           SUM(kg_m05) AS k05,
           SUM(kg_m06) AS k06,
           SUM(kg_m07) AS k07,
           SUM(kg_m08) AS k08,
           SUM(kg_m09) AS k09,
           SUM(kg_m10) AS k10,
           SUM(kg_m11) AS k11,
           SUM(kg_m12) AS k12
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
    GROUP BY ano, dimensao, codigo
) AS por_mes;

-- name: snapshot_rows
-- One half of a year of staging for its Parquet snapshot (months 1-6, or the rest with
-- the annual figures: %(primeira)s), in the column order sql/queries/snapshots.sql reads
-- (the year itself is a constant there, the NCM classes are joined there: a join here
-- cost 0.7 s more of COPY for a 1.2M-row year). The two halves are copied at once on two
-- connections that share the refresh's snapshot: 0.95 s to 0.64 s for a 1.2M-row year.
-- Composed with mogrify: COPY takes no bind parameters.
COPY (
    SELECT mes, ncm, pais, sg_uf, co_via, co_urf, co_unid, setor, valor_usd, peso_kg,
           qt_estat
    FROM stg.exportacao
    WHERE ano = %(ano)s AND (COALESCE(mes, 13) <= 6) = %(primeira)s
) TO STDOUT WITH (FORMAT csv);

-- name: snapshot_rows_importacao
-- The same for the imports (stg.importacao), with freight and insurance last.
COPY (
    SELECT mes, ncm, pais, sg_uf, co_via, co_urf, co_unid, setor, valor_usd, peso_kg,
           qt_estat, valor_frete, valor_seguro
    FROM stg.importacao
    WHERE ano = %(ano)s AND (COALESCE(mes, 13) <= 6) = %(primeira)s
) TO STDOUT WITH (FORMAT csv);

-- name: export_snapshot
-- The refresh's snapshot, for the connection that copies beside it.
SELECT pg_export_snapshot();

-- name: import_snapshot
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;
SET TRANSACTION SNAPSHOT %(snapshot)s;

-- name: snapshot_classes
-- Every NCM's classes, joined to the year's rows in DuckDB.
COPY cfg.ncm_classes (ncm, fator, cgce, cuci) TO STDOUT WITH (FORMAT csv);

-- name: snapshot_bytes
-- A year's new file goes first into a temporary table through a binary COPY: as a bind
-- parameter, psycopg2 sends bytea as hex text, which cost 0.4 s for a 17 MB file against
-- 0.1 s (docs/benchmarks.md).
CREATE TEMP TABLE IF NOT EXISTS snapshot_novo (conteudo BYTEA) ON COMMIT DROP;
TRUNCATE snapshot_novo;

-- name: snapshot_copy
COPY snapshot_novo (conteudo) FROM STDIN WITH (FORMAT binary);

-- name: snapshot_store
-- The year's row, its bytes from snapshot_bytes; an unchanged file keeps its row.
INSERT INTO rpt.snapshot_exportacao
    (ano, sha256, linhas, registros, bytes, total_usd, total_kg, conteudo, updated_at)
SELECT %(ano)s, %(sha256)s, %(linhas)s, %(registros)s, %(bytes)s, %(total_usd)s,
       %(total_kg)s, conteudo, now()
FROM snapshot_novo
ON CONFLICT (ano) DO UPDATE
SET sha256 = EXCLUDED.sha256, linhas = EXCLUDED.linhas, registros = EXCLUDED.registros,
    bytes = EXCLUDED.bytes, total_usd = EXCLUDED.total_usd, total_kg = EXCLUDED.total_kg,
    conteudo = EXCLUDED.conteudo, updated_at = EXCLUDED.updated_at
WHERE rpt.snapshot_exportacao.sha256 <> EXCLUDED.sha256;

-- name: snapshot_store_importacao
-- The same for an import year, with its freight and insurance.
INSERT INTO rpt.snapshot_importacao
    (ano, sha256, linhas, registros, bytes, total_usd, total_kg, total_frete, total_seguro,
     mes_max, conteudo, updated_at)
SELECT %(ano)s, %(sha256)s, %(linhas)s, %(registros)s, %(bytes)s, %(total_usd)s,
       %(total_kg)s, %(total_frete)s, %(total_seguro)s, %(mes_max)s, conteudo, now()
FROM snapshot_novo
ON CONFLICT (ano) DO UPDATE
SET sha256 = EXCLUDED.sha256, linhas = EXCLUDED.linhas, registros = EXCLUDED.registros,
    bytes = EXCLUDED.bytes, total_usd = EXCLUDED.total_usd, total_kg = EXCLUDED.total_kg,
    total_frete = EXCLUDED.total_frete, total_seguro = EXCLUDED.total_seguro,
    mes_max = EXCLUDED.mes_max, conteudo = EXCLUDED.conteudo, updated_at = EXCLUDED.updated_at
WHERE rpt.snapshot_importacao.sha256 <> EXCLUDED.sha256;

-- The next four read or change one flow's snapshots: {snapshot} is
-- rpt.snapshot_exportacao or rpt.snapshot_importacao (bgc_core/snapshots.py: Kind).

-- name: snapshot_stored
-- The hash stored for a year, if any (an unchanged file is not written again).
SELECT sha256 FROM {snapshot} WHERE ano = %(ano)s;

-- name: snapshot_drop
-- A year staging no longer holds: its file goes with it.
DELETE FROM {snapshot} WHERE ano = %(ano)s;

-- name: snapshot_count
-- The rows of every stored file (the snapshots' row count).
SELECT COALESCE(sum(linhas), 0) FROM {snapshot};

-- name: snapshot_all
-- Every stored file with its hash (the Dagster checks read them).
SELECT ano, sha256, conteudo FROM {snapshot} ORDER BY ano;

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
