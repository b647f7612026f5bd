"""Asset keys and check names: constants, so a rename is one edit and a snapshot diff."""

import dagster as dg

from bgc_core import views

RAW_KEY = dg.AssetKey(["raw", "landing_files"])
STG_KEY = dg.AssetKey(["stg", "exportacao"])
STG_IMPORT_KEY = dg.AssetKey(["stg", "importacao"])
STAGING_KEYS = {"exportacao": STG_KEY, "importacao": STG_IMPORT_KEY}
"""Each flow's staging asset (``bgc_core.domain.FLOWS``)."""
VIEW_KEYS = {view: dg.AssetKey(["rpt", view]) for view in views.VIEWS_IN_ORDER}

STAGING_RULES = "staging_rules"
MDIC_TOTALS = "matches_mdic_totals"
VIEW_CONSISTENT = "consistent_with_staging"
SNAPSHOTS_MATCH_STAGING = "matches_staging_per_year"
VIEWS_MATCH_SNAPSHOTS = "views_match_duckdb"

ROW_COUNT = "dagster/row_count"
"""Rows of a whole table or view: the asset page charts it over time."""
PARTITION_ROW_COUNT = "dagster/partition_row_count"
"""Rows of one partition (one landing file in staging)."""
TABLE_NAME = "dagster/table_name"
