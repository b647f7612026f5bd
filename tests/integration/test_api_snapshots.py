"""The API's local copies of the Parquet snapshots: built from the file the database gives
by hash, built again when missing or damaged, and never built when the database gives
bytes that do not match their hash (a 503, not a wrong figure)."""

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
from litestar.testing import TestClient

from bgc_api.analytics import SUFFIX
from bgc_api.app import create_app
from bgc_core import views
from bgc_pipeline.ingest import load_file
from tests.integration.test_staging_partitions import yearly_file
from tests.support.db import query
from tests.support.ingest import csv_totals
from tests.support.settings import api_settings
from tests.support.waiting import wait_until

FILTERED = "/v1/metrics/resumo?uf=SP"


def sp_usd(path: Path) -> Decimal:
    """The file's value from São Paulo, summed from its lines."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return sum((Decimal(r["VL_FOB"]) for r in rows if r["SG_UF_NCM"] == "SP"), Decimal(0))


def answer(cache: Path, url: str, path: str = FILTERED) -> tuple[int, dict[str, object]]:
    """One answer from a new API process with ``cache`` as its snapshot folder."""
    settings = api_settings(BGC_CACHE_DIR=str(cache))
    with TestClient(app=create_app(settings, database_url=url, access_log=False)) as client:
        response = client.get(path)
        return response.status_code, response.json()


def stored(url: str) -> tuple[str, int]:
    """The stored file's hash and rows."""
    [(sha256, rows)] = query(url, "SELECT sha256, linhas FROM rpt.snapshot_exportacao")
    return str(sha256), int(rows)  # type: ignore[call-overload]


def copy_rows(copy: Path) -> tuple[int, int]:
    """The rows of both orders of the facts in a local copy."""
    with duckdb.connect(str(copy), read_only=True) as duck:
        [counts] = duck.execute(
            "SELECT (SELECT count(*) FROM fatos), (SELECT count(*) FROM fatos_produto)"
        ).fetchall()
    return counts


def loaded_year(url: str, tmp_path: Path) -> Path:
    path = yearly_file(tmp_path, 2024, seed=3)
    load_file(url, path)
    views.refresh_all(url)
    return path


def test_a_filtered_answer_builds_the_years_copy_named_by_its_hash(
    database_url: str, tmp_path: Path
) -> None:
    path = loaded_year(database_url, tmp_path)
    cache = tmp_path / "cache"
    status, body = answer(cache, database_url)
    assert status == 200
    assert Decimal(str(body["totalUsd"])) == sp_usd(path)
    sha256, rows = stored(database_url)
    assert copy_rows(cache / f"{sha256}{SUFFIX}") == (rows, rows)


def test_a_truncated_or_damaged_copy_is_built_again(database_url: str, tmp_path: Path) -> None:
    path = loaded_year(database_url, tmp_path)
    cache = tmp_path / "cache"
    answer(cache, database_url)
    sha256, rows = stored(database_url)
    copy = cache / f"{sha256}{SUFFIX}"
    whole = copy.read_bytes()
    copy.write_bytes(whole[: len(whole) // 2])
    status, body = answer(cache, database_url)
    assert (status, Decimal(str(body["totalUsd"]))) == (200, sp_usd(path))
    assert copy_rows(copy) == (rows, rows)
    damaged = bytearray(copy.read_bytes())
    middle = len(damaged) // 2
    damaged[middle : middle + 65536] = bytes(65536)  # same size, a zeroed stretch
    copy.write_bytes(bytes(damaged))
    status, body = answer(cache, database_url, "/v1/metrics/resumo?uf=SP&via=01")
    assert status == 200
    assert copy_rows(copy) == (rows, rows)


def test_bytes_that_fail_their_hash_are_a_503_and_never_kept(
    database_url: str, tmp_path: Path
) -> None:
    loaded_year(database_url, tmp_path)
    query(database_url, "UPDATE rpt.snapshot_exportacao SET conteudo = 'not parquet'")
    cache = tmp_path / "cache"
    status, body = answer(cache, database_url)
    assert status == 503
    assert "does not match its hash" in str(body["detail"])
    assert list(cache.glob("*")) == []


def test_a_version_without_the_years_asked_answers_empty(database_url: str, tmp_path: Path) -> None:
    loaded_year(database_url, tmp_path)
    status, body = answer(tmp_path / "cache", database_url, "/v1/metrics/resumo?ano=2010&uf=SP")
    assert status == 200
    assert (body["totalUsd"], body["anos"], body["paisesCount"]) == (0, [], 0)


def test_the_unfiltered_totals_and_the_snapshots_agree(database_url: str, tmp_path: Path) -> None:
    path = loaded_year(database_url, tmp_path)
    _, usd, kg = csv_totals(path, "VL_FOB", "KG_LIQUIDO")
    cache = tmp_path / "cache"
    _, unfiltered = answer(cache, database_url, "/v1/metrics/resumo")
    _, by_month = answer(cache, database_url, "/v1/metrics/resumo?mes_de=1&mes_ate=12")
    for body in (unfiltered, by_month):
        assert (Decimal(str(body["totalUsd"])), Decimal(str(body["totalKg"]))) == (usd, kg)


def cached(cache: Path) -> set[str]:
    return {p.name.removesuffix(SUFFIX) for p in cache.glob(f"*{SUFFIX}")}


def test_each_new_version_is_fetched_before_anyone_asks(database_url: str, tmp_path: Path) -> None:
    loaded_year(database_url, tmp_path)
    cache = tmp_path / "cache"
    settings = api_settings(BGC_CACHE_DIR=str(cache))
    with TestClient(app=create_app(settings, database_url=database_url, access_log=False)):
        first, _ = stored(database_url)
        wait_until("the first version's file", lambda: cached(cache) == {first}, 20)
        (tmp_path / "revised").mkdir()
        load_file(database_url, yearly_file(tmp_path / "revised", 2024, seed=11))
        views.refresh_all(database_url)
        second, _ = stored(database_url)
        wait_until("the new version's file", lambda: second in cached(cache), 20)
    assert second != first
