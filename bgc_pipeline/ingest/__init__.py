"""The ingest engine: every file takes this path into ``stg.exportacao`` or
``stg.importacao`` (CLI and Dagster)."""

from bgc_pipeline.ingest.errors import IngestError
from bgc_pipeline.ingest.flows import flow_of
from bgc_pipeline.ingest.loader import LoadResult, load_file, load_sources

__all__ = ["IngestError", "LoadResult", "flow_of", "load_file", "load_sources"]
