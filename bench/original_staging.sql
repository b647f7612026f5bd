-- The baseline of the load benchmark: stg.exportacao as the original design had it
-- (migration 0003), a plain table with its three indexes maintained row by row.
CREATE TABLE public.bench_raw (
    ano           INT           NOT NULL CHECK (ano BETWEEN 1997 AND 2100),
    mes           INT           CHECK (mes BETWEEN 1 AND 12),
    pais          VARCHAR(100)  NOT NULL CHECK (pais <> ''),
    setor         VARCHAR(100)  NOT NULL CHECK (setor <> ''),
    ncm           VARCHAR(20)   CHECK (ncm ~ '^[0-9]{8}$'),
    valor_usd     DECIMAL(15,2) NOT NULL CHECK (valor_usd >= 0),
    peso_kg       DECIMAL(15,3) NOT NULL CHECK (peso_kg >= 0),
    ingest_at     TIMESTAMPTZ   NOT NULL DEFAULT now(),
    ingest_batch  VARCHAR(50)   NOT NULL DEFAULT 'raw',
    ingest_source VARCHAR(100)  NOT NULL DEFAULT 'raw',
    co_pais       VARCHAR(3),
    sg_uf         VARCHAR(2),
    co_via        VARCHAR(2),
    co_urf        VARCHAR(7),
    co_unid       VARCHAR(2),
    qt_estat      DECIMAL(18,3) CHECK (qt_estat >= 0)
);
CREATE INDEX ON public.bench_raw (ano, pais);
CREATE INDEX ON public.bench_raw (setor);
CREATE INDEX ON public.bench_raw (ingest_source, ingest_batch);
