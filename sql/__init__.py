"""All SQL of BGC Analytics, installed as the package ``bgc_sql`` (see bgc_core.sqlfiles)."""
