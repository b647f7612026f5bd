"""The daily refresh of the report views, at 01:00 São Paulo time (cron ``0 1 * * *``)."""

import dagster as dg

from bgc_pipeline.defs.jobs import refresh_views_job

daily_refresh = dg.ScheduleDefinition(
    name="daily_view_refresh",
    job=refresh_views_job,
    cron_schedule="0 1 * * *",
    execution_timezone="America/Sao_Paulo",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
