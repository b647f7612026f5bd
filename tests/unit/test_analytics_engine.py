"""The API's DuckDB: a query past the statement timeout is interrupted and reported, never
left running; the engine answers the next query as before. Each snapshot becomes a local
copy that is checked whole before use; the folder drops what no current version needs."""

import hashlib
import os
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from bgc_api import analytics
from bgc_api.analytics import (
    Analytics,
    DamagedCopy,
    SnapshotCache,
    SnapshotFile,
    SnapshotUnavailable,
)


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


def test_stale_copies_are_those_of_other_versions_not_built_lately(tmp_path: Path) -> None:
    cache = SnapshotCache(tmp_path)
    current, stale, recent = "a" * 64, "b" * 64, "c" * 64
    for sha in (current, stale, recent):
        cache.path(sha).write_bytes(b"x")
    left = tmp_path / f".{stale}{analytics.SUFFIX}.123.456"  # a build killed half-way
    older = tmp_path / f"{current}.duckdb"  # the same file's copy in the format before
    left.write_bytes(b"x")
    older.write_bytes(b"x")
    (tmp_path / ".spill").mkdir()  # DuckDB's own folder stays
    hour_ago = time.time() - 3600
    for path in (cache.path(current), cache.path(stale), left, older, tmp_path / ".spill"):
        os.utime(path, (hour_ago, hour_ago))
    found = cache.stale([SnapshotFile(2025, current)])
    assert sorted(found) == sorted([cache.path(stale), left, older])


FACTS = """
SELECT * FROM (VALUES
    (2025, 1, '12019000', 'China', 'SP', '01', '0817800', '10', 'Agropecuária', '01', '1', '2',
     100.25, 10.5, 10.5, 1),
    (2025, 2, '12019000', 'China', 'PR', '01', '0917800', '10', 'Agropecuária', '01', '1', '2',
     50.00, 5.0, 5.0, 2),
    (2025, 2, '02023000', 'Chile', 'SP', '04', '0817800', '10', 'Agropecuária', '01', '1', '0',
     7.75, 1.25, 1.25, 1),
    (2025, NULL, '87032310', 'Chile', 'MG', '01', '0817800', '10', 'Indústria de Transformação',
     '03', '3', '7', 1000.00, 2.0, 2.0, 1)
) AS t (ano, mes, ncm, pais, uf, via, urf, unid, setor, fator, cgce, cuci, usd, kg, qt, registros)
"""
"""Four facts as a snapshot holds them: two states, two countries, an annual figure."""
FIVE_FACTS = FACTS.replace(
    ") AS t (",
    """,
    (2025, 1, '12019000', 'China', 'SP', '01', '0927800', '10', 'Agropecuária', '01', '1', '2',
     20.00, 2.5, 2.5, 3)
) AS t (""",
)
"""The same, and one more of the first's month, state, country, route and NCM through
another customs unit: the tables of sums add the two."""


def snapshot(
    tmp_path: Path, facts: str = FACTS, rows: int = 4, usd: str = "1158.00"
) -> tuple[SnapshotFile, bytes]:
    """A Parquet file of ``facts`` as a refresh writes it, and its file as the database
    names it (``rows`` facts worth ``usd``)."""
    path = tmp_path / "year.parquet"
    with duckdb.connect() as duck:
        duck.execute(
            f"COPY (SELECT ano::SMALLINT AS ano, mes::TINYINT AS mes, * EXCLUDE (ano, mes) "
            f"REPLACE (usd::DECIMAL(18,2) AS usd, kg::DECIMAL(18,3) AS kg, qt::DECIMAL(18,3) AS qt,"
            f" registros::INTEGER AS registros) FROM ({facts})) TO '{path}' (FORMAT parquet)"
        )
    content = path.read_bytes()
    file = SnapshotFile(2025, hashlib.sha256(content).hexdigest(), rows, Decimal(usd))
    return file, content


def copy_rows(tmp_path: Path, query: str) -> list[tuple[Any, ...]]:
    """What ``query`` reads from the local copy of a file of ``FIVE_FACTS``."""
    file, content = snapshot(tmp_path, FIVE_FACTS, 5, "1178.00")
    engine = Analytics(threads=1, memory_limit_mb=256)
    [path] = SnapshotCache(tmp_path / "cache").ensure([file], lambda _: content, engine.build)
    engine.close()
    with duckdb.connect(str(path), read_only=True) as duck:
        return duck.execute(query).fetchall()


