"""Dagster objects, one module per kind; ``bgc_pipeline.definitions`` gathers them."""
