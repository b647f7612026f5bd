-- Blank lines (CSV) or rows (XLSX) are skipped, not rejected; each attempt counts them.
ALTER TABLE cfg.ingest_batches ADD COLUMN rows_blank INT NOT NULL DEFAULT 0;
