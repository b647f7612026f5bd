"""The landing sensor, one scenario per test: the warehouse decides what still needs a load,
the cursor only caches hashes, and runs in flight are not requested twice."""

import json
import os
from pathlib import Path

import dagster as dg
import pytest

from bgc_core import migrate
from bgc_pipeline.defs import sensors
from bgc_pipeline.defs.keys import STG_KEY
from bgc_pipeline.defs.partitions import landing_files
from bgc_pipeline.defs.sensors import RETRY_AFTER_S, SHA_TAG
from bgc_pipeline.ingest import load_sources
from tests.support.dagster import sensor_tick
from tests.support.db import query

CSV = "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n2024,1,China,X,09011110,10,1\n"


class Sensor:
    """Ticks of the landing sensor against one warehouse, carrying the cursor along."""

    def __init__(self, instance: dg.DagsterInstance, url: str, landing: Path) -> None:
        self.instance, self.url, self.landing = instance, url, landing
        self.cursor: str | None = None

    def tick(self) -> dg.SensorResult:
        result = sensor_tick(self.instance, self.url, self.landing, self.cursor)
        self.cursor = result.cursor
        return result

    def settle(self) -> list[dg.RunRequest]:
        """Two ticks: the first sees a new file, the second finds its size unchanged."""
        return [*(self.tick().run_requests or []), *(self.tick().run_requests or [])]

    def run(self, request: dg.RunRequest) -> None:
        """What the requested run does: load the partition's file into the warehouse."""
        assert request.partition_key
        load_sources(self.url, self.landing / request.partition_key)


@pytest.fixture
def sensor(instance: dg.DagsterInstance, database_url: str, landing: Path) -> Sensor:
    return Sensor(instance, database_url, landing)


def test_first_file_waits_one_tick_then_becomes_a_run(sensor: Sensor, landing: Path) -> None:
    (landing / "a.csv").write_text(CSV, encoding="utf-8")
    first = sensor.tick()
    assert first.run_requests == []
    assert first.skip_reason and "waiting for a.csv" in first.skip_reason.skip_message
    [request] = sensor.tick().run_requests or []
    assert request.partition_key == "a.csv"
    assert request.asset_selection == [STG_KEY]
    assert request.run_key is None  # the warehouse decides, not Dagster's run-key memory
    assert sensor.instance.get_dynamic_partitions(landing_files.name or "") == ["a.csv"]
    assert json.loads(sensor.cursor or "")["files"]["a.csv"]["sha256"] == request.tags[SHA_TAG]


def test_a_loaded_file_is_not_requested_again(sensor: Sensor, landing: Path) -> None:
    (landing / "a.csv").write_text(CSV, encoding="utf-8")
    [request] = sensor.settle()
    sensor.run(request)
    again = sensor.tick()
    assert again.run_requests == []
    assert again.skip_reason and again.skip_reason.skip_message == "no new or changed files"


def test_changed_file_is_requested_after_it_settles(sensor: Sensor, landing: Path) -> None:
    path = landing / "EXP_2025.csv"
    path.write_text(CSV, encoding="utf-8")
    [first] = sensor.settle()
    sensor.run(first)
    path.write_text(CSV + "2024,2,Chile,X,09011110,5,1\n", encoding="utf-8")
    [second] = sensor.settle()
    assert second.partition_key == "EXP_2025.csv"
    assert second.tags[SHA_TAG] != first.tags[SHA_TAG]


def test_touched_but_identical_file_does_not_run(sensor: Sensor, landing: Path) -> None:
    path = landing / "a.csv"
    path.write_text(CSV, encoding="utf-8")
    [request] = sensor.settle()
    sensor.run(request)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    assert sensor.settle() == []


def test_a_refused_file_is_not_requested_again_until_it_changes(
    sensor: Sensor, landing: Path
) -> None:
    path = landing / "bad.csv"
    path.write_text("what;is;this\n1;2;3\n", encoding="utf-8")
    [request] = sensor.settle()
    with pytest.raises(Exception, match="header matches no known layout"):
        sensor.run(request)
    assert sensor.settle() == []
    path.write_text(CSV, encoding="utf-8")
    assert [r.partition_key for r in sensor.settle()] == ["bad.csv"]


