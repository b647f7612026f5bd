"""End to end, in process: drop a file, the sensor requests a run, the load runs,
automation requests the views, they refresh, and the views show the new data."""

import shutil
from pathlib import Path

import dagster as dg

from bgc_pipeline.defs.assets import view_assets
from bgc_pipeline.defs.checks import asset_checks
from bgc_pipeline.defs.keys import VIEW_KEYS
from tests.support.dagster import bound_definitions, load_partition, resources, sensor_tick
from tests.support.db import query
from tests.support.ingest import csv_totals
from tests.support.paths import FIXTURES


def sensor_requests(
    instance: dg.DagsterInstance, url: str, landing: Path, cursor: str | None
) -> tuple[list[dg.RunRequest], str | None]:
    requests: list[dg.RunRequest] = []
    for _ in range(2):  # a file is loaded once its size held still for one tick
        result = sensor_tick(instance, url, landing, cursor)
        requests += result.run_requests or []
        cursor = result.cursor
    return requests, cursor


def run_automation(instance: dg.DagsterInstance, url: str, landing: Path, cursor: object) -> object:
    evaluation = dg.evaluate_automation_conditions(
        defs=bound_definitions(url, landing),
        instance=instance,
        cursor=cursor,  # type: ignore[arg-type]
    )
    requested = [key for a in view_assets for key in a.keys if evaluation.get_num_requested(key)]
    if requested:
        dg.materialize(
            [*view_assets, *asset_checks],  # type: ignore[list-item]
            instance=instance, resources=resources(url, landing), selection=requested,
        )  # fmt: skip
    return evaluation.cursor


def test_dropped_files_reach_the_views(database_url: str, tmp_path: Path) -> None:
    instance = dg.DagsterInstance.ephemeral()
    landing = tmp_path / "landing"
    landing.mkdir()
    cursor = None
    automation = run_automation(instance, database_url, landing, None)  # the daemon's first tick
    for name in ("EXP_2012_01.csv", "EXP_2025_06_head.csv"):
        shutil.copy(FIXTURES / "comexstat" / name, landing / name)
        requests, cursor = sensor_requests(instance, database_url, landing, cursor)
        assert [r.partition_key for r in requests] == [name]
        load_partition(instance, database_url, landing, name)
        automation = run_automation(instance, database_url, landing, automation)
        expected = [csv_totals(landing / n, "VL_FOB", "KG_LIQUIDO")[1] for n in landing.iterdir()]
        view_total = query(database_url, "SELECT total_usd FROM rpt.mv_resumo_geral")[0][0]
        assert view_total == sum(expected)
    materialized = {
        key for key in VIEW_KEYS.values() if instance.get_latest_materialization_event(key)
    }
    assert materialized == set(VIEW_KEYS.values())
    assert sensor_requests(instance, database_url, landing, cursor)[0] == []
