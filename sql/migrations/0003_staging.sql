-- Staging table of export records, the audit of every ingest attempt and its rejected rows.

CREATE TABLE cfg.ingest_batches (
    batch_id      VARCHAR(50)  PRIMARY KEY,
    source_name   VARCHAR(100) NOT NULL,
    sha256        CHAR(64),
    layout        VARCHAR(20),
    rows_loaded   INT          NOT NULL DEFAULT 0,
    rows_rejected INT          NOT NULL DEFAULT 0,
    rows_replaced INT          NOT NULL DEFAULT 0,
    status        VARCHAR(20)  NOT NULL CHECK (status IN ('running', 'loaded', 'unchanged', 'failed')),
    error         TEXT,
    started_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    finished_at   TIMESTAMPTZ
);
CREATE INDEX idx_ingest_batches_source ON cfg.ingest_batches (source_name, started_at DESC);

CREATE TABLE stg.exportacao (
    ano           INT           NOT NULL CHECK (ano BETWEEN 1997 AND 2100),
    mes           INT           CHECK (mes BETWEEN 1 AND 12),  -- NULL: annual figures
    pais          VARCHAR(100)  NOT NULL CHECK (pais <> ''),
    setor         VARCHAR(100)  NOT NULL CHECK (setor <> ''),
    ncm           VARCHAR(20)   CHECK (ncm ~ '^[0-9]{8}$'),   -- NULL where the layout has none
    valor_usd     DECIMAL(15,2) NOT NULL CHECK (valor_usd >= 0),
    peso_kg       DECIMAL(15,3) NOT NULL CHECK (peso_kg >= 0),
    ingest_at     TIMESTAMPTZ   NOT NULL DEFAULT now(),
    ingest_batch  VARCHAR(50)   NOT NULL,
    ingest_source VARCHAR(100)  NOT NULL,
    -- Official codes kept as published (leading zeros restored); NULL for other layouts.
    co_pais       VARCHAR(3),
    sg_uf         VARCHAR(2),
    co_via        VARCHAR(2),
    co_urf        VARCHAR(7),
    co_unid       VARCHAR(2),
    qt_estat      DECIMAL(18,3) CHECK (qt_estat >= 0)
);
CREATE INDEX idx_exportacao_ano_pais ON stg.exportacao (ano, pais);
CREATE INDEX idx_exportacao_setor ON stg.exportacao (setor);
CREATE INDEX idx_exportacao_ingest ON stg.exportacao (ingest_source, ingest_batch);

CREATE TABLE cfg.ingest_rejects (
    batch_id    VARCHAR(50)  NOT NULL REFERENCES cfg.ingest_batches (batch_id) ON DELETE CASCADE,
    source_name VARCHAR(100) NOT NULL,
    line        INT          NOT NULL,
    reason      TEXT         NOT NULL,
    raw         JSONB        NOT NULL
);
CREATE INDEX idx_ingest_rejects_batch ON cfg.ingest_rejects (batch_id);
