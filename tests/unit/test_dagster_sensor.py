"""The landing sensor, one scenario per test: run requests and the cursor it leaves."""

import json
import os
from pathlib import Path

import dagster as dg
import pytest

from bgc_pipeline.defs.keys import STG_KEY
from bgc_pipeline.defs.partitions import landing_files
from tests.support.dagster import sensor_tick as tick

CSV = "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n2024,1,China,X,09011110,10,1\n"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def instance() -> dg.DagsterInstance:
    return dg.DagsterInstance.ephemeral()


def settle(
    instance: dg.DagsterInstance, landing: Path, cursor: str | None = None
) -> dg.SensorResult:
    """Two ticks: the first sees the file, the second finds its size unchanged."""
    first = tick(instance, landing, cursor)
    return tick(instance, landing, first.cursor)


def test_first_file_waits_one_tick_then_becomes_a_run(
    instance: dg.DagsterInstance, landing: Path
) -> None:
    (landing / "a.csv").write_text(CSV, encoding="utf-8")
    first = tick(instance, landing, None)
    assert first.run_requests == []
    assert first.skip_reason and "waiting for a.csv" in first.skip_reason.skip_message
    second = tick(instance, landing, first.cursor)
    [request] = second.run_requests or []
    assert request.partition_key == "a.csv"
    assert request.asset_selection == [STG_KEY]
    assert request.run_key and request.run_key.startswith("a.csv:")
    assert instance.get_dynamic_partitions(landing_files.name or "") == ["a.csv"]
    assert (
        json.loads(second.cursor or "")["files"]["a.csv"]["sha256"] == request.run_key.split(":")[1]
    )


def test_nothing_new_skips_with_a_reason(instance: dg.DagsterInstance, landing: Path) -> None:
    (landing / "a.csv").write_text(CSV, encoding="utf-8")
    settled = settle(instance, landing)
    again = tick(instance, landing, settled.cursor)
    assert again.run_requests == []
    assert again.skip_reason and again.skip_reason.skip_message == "no new or changed files"


def test_changed_file_is_requested_after_it_settles(
    instance: dg.DagsterInstance, landing: Path
) -> None:
    path = landing / "EXP_2025.csv"
    path.write_text(CSV, encoding="utf-8")
    settled = settle(instance, landing)
    [first] = settled.run_requests or []
    path.write_text(CSV + "2024,2,Chile,X,09011110,5,1\n", encoding="utf-8")
    [second] = settle(instance, landing, settled.cursor).run_requests or []
    assert second.partition_key == "EXP_2025.csv"
    assert second.run_key != first.run_key


def test_touched_but_identical_file_does_not_run(
    instance: dg.DagsterInstance, landing: Path
) -> None:
    path = landing / "a.csv"
    path.write_text(CSV, encoding="utf-8")
    settled = settle(instance, landing)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    assert settle(instance, landing, settled.cursor).run_requests == []


def test_partial_and_hidden_files_are_ignored(instance: dg.DagsterInstance, landing: Path) -> None:
    (landing / "big.csv.part").write_text(CSV, encoding="utf-8")
    (landing / "x.tmp").write_text(CSV, encoding="utf-8")
    (landing / ".hidden.csv").write_text(CSV, encoding="utf-8")
    result = settle(instance, landing)
    assert result.run_requests == []
    assert json.loads(result.cursor or "") == {"files": {}, "pending": {}}


def test_growing_file_waits_until_its_size_is_stable(
    instance: dg.DagsterInstance, landing: Path
) -> None:
    path = landing / "growing.csv"
    path.write_text(CSV, encoding="utf-8")
    first = tick(instance, landing, None)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("2024,2,Chile,X,09011110,5,1\n")
    second = tick(instance, landing, first.cursor)
    assert second.run_requests == []
    third = tick(instance, landing, second.cursor)
    assert [r.partition_key for r in third.run_requests or []] == ["growing.csv"]


def test_unsupported_files_are_skipped_by_name(instance: dg.DagsterInstance, landing: Path) -> None:
    (landing / "notes.pdf").write_bytes(b"%PDF-1.4")
    result = settle(instance, landing)
    assert result.run_requests == []
    assert result.skip_reason
    assert "unsupported file type skipped: notes.pdf" in result.skip_reason.skip_message


def test_restart_with_the_stored_cursor_does_not_reload(
    instance: dg.DagsterInstance, landing: Path
) -> None:
    (landing / "a.csv").write_text(CSV, encoding="utf-8")
    stored = settle(instance, landing).cursor
    restarted = dg.DagsterInstance.ephemeral()
    restarted.add_dynamic_partitions(landing_files.name or "", ["a.csv"])
    assert settle(restarted, landing, stored).run_requests == []
