"""Staging holds one partition per source file: a revision replaces exactly that file's rows
and aggregates, readers never see half a swap, and different files load at the same time."""

import threading
from decimal import Decimal
from pathlib import Path

import psycopg2.errors
import pytest

from bgc_core import db
from bgc_pipeline.ingest import load_file
from bgc_pipeline.ingest import sample as samples
from tests.support.db import query
from tests.support.ingest import csv_totals, paused_load

YEARS = (2022, 2023, 2024)


def yearly_file(folder: Path, year: int, seed: int, rows: int = 1_500) -> Path:
    """An official-layout file whose every row is of ``year``."""
    path = folder / f"EXP_{year}.csv"
    samples.write_sample(path, rows=rows, layout="comexstat", seed=seed)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    body = [f"{year}{line[line.index(';') :]}" for line in lines[1:]]
    path.write_text(lines[0] + "".join(body), encoding="utf-8")
    return path


def per_source(url: str) -> dict[str, tuple[object, ...]]:
    """Per source: staging rows and sums, its batch, and its aggregates' rows and sums."""
    staging = query(
        url,
        "SELECT ingest_source, count(*), sum(valor_usd), sum(peso_kg), max(ingest_batch) "
        "FROM stg.exportacao GROUP BY 1",
    )
    monthly = dict(
        (source, rest)
        for source, *rest in query(
            url,
            "SELECT ingest_source, count(*), sum(total_usd), sum(registros) FROM rpt.agg_mensal "
            "GROUP BY 1",
        )
    )
    return {source: (*rest, *monthly[source]) for source, *rest in staging}  # type: ignore[misc]


def test_revising_one_year_replaces_its_rows_and_aggregates_only(
    database_url: str, tmp_path: Path
) -> None:
    paths = {year: yearly_file(tmp_path, year, seed=year) for year in YEARS}
    for path in paths.values():
        load_file(database_url, path)
    before = per_source(database_url)
    revised = yearly_file(tmp_path, 2023, seed=99, rows=1_200)
    result = load_file(database_url, revised)
    assert (result.rows_loaded, result.rows_replaced) == (1_200, 1_500)
    after = per_source(database_url)
    assert {k: v for k, v in after.items() if k != "EXP_2023.csv"} == {
        k: v for k, v in before.items() if k != "EXP_2023.csv"
    }
    rows, usd, kg = csv_totals(revised, "VL_FOB", "KG_LIQUIDO")
    assert after["EXP_2023.csv"][:4] == (rows, usd, kg, result.batch_id)
    assert query(
        database_url,
        "SELECT ano, registros, total_usd FROM rpt.agg_arquivo WHERE ingest_source = 'EXP_2023.csv'",
    ) == [(2023, rows, usd)]
    partitions = query(
        database_url,
        "SELECT count(*) FROM pg_inherits WHERE inhparent = 'stg.exportacao'::regclass",
    )
    assert partitions == [(3,)]


def test_a_reader_during_swaps_sees_the_old_file_or_the_new_one_never_a_mix(
    database_url: str, tmp_path: Path
) -> None:
    other = yearly_file(tmp_path, 2022, seed=1)
    load_file(database_url, other)
    versions = [yearly_file(tmp_path / f"v{i}", 2024, seed=10 + i) for i in range(2)]
    other_usd = csv_totals(other, "VL_FOB", "KG_LIQUIDO")[1]
    allowed = {other_usd} | {other_usd + csv_totals(v, "VL_FOB", "KG_LIQUIDO")[1] for v in versions}
    seen: list[tuple[Decimal, Decimal]] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            [(rows, kept)] = query(
                database_url,
                "SELECT (SELECT sum(valor_usd) FROM stg.exportacao), "
                "(SELECT sum(total_usd) FROM rpt.agg_arquivo)",
            )
            seen.append((rows, kept))  # type: ignore[arg-type]

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for round_ in range(6):
            load_file(database_url, versions[round_ % 2], source_name="EXP_2024.csv")
    finally:
        stop.set()
        reader.join()
    assert len(seen) > 10
    assert all(rows == kept and rows in allowed for rows, kept in seen), set(seen) - {
        (a, a) for a in allowed
    }


def test_a_first_load_holds_readers_of_staging_until_it_commits(
    database_url: str, tmp_path: Path
) -> None:
    """ATTACH alone would let a reader plan without the uncommitted partition and then
    run after the commit: none of the file's rows, but its aggregates."""
    other = yearly_file(tmp_path, 2022, seed=1)
    load_file(database_url, other)
    first = yearly_file(tmp_path, 2024, seed=2)
    with (
        paused_load(database_url, first, "before_commit"),
        db.transaction(database_url) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("SET LOCAL lock_timeout = '300ms'")
        with pytest.raises(psycopg2.errors.LockNotAvailable):
            cur.execute("SELECT sum(valor_usd) FROM stg.exportacao")
    assert query(database_url, "SELECT DISTINCT ingest_source FROM stg.exportacao") == [
        ("EXP_2022.csv",)
    ]


def test_different_files_load_at_the_same_time(database_url: str, tmp_path: Path) -> None:
    paths = [yearly_file(tmp_path, year, seed=year, rows=20_000) for year in YEARS]
    start = threading.Barrier(len(paths))
    errors: list[BaseException] = []

    def load(path: Path) -> None:
        start.wait()
        try:
            load_file(database_url, path)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = per_source(database_url)
    for path in paths:
        rows, usd, kg = csv_totals(path, "VL_FOB", "KG_LIQUIDO")
        assert stored[path.name][:3] == (rows, usd, kg)
    overlapping = query(
        database_url,
        "SELECT count(*) FROM cfg.ingest_batches a JOIN cfg.ingest_batches b "
        "ON a.batch_id < b.batch_id AND a.started_at < b.finished_at AND b.started_at < a.finished_at",
    )
    assert overlapping[0][0] >= 1  # the loads did run at the same time
