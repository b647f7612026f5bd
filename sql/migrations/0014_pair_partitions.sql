-- rpt.exportacao_par partitioned by year (rpt.exportacao_par_<ano>).
--
-- A refresh used to delete a year's rows and insert the new ones in one transaction:
-- the index entries of the rows it deleted stay until the commit, so the inserts split
-- pages full of dead entries, and a revised year took 59 s where the first load of the
-- same year took 40 s (docs/benchmarks.md). Now a refresh builds each year into a new
-- table with no index, indexes it (a sorted build) and, last, swaps it for the year's
-- partition (bgc_core/views.py). The swap's lock is held from the swap to the commit
-- only, not while the years are computed.
--
-- The rows stored so far move into the partitions: the answers stay as they were.

DROP VIEW rpt.mv_exportacao_par;
ALTER TABLE rpt.exportacao_par RENAME TO exportacao_par_0013;
ALTER INDEX rpt.ix_exportacao_par RENAME TO ix_exportacao_par_0013;
ALTER INDEX rpt.ix_exportacao_par_ncm RENAME TO ix_exportacao_par_ncm_0013;

-- The columns of 0013's table.
CREATE TABLE rpt.exportacao_par (LIKE rpt.exportacao_par_0013 INCLUDING DEFAULTS)
PARTITION BY LIST (ano);
-- As in 0013; a year's table gets the same two indexes before it is attached, and the
-- attach adopts them.
CREATE INDEX ix_exportacao_par
    ON rpt.exportacao_par (ano, conjunto, pais, uf, via, urf, setor, ncm);
CREATE INDEX ix_exportacao_par_ncm
    ON rpt.exportacao_par (ano, conjunto, ncm varchar_pattern_ops);

DO $$
DECLARE
    y INT;
BEGIN
    FOR y IN SELECT DISTINCT ano FROM rpt.exportacao_par_0013 ORDER BY ano LOOP
        EXECUTE format('CREATE TABLE rpt.%I PARTITION OF rpt.exportacao_par FOR VALUES IN (%s)',
                       'exportacao_par_' || y, y);
    END LOOP;
END
$$;

INSERT INTO rpt.exportacao_par
SELECT * FROM rpt.exportacao_par_0013
ORDER BY ano, conjunto, pais, uf, via, urf, setor, ncm;
DROP TABLE rpt.exportacao_par_0013;

CREATE VIEW rpt.mv_exportacao_par AS
SELECT ano, conjunto, pais, setor, uf, via, urf, ncm, total_usd, total_kg,
       anterior_usd, anterior_kg, mes_max, updated_at
FROM rpt.exportacao_par;

GRANT SELECT ON ALL TABLES IN SCHEMA rpt TO bgc_api_reader;
ANALYZE rpt.exportacao_par;
