-- Filters combinable on every metrics endpoint (pais, bloco, uf, via, urf, ncm prefix,
-- setor, months): the per-file aggregates each keep one dimension, so a ranking by
-- state of the exports to China needs the cross of them all. rpt.exportacao_fato keeps
-- staging's grain less the unit and the load columns, recomputed per year like the
-- other yearly tables, so filtered answers move with the same data version as the
-- unfiltered ones (staging itself changes at every load, before the refresh).
--
-- The years a load touched are marked for every yearly relation listed in
-- rpt.relacoes_por_ano (until now a list inside the trigger function).

CREATE TABLE rpt.exportacao_fato (
    ano        INT           NOT NULL,
    mes        INT,
    pais       VARCHAR(100)  NOT NULL,
    setor      VARCHAR(100)  NOT NULL,
    uf         VARCHAR(2),
    via        VARCHAR(2),
    urf        VARCHAR(7),
    ncm        VARCHAR(8),
    total_usd  DECIMAL(18,2) NOT NULL,
    total_kg   DECIMAL(18,3) NOT NULL,
    registros  BIGINT        NOT NULL,
    updated_at TIMESTAMPTZ   NOT NULL
);
-- A refresh writes each year ordered by country and NCM, so a country's rows (the most
-- common filter) lie together and (ano, pais, ncm) reads few pages; states and NCM
-- prefixes have their own indexes. The statistics of the month as queries test it
-- (annual figures as December) keep the planner's row estimates, hence its choice of a
-- hash aggregate, right.
CREATE INDEX ix_exportacao_fato_pais ON rpt.exportacao_fato (ano, pais, ncm varchar_pattern_ops);
CREATE INDEX ix_exportacao_fato_uf ON rpt.exportacao_fato (ano, uf);
CREATE INDEX ix_exportacao_fato_ncm ON rpt.exportacao_fato (ano, ncm varchar_pattern_ops);
CREATE STATISTICS rpt.st_exportacao_fato_mes ON (COALESCE(mes, 12)) FROM rpt.exportacao_fato;

CREATE VIEW rpt.mv_exportacao_fato AS
SELECT ano, mes, pais, setor, uf, via, urf, ncm, total_usd, total_kg, registros, updated_at
FROM rpt.exportacao_fato;

CREATE TABLE rpt.relacoes_por_ano (
    relacao TEXT PRIMARY KEY
);
INSERT INTO rpt.relacoes_por_ano VALUES
    ('mv_exportacao_mensal'), ('mv_exportacao_anual'), ('mv_serie_mensal'),
    ('mv_exportacao_dimensao'), ('mv_exportacao_fato');

CREATE OR REPLACE FUNCTION rpt.marcar_anos_pendentes() RETURNS trigger
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
    SELECT DISTINCT r.relacao, y.ano
    FROM rpt.relacoes_por_ano r, unnest(changed) AS y (ano);
    RETURN NULL;
END
$$;

-- Every year stored so far, recomputed by the first refresh.
INSERT INTO rpt.anos_pendentes (relacao, ano)
SELECT DISTINCT 'mv_exportacao_fato', ano FROM rpt.agg_arquivo;
INSERT INTO rpt.atualizacoes VALUES ('mv_exportacao_fato', now(), 0);

