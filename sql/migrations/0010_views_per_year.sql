-- The history-sized report relations, kept per year so a refresh costs the years that
-- changed, not the whole history.
--
-- REFRESH MATERIALIZED VIEW (CONCURRENTLY or not) recomputes and rewrites every row,
-- so with 25 years a refresh cost 15 to 25 times the one-year refresh, even after a
-- change to one year. rpt.exportacao_mensal, rpt.exportacao_anual and rpt.serie_mensal
-- are tables instead: a change to rpt.agg_arquivo (a load's swap) marks its years in
-- rpt.anos_pendentes, and a refresh recomputes only those years from the per-file
-- aggregates, in one transaction (readers see the previous rows until it commits).
-- Readers keep their names and columns: rpt.mv_exportacao_mensal, rpt.mv_exportacao_anual
-- and rpt.mv_serie_mensal are plain views over the tables. The small summaries
-- (mv_resumo_pais, mv_resumo_setor, mv_resumo_geral) stay materialized views, refreshed
-- CONCURRENTLY, now from the yearly rollup (one row per year, country and sector).

DROP MATERIALIZED VIEW rpt.mv_serie_mensal;
DROP MATERIALIZED VIEW rpt.mv_exportacao_anual;
DROP MATERIALIZED VIEW rpt.mv_resumo_geral;
DROP MATERIALIZED VIEW rpt.mv_resumo_setor;
DROP MATERIALIZED VIEW rpt.mv_resumo_pais;
DROP MATERIALIZED VIEW rpt.mv_exportacao_mensal;

-- Years whose per-file aggregates changed since a relation (named as readers know it)
-- last recomputed them. One row per (relation, year, change): a refresh deletes exactly the rows it read, so a
-- change committed during a refresh stays pending for the next one.
CREATE TABLE rpt.anos_pendentes (
    id        BIGSERIAL   PRIMARY KEY,
    relacao   TEXT        NOT NULL,
    ano       INT         NOT NULL,
    marked_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ix_anos_pendentes_relacao ON rpt.anos_pendentes (relacao);

CREATE FUNCTION rpt.marcar_anos_pendentes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed INT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := ARRAY[NEW.ano];
    ELSIF TG_OP = 'DELETE' THEN
        changed := ARRAY[OLD.ano];
    ELSE
        changed := ARRAY[OLD.ano, NEW.ano];
    END IF;
    INSERT INTO rpt.anos_pendentes (relacao, ano)
    SELECT DISTINCT relacao, ano
    FROM unnest(ARRAY['mv_exportacao_mensal', 'mv_exportacao_anual', 'mv_serie_mensal']) AS relacao,
         unnest(changed) AS ano;
    RETURN NULL;
END
$$;
CREATE TRIGGER tg_agg_arquivo_anos_pendentes
    AFTER INSERT OR UPDATE OR DELETE ON rpt.agg_arquivo
    FOR EACH ROW EXECUTE FUNCTION rpt.marcar_anos_pendentes();

-- The last refresh of each report relation and its rows: the API's data version (a
-- table's rows carry the time their year was recomputed, not the time of the
-- refresh), and a row count that a refresh updates by what it wrote instead of
-- counting the whole history.
CREATE TABLE rpt.atualizacoes (
    relacao    TEXT        PRIMARY KEY,
    updated_at TIMESTAMPTZ NOT NULL,
    linhas     BIGINT      NOT NULL
);

-- A year's per-file aggregates, found without reading the other years.
CREATE INDEX ix_agg_mensal_ano ON rpt.agg_mensal (ano);

-- By ano, mes, pais and setor: the original design's base aggregate.
CREATE TABLE rpt.exportacao_mensal (
    ano        INT           NOT NULL,
    mes        INT,
    pais       VARCHAR(100)  NOT NULL,
    setor      VARCHAR(100)  NOT NULL,
    total_usd  DECIMAL(18,2) NOT NULL,
    total_kg   DECIMAL(18,3) NOT NULL,
    registros  BIGINT        NOT NULL,
    updated_at TIMESTAMPTZ   NOT NULL
);
CREATE UNIQUE INDEX ux_exportacao_mensal
    ON rpt.exportacao_mensal (ano, mes, pais, setor) NULLS NOT DISTINCT;
CREATE INDEX ix_exportacao_mensal_pais ON rpt.exportacao_mensal (pais, ano);
CREATE INDEX ix_exportacao_mensal_setor ON rpt.exportacao_mensal (setor, ano);

-- By ano, pais and setor, with the value through each month (usd_ate_mes[m]; annual
-- figures, with no month, count as December; NULL when no row is that early).
CREATE TABLE rpt.exportacao_anual (
    ano         INT             NOT NULL,
    pais        VARCHAR(100)    NOT NULL,
    setor       VARCHAR(100)    NOT NULL,
    total_usd   DECIMAL(18,2)   NOT NULL,
    total_kg    DECIMAL(18,3)   NOT NULL,
    mes_max     INT             NOT NULL,
    usd_ate_mes DECIMAL(18,2)[] NOT NULL,
    updated_at  TIMESTAMPTZ     NOT NULL
);
CREATE UNIQUE INDEX ux_exportacao_anual ON rpt.exportacao_anual (ano, pais, setor);
CREATE INDEX ix_exportacao_anual_pais ON rpt.exportacao_anual (pais, ano);
CREATE INDEX ix_exportacao_anual_setor ON rpt.exportacao_anual (setor, ano);

-- Monthly totals for all, per country and per sector ('' = all); annual figures keep
-- mes NULL, so the totals equal staging's, and the series skips them.
CREATE TABLE rpt.serie_mensal (
    ano        INT           NOT NULL,
    mes        INT,
    pais       VARCHAR(100)  NOT NULL,
    setor      VARCHAR(100)  NOT NULL,
    total_usd  DECIMAL(18,2) NOT NULL,
    total_kg   DECIMAL(18,3) NOT NULL,
    updated_at TIMESTAMPTZ   NOT NULL
);
CREATE UNIQUE INDEX ux_serie_mensal
    ON rpt.serie_mensal (pais, setor, ano, mes) NULLS NOT DISTINCT;

-- The rows stored so far, computed as sql/queries/refresh.sql recomputes a year.
INSERT INTO rpt.exportacao_mensal
SELECT ano, mes, pais, setor, SUM(total_usd), SUM(total_kg), SUM(registros), now()
FROM rpt.agg_mensal
GROUP BY ano, mes, pais, setor;
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
GROUP BY ano, pais, setor;
INSERT INTO rpt.serie_mensal
SELECT ano, mes, COALESCE(pais, ''), COALESCE(setor, ''), SUM(total_usd), SUM(total_kg), now()
FROM rpt.agg_mensal
GROUP BY GROUPING SETS ((ano, mes), (ano, mes, pais), (ano, mes, setor));

CREATE VIEW rpt.mv_exportacao_mensal AS
SELECT ano, mes, pais, setor, total_usd, total_kg, registros, updated_at
FROM rpt.exportacao_mensal;
CREATE VIEW rpt.mv_exportacao_anual AS
SELECT ano, pais, setor, total_usd, total_kg, mes_max, usd_ate_mes, updated_at
FROM rpt.exportacao_anual;
CREATE VIEW rpt.mv_serie_mensal AS
SELECT ano, mes, pais, setor, total_usd, total_kg, updated_at
FROM rpt.serie_mensal;

-- The summaries, as in 0007, over the yearly rollup.
CREATE MATERIALIZED VIEW rpt.mv_resumo_pais AS
WITH por_pais AS (
    SELECT pais,
           SUM(total_usd)                       AS total_usd,
           SUM(total_kg)                        AS total_kg,
           ARRAY_AGG(DISTINCT ano ORDER BY ano) AS anos
    FROM rpt.exportacao_anual
    GROUP BY pais
)
SELECT pais,
       total_usd::DECIMAL(18,2) AS total_usd,
       total_kg::DECIMAL(18,3)  AS total_kg,
       ROUND(100 * total_usd / NULLIF(SUM(total_usd) OVER (), 0), 2)::DECIMAL(5,2) AS participacao_pct,
       anos::INT[]              AS anos,
       now()                    AS updated_at
FROM por_pais;
CREATE UNIQUE INDEX ux_mv_resumo_pais ON rpt.mv_resumo_pais (pais);

CREATE MATERIALIZED VIEW rpt.mv_resumo_setor AS
WITH por_setor AS (
    SELECT setor,
           SUM(total_usd)                       AS total_usd,
           SUM(total_kg)                        AS total_kg,
           ARRAY_AGG(DISTINCT ano ORDER BY ano) AS anos
    FROM rpt.exportacao_anual
    GROUP BY setor
)
SELECT setor,
       total_usd::DECIMAL(18,2) AS total_usd,
       total_kg::DECIMAL(18,3)  AS total_kg,
       ROUND(100 * total_usd / NULLIF(SUM(total_usd) OVER (), 0), 2)::DECIMAL(5,2) AS participacao_pct,
       anos::INT[]              AS anos,
       now()                    AS updated_at
FROM por_setor;
CREATE UNIQUE INDEX ux_mv_resumo_setor ON rpt.mv_resumo_setor (setor);

CREATE MATERIALIZED VIEW rpt.mv_resumo_geral AS
SELECT 1                                                         AS id,
       COALESCE(SUM(total_usd), 0)::DECIMAL(18,2)                AS total_usd,
       COALESCE(SUM(total_kg), 0)::DECIMAL(18,3)                 AS total_kg,
       COUNT(DISTINCT pais)::INT                                 AS paises_count,
       COUNT(DISTINCT setor)::INT                                AS setores_count,
       COALESCE(ARRAY_AGG(DISTINCT ano ORDER BY ano), '{}')::INT[] AS anos,
       now()                                                     AS updated_at
FROM rpt.exportacao_anual;
CREATE UNIQUE INDEX ux_mv_resumo_geral ON rpt.mv_resumo_geral (id);

INSERT INTO rpt.atualizacoes VALUES
    ('mv_exportacao_mensal', now(), (SELECT count(*) FROM rpt.exportacao_mensal)),
    ('mv_exportacao_anual', now(), (SELECT count(*) FROM rpt.exportacao_anual)),
    ('mv_serie_mensal', now(), (SELECT count(*) FROM rpt.serie_mensal)),
    ('mv_resumo_pais', now(), (SELECT count(*) FROM rpt.mv_resumo_pais)),
    ('mv_resumo_setor', now(), (SELECT count(*) FROM rpt.mv_resumo_setor)),
    ('mv_resumo_geral', now(), (SELECT count(*) FROM rpt.mv_resumo_geral));

-- The API's role reads the new relations (0005's default privileges cover the
-- migrating role only).
GRANT SELECT ON ALL TABLES IN SCHEMA rpt TO bgc_api_reader;
