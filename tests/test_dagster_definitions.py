"""The Definitions load, every job resolves, every asset is described; automation and
schedule target the views; the code location serves over gRPC as on Kubernetes."""

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from bgc_pipeline.assets import RAW_KEY, STG_KEY, VIEW_KEYS
from bgc_pipeline.definitions import defs
from bgc_pipeline.schedules import daily_refresh
from tests.conftest import free_port
from tests.dagster_helpers import bound_definitions, load_partition

SAMPLE = Path("data_samples/exportacao_2023_2024.csv")


@pytest.mark.unit
def test_definitions_load_and_every_job_resolves() -> None:
    dg.Definitions.validate_loadable(defs)
    jobs = {job.name for job in defs.resolve_all_job_defs()}
    assert {"refresh_views", "load_landing_file"} <= jobs


@pytest.mark.unit
def test_every_asset_has_description_group_kinds_and_owners() -> None:
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    assert {STG_KEY, *VIEW_KEYS.values()} <= keys
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


@pytest.mark.unit
def test_every_view_is_downstream_of_staging_and_each_file() -> None:
    graph = defs.resolve_asset_graph()
    for key in VIEW_KEYS.values():
        assert {STG_KEY, RAW_KEY} <= _ancestors(graph, key), key


@pytest.mark.unit
def test_sensors_and_schedule_run_without_a_click() -> None:
    sensors = list(defs.sensors or [])
    assert {s.name for s in sensors} == {"landing_sensor", "view_refresh_automation"}
    for sensor in sensors:
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING, sensor.name
    assert daily_refresh.default_status == dg.DefaultScheduleStatus.RUNNING


@pytest.mark.unit
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


@pytest.mark.integration
def test_a_load_makes_automation_request_every_view(database_url: str, tmp_path: Path) -> None:
    instance = dg.DagsterInstance.ephemeral()
    bound = bound_definitions(database_url, tmp_path)
    first = dg.evaluate_automation_conditions(defs=bound, instance=instance)
    assert first.total_requested == 0
    (tmp_path / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    load_partition(instance, database_url, tmp_path, SAMPLE.name)
    after = dg.evaluate_automation_conditions(defs=bound, instance=instance, cursor=first.cursor)
    assert {key for key in VIEW_KEYS.values() if after.get_num_requested(key)} == set(
        VIEW_KEYS.values()
    )


@pytest.mark.slow
def test_code_location_serves_over_grpc() -> None:
    port = free_port()
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(
        [str(bin_dir / "dagster"), "api", "grpc", "-m", "bgc_pipeline.definitions", "-a", "defs",
         "-h", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        healthy = None
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            healthy = subprocess.run(
                [str(bin_dir / "dagster"), "api", "grpc-health-check", "-p", str(port)],
                capture_output=True, text=True,
            )  # fmt: skip
            if healthy.returncode == 0:
                break
            time.sleep(1)
        assert healthy is not None and healthy.returncode == 0, healthy.stderr if healthy else ""
    finally:
        server.terminate()
        server.wait(20)
