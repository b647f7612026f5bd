-- DuckDB queries that write a year's Parquet snapshot (bgc_core/snapshots.py) from the
-- CSV that PostgreSQL's COPY gave of staging's rows of that year (snapshot_rows in
-- refresh.sql) and of the NCM classes. {rows}, {classes} and {target} are the paths of
-- the refresh's own temporary folder, as quoted literals: COPY ... TO takes no parameter.
-- Then the totals the Dagster checks read back from the stored files ($files).

-- name: write
-- Staging's rows (PostgreSQL's CSV, in two halves: its dialect is stated, not sniffed per
-- file) summed to the analytical grain, each NCM with its classes, sorted by
-- state, country, NCM and month (then the rest of the grain, so the same facts always
-- make the same bytes), written as one zstd file of 122,880-row groups with statistics.
-- Level 9 makes the files 5% smaller than the default 3 for 0.35 s more a 1.2M-row year
-- (docs/benchmarks.md). The sums keep the staging columns' own precision, so they are
-- stored as 64-bit integers rather than 16-byte decimals.
COPY (
    WITH linhas AS (
        SELECT *
        FROM read_csv({rows}, header = false, delim = ',', quote = '"', escape = '"',
                      columns = {{
            'mes': 'TINYINT', 'ncm': 'VARCHAR', 'pais': 'VARCHAR', 'uf': 'VARCHAR',
            'via': 'VARCHAR', 'urf': 'VARCHAR', 'unid': 'VARCHAR', 'setor': 'VARCHAR',
            'usd': 'DECIMAL(18,2)', 'kg': 'DECIMAL(18,3)', 'qt': 'DECIMAL(18,3)'}})
    ),
    classes AS (
        SELECT *
        FROM read_csv({classes}, header = false, delim = ',', quote = '"', escape = '"',
                      columns = {{
            'ncm': 'VARCHAR', 'fator': 'VARCHAR', 'cgce': 'VARCHAR', 'cuci': 'VARCHAR'}})
    )
    SELECT CAST($ano AS SMALLINT) AS ano, l.mes, l.ncm, l.pais, l.uf, l.via, l.urf, l.unid,
           l.setor, c.fator, c.cgce, c.cuci,
           CAST(SUM(l.usd) AS DECIMAL(18,2)) AS usd,
           CAST(SUM(l.kg) AS DECIMAL(18,3))  AS kg,
           CAST(SUM(l.qt) AS DECIMAL(18,3))  AS qt,
           CAST(count(*) AS INTEGER)         AS registros
    FROM linhas l
    LEFT JOIN classes c ON c.ncm = l.ncm
    GROUP BY ALL
    ORDER BY l.uf, l.pais, l.ncm, l.mes, l.via, l.urf, l.unid, l.setor, c.fator, c.cgce,
             c.cuci
) TO {target} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 9,
               ROW_GROUP_SIZE 122880);

-- name: write_importacao
-- The same for an import year: freight and insurance summed beside FOB (CIF is their
-- sum, computed when read).
COPY (
    WITH linhas AS (
        SELECT *
        FROM read_csv({rows}, header = false, delim = ',', quote = '"', escape = '"',
                      columns = {{
            'mes': 'TINYINT', 'ncm': 'VARCHAR', 'pais': 'VARCHAR', 'uf': 'VARCHAR',
            'via': 'VARCHAR', 'urf': 'VARCHAR', 'unid': 'VARCHAR', 'setor': 'VARCHAR',
            'usd': 'DECIMAL(18,2)', 'kg': 'DECIMAL(18,3)', 'qt': 'DECIMAL(18,3)',
            'frete': 'DECIMAL(18,2)', 'seguro': 'DECIMAL(18,2)'}})
    ),
    classes AS (
        SELECT *
        FROM read_csv({classes}, header = false, delim = ',', quote = '"', escape = '"',
                      columns = {{
            'ncm': 'VARCHAR', 'fator': 'VARCHAR', 'cgce': 'VARCHAR', 'cuci': 'VARCHAR'}})
    )
    SELECT CAST($ano AS SMALLINT) AS ano, l.mes, l.ncm, l.pais, l.uf, l.via, l.urf, l.unid,
           l.setor, c.fator, c.cgce, c.cuci,
           CAST(SUM(l.usd) AS DECIMAL(18,2))    AS usd,
           CAST(SUM(l.kg) AS DECIMAL(18,3))     AS kg,
           CAST(SUM(l.qt) AS DECIMAL(18,3))     AS qt,
           CAST(SUM(l.frete) AS DECIMAL(18,2))  AS frete,
           CAST(SUM(l.seguro) AS DECIMAL(18,2)) AS seguro,
           CAST(count(*) AS INTEGER)            AS registros
    FROM linhas l
    LEFT JOIN classes c ON c.ncm = l.ncm
    GROUP BY ALL
    ORDER BY l.uf, l.pais, l.ncm, l.mes, l.via, l.urf, l.unid, l.setor, c.fator, c.cgce,
             c.cuci
) TO {target} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 9,
               ROW_GROUP_SIZE 122880);

-- name: totals
-- The written file's rows, records, value and weight (stored beside it).
SELECT count(*), COALESCE(SUM(registros), 0), COALESCE(SUM(usd), 0), COALESCE(SUM(kg), 0),
       NULL, NULL, max(mes)
FROM read_parquet($target);

-- name: totals_importacao
-- The same for an import year, with its freight and insurance.
SELECT count(*), COALESCE(SUM(registros), 0), COALESCE(SUM(usd), 0), COALESCE(SUM(kg), 0),
       COALESCE(SUM(frete), 0), COALESCE(SUM(seguro), 0), max(mes)
FROM read_parquet($target);

-- name: totais_por_ano
-- Each year's value and weight in the files (the Dagster checks compare them with
-- staging's per-file aggregates and the summaries).
SELECT ano, SUM(usd) AS total_usd, SUM(kg) AS total_kg, SUM(registros) AS registros
FROM read_parquet($files)
GROUP BY ano
ORDER BY ano;

-- name: totais_por_ano_importacao
-- The same for the imports' files, with freight and insurance.
SELECT ano, SUM(usd) AS total_usd, SUM(kg) AS total_kg, SUM(registros) AS registros,
       SUM(frete) AS total_frete, SUM(seguro) AS total_seguro
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
