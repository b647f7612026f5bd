"""BGC Analytics pipeline: ingest Comex Stat files into PostgreSQL and refresh the report views."""