def test_a_run_in_flight_is_not_requested_twice(sensor: Sensor, landing: Path) -> None:
    (landing / "a.csv").write_text(CSV, encoding="utf-8")
    [request] = sensor.settle()
    queue_run(sensor.instance, request, dg.DagsterRunStatus.STARTED)
    held = sensor.tick()
    assert held.run_requests == []
    assert held.skip_reason and "a.csv (in progress)" in held.skip_reason.skip_message


def test_a_run_that_failed_before_loading_is_retried_after_a_pause(
    sensor: Sensor, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (landing / "a.csv").write_text(CSV, encoding="utf-8")
    [request] = sensor.settle()
    run = queue_run(sensor.instance, request, dg.DagsterRunStatus.NOT_STARTED)
    sensor.instance.report_run_failed(run, "the database was down")
    held = sensor.tick()
    assert held.run_requests == []
    assert held.skip_reason and f"a.csv (failed; retried after {RETRY_AFTER_S} s)" in (
        held.skip_reason.skip_message
    )
    monkeypatch.setattr(sensors, "RETRY_AFTER_S", 0)
    assert [r.partition_key for r in sensor.tick().run_requests or []] == ["a.csv"]


def test_a_new_warehouse_gets_the_files_another_warehouse_loaded(
    instance: dg.DagsterInstance, database_url: str, empty_database_url: str, landing: Path
) -> None:
    """The issue's reproduction: the same Dagster instance (its runs and the sensor's cursor)
    meets an empty warehouse; the files load again."""
    first = Sensor(instance, database_url, landing)
    (landing / "a.csv").write_text(CSV, encoding="utf-8")
    [request] = first.settle()
    queue_run(instance, request, dg.DagsterRunStatus.SUCCESS)
    first.run(request)
    assert first.tick().run_requests == []
    migrate.prepare_database(empty_database_url)
    second = Sensor(instance, empty_database_url, landing)
    second.cursor = first.cursor
    assert [r.partition_key for r in second.tick().run_requests or []] == ["a.csv"]


def test_a_warehouse_restored_from_an_older_backup_reloads_what_it_lost(
    sensor: Sensor, database_url: str, landing: Path
) -> None:
    (landing / "a.csv").write_text(CSV, encoding="utf-8")
    [request] = sensor.settle()
    sensor.run(request)
    backup = query(database_url, "SELECT batch_id FROM cfg.ingest_batches")
    (landing / "b.csv").write_text(CSV.replace("China", "Chile"), encoding="utf-8")
    [later] = sensor.settle()
    sensor.run(later)
    queue_run(sensor.instance, later, dg.DagsterRunStatus.SUCCESS)
    assert sensor.tick().run_requests == []
    restore_audit_to(database_url, [b for (b,) in backup])
    assert [r.partition_key for r in sensor.tick().run_requests or []] == ["b.csv"]


def queue_run(
    instance: dg.DagsterInstance, request: dg.RunRequest, status: dg.DagsterRunStatus
) -> dg.DagsterRun:
    """A run of ``request`` recorded in the instance with ``status``, as the daemon leaves it."""
    return instance.add_run(
        dg.DagsterRun(job_name="__ASSET_JOB", status=status, tags=dict(request.tags))
    )


def restore_audit_to(url: str, batches: list[str]) -> None:
    """The warehouse as an older backup had it: later loads and their audit are gone."""
    for source, in query(
        url, "SELECT DISTINCT source_name FROM cfg.ingest_batches WHERE NOT batch_id = ANY(%s)",
        (batches,),
    ):  # fmt: skip
        query(url, "DELETE FROM rpt.agg_arquivo WHERE ingest_source = %s", (source,))
        query(url, "DELETE FROM rpt.agg_mensal WHERE ingest_source = %s", (source,))
        [(partition,)] = query(url, "SELECT stg.partition_for(%s)", (source,))
        query(url, f'DROP TABLE stg."{partition}"')
    query(url, "DELETE FROM cfg.ingest_batches WHERE NOT batch_id = ANY(%s)", (batches,))