def test_a_copy_holds_the_facts_in_both_orders_and_their_monthly_sums(tmp_path: Path) -> None:
    file, content = snapshot(tmp_path)
    engine = Analytics(threads=1, memory_limit_mb=256)
    [path] = SnapshotCache(tmp_path / "cache").ensure([file], lambda _: content, engine.build)
    [fatos] = engine.tables([(file, path)], "fatos")
    [produto] = engine.tables([(file, path)], "fatos_produto")
    [mensal] = engine.tables([(file, path)], "mensal")
    with duckdb.connect(str(path), read_only=True) as duck:
        assert duck.execute("SELECT ncm FROM fatos_produto").fetchall() == [
            (2023000,),
            (12019000,),
            (12019000,),
            (87032310,),
        ]
        assert duck.execute(
            "SELECT codigo, mes, usd FROM mensal WHERE dimensao = 'sh2' ORDER BY codigo, mes"
        ).fetchall() == [("02", 2, Decimal("7.75")), ("12", 1, Decimal("100.25")),
                         ("12", 2, Decimal("50.00"))]  # fmt: skip
    assert (fatos, produto, mensal) == tuple(
        f"copia_{file.sha256[:16]}.{t}" for t in ("fatos", "fatos_produto", "mensal")
    )
    engine.close()


def test_a_copy_sums_its_facts_by_state_country_route_and_sector(tmp_path: Path) -> None:
    assert copy_rows(
        tmp_path, "SELECT uf, pais, via, setor, mes, usd, kg, registros, ncm, urf FROM fatos_origem"
    ) == [
        ("MG", "Chile", "01", "Indústria de Transformação", None, Decimal("1000.00"),
         Decimal("2.000"), 1, None, None),
        ("PR", "China", "01", "Agropecuária", 2, Decimal("50.00"), Decimal("5.000"), 2, None,
         None),
        ("SP", "Chile", "04", "Agropecuária", 2, Decimal("7.75"), Decimal("1.250"), 1, None,
         None),
        ("SP", "China", "01", "Agropecuária", 1, Decimal("120.25"), Decimal("13.000"), 4, None,
         None),
    ]  # fmt: skip


def test_a_copy_sums_its_facts_by_ncm_and_route(tmp_path: Path) -> None:
    assert copy_rows(
        tmp_path, "SELECT ncm, via, mes, usd, kg, registros, unid, setor, pais, uf FROM fatos_ncm"
    ) == [
        (2023000, "04", 2, Decimal("7.75"), Decimal("1.250"), 1, "10", "Agropecuária", None,
         None),
        (12019000, "01", 1, Decimal("120.25"), Decimal("13.000"), 4, "10", "Agropecuária",
         None, None),
        (12019000, "01", 2, Decimal("50.00"), Decimal("5.000"), 2, "10", "Agropecuária", None,
         None),
        (87032310, "01", None, Decimal("1000.00"), Decimal("2.000"), 1, "10",
         "Indústria de Transformação", None, None),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("codes", "by_product", "table"),
    [
        (set(), False, "fatos_resumo"),
        ({"pais", "setor"}, False, "fatos_resumo"),
        ({"uf", "pais"}, False, "fatos_origem"),
        ({"bloco", "uf"}, False, "fatos_origem"),
        ({"bloco"}, False, "fatos_resumo"),
        ({"via", "setor"}, True, "fatos_origem"),
        ({"sh4"}, False, "fatos_ncm"),
        ({"via", "ncm"}, True, "fatos_ncm"),
        ({"cgce", "setor"}, True, "fatos_ncm"),
        ({"uf", "urf"}, False, "fatos"),
        ({"pais", "sh4"}, False, "fatos"),
        ({"uf", "ncm"}, True, "fatos_produto"),
    ],
)
def test_an_answer_reads_the_smallest_table_that_keeps_its_codes(
    codes: set[str], by_product: bool, table: str
) -> None:
    assert analytics.facts_table(codes, by_product) == table


def test_a_truncated_copy_is_damaged_and_bytes_off_their_hash_are_refused(tmp_path: Path) -> None:
    file, content = snapshot(tmp_path)
    cache = SnapshotCache(tmp_path / "cache")
    engine = Analytics(threads=1, memory_limit_mb=256)
    [path] = cache.ensure([file], lambda _: content, engine.build)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DamagedCopy, match=file.sha256[:12]) as damaged:
        engine.tables([(file, path)], "fatos")
    cache.discard(damaged.value)
    other = SnapshotFile(2025, "0" * 64)
    with pytest.raises(SnapshotUnavailable, match="does not match its hash"):
        cache.ensure([other], lambda _: content, engine.build)
    assert list((tmp_path / "cache").iterdir()) == []
    engine.close()


def test_a_copy_that_does_not_hold_its_file_is_damaged(tmp_path: Path) -> None:
    file, content = snapshot(tmp_path)
    engine = Analytics(threads=1, memory_limit_mb=256)
    [path] = SnapshotCache(tmp_path / "cache").ensure([file], lambda _: content, engine.build)
    claimed = SnapshotFile(file.ano, file.sha256, 5, file.total_usd)
    with pytest.raises(DamagedCopy, match="holds"):
        engine.tables([(claimed, path)], "fatos")
    engine.close()


def test_no_copy_reads_the_empty_table() -> None:
    engine = Analytics(threads=1, memory_limit_mb=256)
    assert engine.tables([], "fatos") == ["memory.main.vazio"]
    assert engine.tables([], "mensal") == ["memory.main.vazio_mensal"]
    engine.close()
