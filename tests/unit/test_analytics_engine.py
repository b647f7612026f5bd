"""The API's DuckDB: a query past the statement timeout is interrupted and reported, never
left running; the engine answers the next query as before."""

import time

import pytest

from bgc_api import analytics
from bgc_api.analytics import Analytics, SnapshotUnavailable


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
