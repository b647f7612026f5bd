-- Statements of the loader's partition swap (bgc_pipeline/ingest/loader.py). {new},
-- {old}, {partition} and {staging} (stg.exportacao or stg.importacao) are table names
-- composed with psycopg2.sql; %(source)s and %(batch)s are bind parameters. None of
-- them touches the staging table itself until the swap, so concurrent loads of other
-- files take no lock on it before then.

-- name: new_partition
-- A fresh table shaped like stg.exportacao (0007): same columns, NOT NULLs and named
-- CHECKs (braces doubled for psycopg2.sql); the partition CHECK matches the
-- partition bound, so ATTACH skips its scan. The batch and the source are column
-- defaults: the COPY sends neither.
CREATE TABLE {new} (
    ano           INT           NOT NULL CONSTRAINT exportacao_ano_check CHECK (ano BETWEEN 1997 AND 2100),
    mes           INT           CONSTRAINT exportacao_mes_check CHECK (mes BETWEEN 1 AND 12),
    pais          VARCHAR(100)  NOT NULL CONSTRAINT exportacao_pais_check CHECK (pais <> ''),
    setor         VARCHAR(100)  NOT NULL CONSTRAINT exportacao_setor_check CHECK (setor <> ''),
    ncm           VARCHAR(20)   CONSTRAINT exportacao_ncm_check CHECK (ncm ~ '^[0-9]{{8}}$'),
    valor_usd     DECIMAL(15,2) NOT NULL CONSTRAINT exportacao_valor_usd_check CHECK (valor_usd >= 0),
    peso_kg       DECIMAL(15,3) NOT NULL CONSTRAINT exportacao_peso_kg_check CHECK (peso_kg >= 0),
    ingest_at     TIMESTAMPTZ   NOT NULL DEFAULT now(),
    ingest_batch  VARCHAR(50)   NOT NULL DEFAULT %(batch)s,
    ingest_source VARCHAR(100)  NOT NULL DEFAULT %(source)s
                                CONSTRAINT exportacao_partition_check CHECK (ingest_source = %(source)s),
    co_pais       VARCHAR(3),
    sg_uf         VARCHAR(2),
    co_via        VARCHAR(2),
    co_urf        VARCHAR(7),
    co_unid       VARCHAR(2),
    qt_estat      DECIMAL(18,3) CONSTRAINT exportacao_qt_estat_check CHECK (qt_estat >= 0)
);

-- name: new_partition_importacao
-- The same for stg.importacao (0002): an export row's columns, freight and insurance.
CREATE TABLE {new} (
    ano           INT           NOT NULL CONSTRAINT importacao_ano_check CHECK (ano BETWEEN 1997 AND 2100),
    mes           INT           CONSTRAINT importacao_mes_check CHECK (mes BETWEEN 1 AND 12),
    pais          VARCHAR(100)  NOT NULL CONSTRAINT importacao_pais_check CHECK (pais <> ''),
    setor         VARCHAR(100)  NOT NULL CONSTRAINT importacao_setor_check CHECK (setor <> ''),
    ncm           VARCHAR(20)   CONSTRAINT importacao_ncm_check CHECK (ncm ~ '^[0-9]{{8}}$'),
    valor_usd     DECIMAL(15,2) NOT NULL CONSTRAINT importacao_valor_usd_check CHECK (valor_usd >= 0),
    peso_kg       DECIMAL(15,3) NOT NULL CONSTRAINT importacao_peso_kg_check CHECK (peso_kg >= 0),
    ingest_at     TIMESTAMPTZ   NOT NULL DEFAULT now(),
    ingest_batch  VARCHAR(50)   NOT NULL DEFAULT %(batch)s,
    ingest_source VARCHAR(100)  NOT NULL DEFAULT %(source)s
                                CONSTRAINT importacao_partition_check CHECK (ingest_source = %(source)s),
    co_pais       VARCHAR(3),
    sg_uf         VARCHAR(2),
    co_via        VARCHAR(2),
    co_urf        VARCHAR(7),
    co_unid       VARCHAR(2),
    qt_estat      DECIMAL(18,3) CONSTRAINT importacao_qt_estat_check CHECK (qt_estat >= 0),
    valor_frete   DECIMAL(15,2) NOT NULL CONSTRAINT importacao_valor_frete_check CHECK (valor_frete >= 0),
    valor_seguro  DECIMAL(15,2) NOT NULL CONSTRAINT importacao_valor_seguro_check CHECK (valor_seguro >= 0)
);

-- name: partition_indexes
-- The partitioned indexes' columns, built after the COPY; ATTACH adopts them. The
-- sorts get the memory a 1.6M-row file needs (the default 64 MB spills to disk).
SET LOCAL maintenance_work_mem = '256MB';
CREATE INDEX ON {new} (ano, pais);
CREATE INDEX ON {new} (setor);

-- name: partition_indexes_importacao
SET LOCAL maintenance_work_mem = '256MB';
CREATE INDEX ON {new} (ano, pais);

-- name: previous_rows
-- Rows of the partition this load replaces, counted from its aggregates (O(1)).
SELECT COALESCE(SUM(registros), 0) FROM rpt.agg_arquivo WHERE ingest_source = %(source)s;

-- name: delete_aggregates
-- The loader then COPYs the file's new aggregates, summed while it read the file.
DELETE FROM rpt.agg_arquivo WHERE ingest_source = %(source)s;
DELETE FROM rpt.agg_mensal WHERE ingest_source = %(source)s;
DELETE FROM rpt.agg_dimensao WHERE ingest_source = %(source)s;

-- name: previous_rows_importacao
SELECT COALESCE(SUM(registros), 0) FROM rpt.agg_arquivo_importacao
WHERE ingest_source = %(source)s;

-- name: delete_aggregates_importacao
DELETE FROM rpt.agg_arquivo_importacao WHERE ingest_source = %(source)s;

-- name: lock_staging
-- First statement of the swap. DETACH would take this lock anyway, but ATTACH alone
-- takes only SHARE UPDATE EXCLUSIVE: a reader could then plan without the new partition
-- (uncommitted) and run after the commit, seeing the file's aggregates but none of its
-- rows. Held until the commit, so readers see the old file or the new one.
LOCK TABLE {staging} IN ACCESS EXCLUSIVE MODE;

-- name: detach_previous
ALTER TABLE {staging} DETACH PARTITION {old};
DROP TABLE {old};

-- name: attach_new
ALTER TABLE {new} RENAME TO {partition};
ALTER TABLE {staging} ATTACH PARTITION {qualified} FOR VALUES IN (%(source)s);
