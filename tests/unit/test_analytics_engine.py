"""The API's DuckDB: a query past the statement timeout is interrupted and reported, never
left running; the engine answers the next query as before. Its snapshot folder drops
what no current version needs."""

import os
import time
from pathlib import Path

import pytest

from bgc_api import analytics
from bgc_api.analytics import Analytics, SnapshotCache, SnapshotFile, SnapshotUnavailable


def test_a_query_past_the_timeout_is_interrupted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(analytics.QUERIES, "slow", "SELECT count(*) FROM range(1000000000000)")
    monkeypatch.setitem(analytics.QUERIES, "quick", "SELECT 42 AS answer")
    engine = Analytics(threads=1, memory_limit_mb=256, timeout_ms=100)
    started = time.monotonic()
    with pytest.raises(SnapshotUnavailable, match=r"statement timeout of 0\.1 s"):
        engine.rows("slow", {})
    assert time.monotonic() - started < 5
    assert engine.rows("quick", {})[0].answer == 42
    engine.close()


def test_only_the_parameters_a_query_names_reach_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(analytics.QUERIES, "one", "SELECT $ano_de AS de")
    engine = Analytics(threads=1, memory_limit_mb=256)
    [row] = engine.rows("one", {"ano": 2024, "ano_de": 2020, "files": []})
    assert (row.de, row[0]) == (2020, 2020)
    engine.close()


def test_a_sweep_keeps_the_current_version_and_recent_files(tmp_path: Path) -> None:
    cache = SnapshotCache(tmp_path)
    current, stale, recent = "a" * 64, "b" * 64, "c" * 64
    for sha in (current, stale, recent):
        cache.path(sha).write_bytes(b"x")
    hour_ago = time.time() - 3600
    for sha in (current, stale):
        os.utime(cache.path(sha), (hour_ago, hour_ago))
    assert cache.sweep([SnapshotFile(2025, current, 1)]) == [f"{stale}.parquet"]
    assert sorted(p.name[:1] for p in tmp_path.glob("*.parquet")) == ["a", "c"]
