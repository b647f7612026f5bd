-- The imports' per-year Parquet snapshots, beside the exports' (docs/architecture.md,
-- "Two flows"): the same grain, with freight and insurance, written by the same refresh
-- in the same transaction, so one data version names both flows' files. An import
-- load marks its years for this relation only: it never makes an export year pending.
-- mes_max, the year's latest month (NULL: annual figures only), is what the API's
-- import answers take as their latest month.

CREATE TABLE rpt.snapshot_importacao (
    ano integer NOT NULL,
    sha256 character(64) NOT NULL,
    linhas bigint NOT NULL,
    registros bigint NOT NULL,
    bytes bigint NOT NULL,
    total_usd numeric(18,2) NOT NULL,
    total_kg numeric(18,3) NOT NULL,
    total_frete numeric(18,2) NOT NULL,
    total_seguro numeric(18,2) NOT NULL,
    mes_max integer,
    conteudo bytea NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT snapshot_importacao_pkey PRIMARY KEY (ano),
    CONSTRAINT snapshot_importacao_sha256_key UNIQUE (sha256),
    CONSTRAINT snapshot_importacao_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text))
);
ALTER TABLE ONLY rpt.snapshot_importacao ALTER COLUMN conteudo SET STORAGE EXTERNAL;

-- An import file's change to its yearly totals marks those years for the imports'
-- snapshots only. One function marks for both flows: a trigger with arguments marks the
-- relations it names; one without (the exports', rpt.agg_arquivo) marks every relation
-- of rpt.relacoes_por_ano, as the baseline's did.
CREATE OR REPLACE FUNCTION rpt.marcar_anos_pendentes() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    changed INT[];
    relations TEXT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := ARRAY[NEW.ano];
    ELSIF TG_OP = 'DELETE' THEN
        changed := ARRAY[OLD.ano];
    ELSE
        changed := ARRAY[OLD.ano, NEW.ano];
    END IF;
    IF TG_NARGS > 0 THEN
        relations := TG_ARGV;
    ELSE
        relations := ARRAY(SELECT r.relacao FROM rpt.relacoes_por_ano r);
    END IF;
    INSERT INTO rpt.anos_pendentes (relacao, ano)
    SELECT DISTINCT r.relacao, y.ano
    FROM unnest(relations) AS r (relacao), unnest(changed) AS y (ano);
    RETURN NULL;
END
$$;

CREATE TRIGGER tg_agg_arquivo_importacao_anos_pendentes
    AFTER INSERT OR DELETE OR UPDATE ON rpt.agg_arquivo_importacao
    FOR EACH ROW EXECUTE FUNCTION rpt.marcar_anos_pendentes('snapshot_importacao');

-- Imports loaded before this migration: their years are pending.
INSERT INTO rpt.anos_pendentes (relacao, ano)
SELECT DISTINCT 'snapshot_importacao', ano FROM rpt.agg_arquivo_importacao;

INSERT INTO rpt.atualizacoes (relacao, updated_at, linhas)
VALUES ('snapshot_importacao', now(), 0);

GRANT SELECT ON TABLE rpt.snapshot_importacao TO bgc_api_reader;
