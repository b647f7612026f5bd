"""The pipeline: the ingest engine (:mod:`bgc_pipeline.ingest`) and the Dagster definitions
(:mod:`bgc_pipeline.defs`, gathered by :mod:`bgc_pipeline.definitions`)."""
