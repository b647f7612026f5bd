"""BGC Analytics HTTP API: metrics served from the ``rpt`` materialized views."""
