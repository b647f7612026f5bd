"""The Definitions load, every job resolves, every asset is described; automation and
schedule target the views."""

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

from bgc_core import views
from bgc_pipeline.definitions import defs
from bgc_pipeline.defs.keys import RAW_KEY, STAGING_KEYS, VIEW_KEYS
from bgc_pipeline.defs.schedules import daily_refresh


def test_definitions_load_and_every_job_resolves() -> None:
    dg.Definitions.validate_loadable(defs)
    jobs = {job.name for job in defs.resolve_all_job_defs()}
    assert {"refresh_views", "load_landing_file"} <= jobs


def test_every_asset_has_description_group_kinds_and_owners() -> None:
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    assert {*STAGING_KEYS.values(), *VIEW_KEYS.values()} <= keys
    for key in keys:
        node = graph.get(key)
        assert node.description, key
        assert node.group_name in ("raw", "stg", "rpt"), key
        assert node.owners == ["team:data-engineering"], key
        assert any(tag.startswith("dagster/kind/") for tag in node.tags), key


def _ancestors(graph: object, key: dg.AssetKey) -> set[dg.AssetKey]:
    found: set[dg.AssetKey] = set()
    todo = [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:  # type: ignore[attr-defined]
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def test_every_view_is_downstream_of_its_flows_staging_and_each_file() -> None:
    graph = defs.resolve_asset_graph()
    for view, key in VIEW_KEYS.items():
        staging = STAGING_KEYS[views.flow_of(view)]
        assert {staging, RAW_KEY} <= _ancestors(graph, key), key
    imports = _ancestors(graph, VIEW_KEYS[views.IMPORT_SNAPSHOTS])
    assert STAGING_KEYS["exportacao"] not in imports  # an import load refreshes no export file


def test_sensors_and_schedule_run_without_a_click() -> None:
    sensors = list(defs.sensors or [])
    assert {s.name for s in sensors} == {"landing_sensor", "view_refresh_automation"}
    for sensor in sensors:
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING, sensor.name
    assert daily_refresh.default_status == dg.DefaultScheduleStatus.RUNNING


def test_schedule_tick_at_one_am_sao_paulo_targets_the_views() -> None:
    tick = dt.datetime(2026, 3, 10, 1, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
    result = daily_refresh.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick))
    assert len(result.run_requests or []) == 1
    assert (daily_refresh.cron_schedule, daily_refresh.execution_timezone) == (
        "0 1 * * *",
        "America/Sao_Paulo",
    )
    job = defs.resolve_job_def(daily_refresh.job_name)
    assert job.asset_layer.selected_asset_keys == set(VIEW_KEYS.values())
