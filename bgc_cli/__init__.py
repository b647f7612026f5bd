"""The command lines (``bgc``, ``bgc-ingest``) and the local stack runner (``bgc up``).

The only package that knows both sides: it launches the API and Dagster as processes
and calls the ingest engine; neither side imports it.
"""
