"""The one Dagster entry point (``workspace.yaml``, ``dagster dev``, ``dagster api grpc``).

Resources read the settings (``BGC_DATABASE_URL``, ``BGC_LANDING_DIR``, ``BGC_HOME``)
when a run or tick starts, never at import, with the same defaults as ``bgc up``: the
embedded PostgreSQL and ``.bgc/landing``. The Helm chart sets the variables.
"""

import dagster as dg

from bgc_pipeline.defs.assets import (
    raw_landing_files,
    stg_exportacao,
    stg_importacao,
    view_assets,
)
from bgc_pipeline.defs.checks import asset_checks
from bgc_pipeline.defs.jobs import load_file_job, load_import_file_job, refresh_views_job
from bgc_pipeline.defs.resources import BgcDatabase, LandingFolder
from bgc_pipeline.defs.schedules import daily_refresh
from bgc_pipeline.defs.sensors import automation_sensor, landing_sensor


def make_definitions(database: BgcDatabase, landing: LandingFolder) -> dg.Definitions:
    """Everything the pipeline defines, bound to one database and one landing folder."""
    return dg.Definitions(
        assets=[raw_landing_files, stg_exportacao, stg_importacao, *view_assets],
        asset_checks=asset_checks,
        jobs=[refresh_views_job, load_file_job, load_import_file_job],
        schedules=[daily_refresh],
        sensors=[landing_sensor, automation_sensor],
        resources={"database": database, "landing": landing},
        # Steps are short SQL calls: one process per run, not one per step (~2 s each).
        executor=dg.in_process_executor,
    )


defs = make_definitions(BgcDatabase(), LandingFolder())
