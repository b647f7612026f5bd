"""The seed's daily refresh (CronJob ``0 1 * * *``), at 01:00 São Paulo time."""

import dagster as dg

refresh_views_job = dg.define_asset_job(
    name="refresh_views",
    selection=dg.AssetSelection.groups("rpt"),
    description="Refresh every rpt view concurrently, base aggregate first.",
)

daily_refresh = dg.ScheduleDefinition(
    name="daily_view_refresh",
    job=refresh_views_job,
    cron_schedule="0 1 * * *",
    execution_timezone="America/Sao_Paulo",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
