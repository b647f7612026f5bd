-- Answers with one filter read the facts at staging's grain: /uf?pais=China sums every
-- one of China's rows of the year and the year before (a fifth of 1.2M rows each), which
-- costs 0.5 to 1 s. rpt.exportacao_par keeps, per year, the sums by every single
-- dimension and every pair of dimensions that such an answer needs (the filter's and
-- the ranked one's). Dimensions: country (a bloc filters or ranks its countries),
-- sector, state, route, customs unit and NCM (whose prefixes are the HS levels and whose
-- classes are fator, CGCE and CUCI); the NCM always carries its sector.
--
-- `conjunto` is GROUPING(pais, setor, uf, via, urf, ncm): a bit for each column the row
-- is NOT split by (pais 32, setor 16, uf 8, via 4, urf 2, ncm 1). A NULL in a column the
-- row is split by is a row without that code (the project layout has no state, route or
-- unit), as in the facts.
--
-- Rows also carry the year before over the same months (anterior_*: months 1 through
-- the year's last month, annual figures as December), the comparison every growth
-- figure makes; total_* are NULL when the codes exported only in the year before, and
-- mes_max is the row's latest month of its year (annual figures as December). So a
-- year's rows depend on the year before: a load marks its year and the next one
-- (rpt.relacoes_por_ano.le_ano_anterior).
CREATE TABLE rpt.exportacao_par (
    ano          INT           NOT NULL,
    conjunto     SMALLINT      NOT NULL,
    pais         VARCHAR(100),
    setor        VARCHAR(100),
    uf           VARCHAR(2),
    via          VARCHAR(2),
    urf          VARCHAR(7),
    ncm          VARCHAR(8),
    total_usd    DECIMAL(18,2),
    total_kg     DECIMAL(18,3),
    anterior_usd DECIMAL(18,2),
    anterior_kg  DECIMAL(18,3),
    mes_max      SMALLINT,
    updated_at   TIMESTAMPTZ   NOT NULL
);
-- A refresh writes each year in the order of the first index, so one code's rows of a
-- set lie together. A set's columns it is not split by are NULL, and queries say so
-- (rpt.pares_filtrados), so the first index finds a code of the set's first column in
-- one range, and the others by reading the set's index entries only; NCM prefixes have
-- the second.
CREATE INDEX ix_exportacao_par
    ON rpt.exportacao_par (ano, conjunto, pais, uf, via, urf, setor, ncm);
CREATE INDEX ix_exportacao_par_ncm
    ON rpt.exportacao_par (ano, conjunto, ncm varchar_pattern_ops);

CREATE VIEW rpt.mv_exportacao_par AS
SELECT ano, conjunto, pais, setor, uf, via, urf, ncm, total_usd, total_kg,
       anterior_usd, anterior_kg, mes_max, updated_at
FROM rpt.exportacao_par;

ALTER TABLE rpt.relacoes_por_ano ADD COLUMN le_ano_anterior BOOLEAN NOT NULL DEFAULT false;
INSERT INTO rpt.relacoes_por_ano (relacao, le_ano_anterior) VALUES ('mv_exportacao_par', true);

-- As in 0012, and the year after each changed year for the relations that read the
-- year before.
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
    SELECT DISTINCT r.relacao, y.ano + d.depois
    FROM rpt.relacoes_por_ano r, unnest(changed) AS y (ano),
         (VALUES (0), (1)) AS d (depois)
    WHERE d.depois = 0 OR r.le_ano_anterior;
    RETURN NULL;
END
$$;

-- Every year stored so far, computed by the first refresh.
INSERT INTO rpt.anos_pendentes (relacao, ano)
SELECT DISTINCT 'mv_exportacao_par', ano FROM rpt.agg_arquivo;
INSERT INTO rpt.atualizacoes VALUES ('mv_exportacao_par', now(), 0);

-- The rows of one conjunto for the years given (NULL: all) and each filter given (NULL:
-- none), as the facts' columns: each row's values of its year (with its latest month)
-- and, with `anterior`, its values of the year before over the same months, as a row of
-- that year (latest month NULL). Inlined by the
-- planner like rpt.fatos_filtrados.
CREATE FUNCTION rpt.pares_filtrados(
    conjunto_pedido INT, anos INT[], anterior BOOLEAN, f_pais TEXT, f_bloco TEXT,
    f_uf TEXT, f_via TEXT, f_urf TEXT, f_ncm TEXT, f_setor TEXT
) RETURNS TABLE (
    ano INT, pais VARCHAR, setor VARCHAR, uf VARCHAR, via VARCHAR, urf VARCHAR,
    ncm VARCHAR, total_usd DECIMAL, total_kg DECIMAL, mes_max INT
)
LANGUAGE sql STABLE AS $$
    SELECT l.ano, p.pais, p.setor, p.uf, p.via, p.urf, p.ncm, l.usd, l.kg,
           CASE WHEN l.ano = p.ano THEN p.mes_max END
    FROM rpt.exportacao_par p
    CROSS JOIN LATERAL (
        VALUES (p.ano, p.total_usd, p.total_kg),
               (p.ano - 1, p.anterior_usd, p.anterior_kg)
    ) AS l (ano, usd, kg)
    WHERE p.conjunto = conjunto_pedido
      AND (conjunto_pedido & 32 = 0 OR p.pais IS NULL)
      AND (conjunto_pedido & 8 = 0 OR p.uf IS NULL)
      AND (conjunto_pedido & 4 = 0 OR p.via IS NULL)
      AND (conjunto_pedido & 2 = 0 OR p.urf IS NULL)
      AND (conjunto_pedido & 16 = 0 OR p.setor IS NULL)
      AND (anos IS NULL OR p.ano = ANY(anos))
      AND l.usd IS NOT NULL AND (l.ano = p.ano OR anterior)
      AND (f_pais IS NULL OR p.pais = f_pais)
      AND (f_bloco IS NULL OR p.pais IN (SELECT b.pais FROM rpt.pais_bloco b
                                         WHERE b.co_bloco = f_bloco))
      AND (f_uf IS NULL OR p.uf = f_uf)
      AND (f_via IS NULL OR p.via = f_via)
      AND (f_urf IS NULL OR p.urf = f_urf)
      AND (f_ncm IS NULL OR p.ncm LIKE f_ncm || '%')
      AND (f_setor IS NULL OR p.setor = f_setor)
$$;

-- The rows a filtered answer sums for the reference year `ano` (and, with `anterior`,
-- the year before over the same months): from the pair table when the API found a
-- conjunto holding every dimension the answer needs, else from the facts over months
-- de..ate. The argument is a literal, so the planner keeps one branch.
CREATE FUNCTION rpt.escopo(
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
        conjunto_pedido, ARRAY[ano_ref], anterior, f_pais, f_bloco, f_uf, f_via, f_urf,
        f_ncm, f_setor) p
    WHERE conjunto_pedido IS NOT NULL
$$;

GRANT SELECT ON ALL TABLES IN SCHEMA rpt TO bgc_api_reader;
