"""The ingest engine: every file takes this path into ``stg.exportacao`` (CLI and Dagster)."""

from bgc_pipeline.ingest.errors import IngestError
from bgc_pipeline.ingest.loader import LoadResult, load_file, load_sources

__all__ = ["IngestError", "LoadResult", "load_file", "load_sources"]
