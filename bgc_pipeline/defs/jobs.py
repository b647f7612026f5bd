"""Jobs: one load per landing file, and the refresh of every report view."""

import dagster as dg

from bgc_pipeline.defs.keys import STG_IMPORT_KEY, STG_KEY

load_file_job = dg.define_asset_job(
    name="load_landing_file",
    selection=dg.AssetSelection.assets(STG_KEY),
    description="Load one landing file (partition) into stg.exportacao.",
)

load_import_file_job = dg.define_asset_job(
    name="load_landing_import_file",
    selection=dg.AssetSelection.assets(STG_IMPORT_KEY),
    description="Load one landing file (partition) of imports into stg.importacao.",
)

refresh_views_job = dg.define_asset_job(
    name="refresh_views",
    selection=dg.AssetSelection.groups("rpt"),
    description="Refresh every rpt view concurrently, base aggregate first.",
)