-- The facts of a scope: the years given (NULL: all), the months de..ate of each (NULL:
-- all; annual figures count as December), and each filter given (NULL: none). `ncm` is
-- a prefix (an NCM, SH6, SH4 or SH2 code), `bloco` every country of the bloc. A plain
-- SQL function, inlined by the planner: with the API's literal arguments the unused
-- conditions fold away and the (ano, pais), (ano, uf), (ano, ncm) indexes apply.
CREATE FUNCTION rpt.fatos_filtrados(
    anos INT[], de INT, ate INT, f_pais TEXT, f_bloco TEXT, f_uf TEXT, f_via TEXT,
    f_urf TEXT, f_ncm TEXT, f_setor TEXT
) RETURNS SETOF rpt.exportacao_fato
LANGUAGE sql STABLE AS $$
    SELECT f.*
    FROM rpt.exportacao_fato f
    WHERE (anos IS NULL OR f.ano = ANY(anos))
      AND (de IS NULL OR COALESCE(f.mes, 12) >= de)
      AND (ate IS NULL OR COALESCE(f.mes, 12) <= ate)
      AND (f_pais IS NULL OR f.pais = f_pais)
      AND (f_bloco IS NULL OR f.pais IN (SELECT b.pais FROM rpt.pais_bloco b
                                         WHERE b.co_bloco = f_bloco))
      AND (f_uf IS NULL OR f.uf = f_uf)
      AND (f_via IS NULL OR f.via = f_via)
      AND (f_urf IS NULL OR f.urf = f_urf)
      AND (f_ncm IS NULL OR f.ncm LIKE f_ncm || '%')
      AND (f_setor IS NULL OR f.setor = f_setor)
$$;

-- Countries by any of the names a client may use: the Portuguese name, the Comex Stat
-- code or the ISO3 code (the API's pais filter).
CREATE VIEW rpt.pais_codigos AS
SELECT no_pais AS pais, co_pais, upper(iso3) AS iso3 FROM cfg.pais;

-- Sectors by name and by ISIC section letter (the setor filter and /setor's codigo).
CREATE VIEW rpt.setor_codigos AS
SELECT DISTINCT setor, isic_secao AS codigo FROM cfg.ncm_setor;

-- Product classifications by NCM (official NCM.csv, with NCM_CGCE.csv and NCM_CUCI.csv
-- for the top levels): fator agregado, CGCE level 1 (broad economic category) and CUCI
-- section (SITC). Filled from sql/reference/ncm_classes.csv like the other reference
-- tables; cfg.nomes is emptied so the shipped names, which now include these
-- dimensions, are loaded again.
CREATE TABLE cfg.ncm_classes (
    ncm   VARCHAR(8) PRIMARY KEY CHECK (ncm ~ '^[0-9]{8}$'),
    fator VARCHAR(2),
    cgce  VARCHAR(1),
    cuci  VARCHAR(1)
);
DELETE FROM cfg.nomes;
ALTER TABLE cfg.nomes
    DROP CONSTRAINT nomes_dimensao_check,
    ADD CONSTRAINT nomes_dimensao_check CHECK (dimensao IN (
        'uf', 'via', 'urf', 'ncm', 'sh6', 'sh4', 'sh2', 'bloco', 'fator', 'cgce', 'cuci'));

CREATE VIEW rpt.ncm_classes AS SELECT ncm, fator, cgce, cuci FROM cfg.ncm_classes;

-- The months of an answer as before (0011), each bound found one step down the
-- (ano, mes, ...) index instead of scanning the reference year's rows: annual figures
-- (no month) make the year run through December.
CREATE OR REPLACE FUNCTION rpt.periodo(ano_pedido INT, mes_de INT, mes_ate INT)
RETURNS TABLE (ano INT, de INT, ate INT)
LANGUAGE sql STABLE AS $$
    SELECT y.ano,
           COALESCE(mes_de, 1),
           COALESCE(mes_ate,
                    CASE WHEN EXISTS (SELECT 1 FROM rpt.mv_exportacao_mensal m
                                      WHERE m.ano = y.ano AND m.mes IS NULL) THEN 12 END,
                    (SELECT m.mes FROM rpt.mv_exportacao_mensal m
                     WHERE m.ano = y.ano AND m.mes IS NOT NULL
                     ORDER BY m.mes DESC LIMIT 1),
                    12)
    FROM (SELECT COALESCE(ano_pedido, (SELECT max(a.ano) FROM rpt.mv_exportacao_anual a))
                 AS ano) AS y
$$;

GRANT SELECT ON ALL TABLES IN SCHEMA rpt TO bgc_api_reader;
