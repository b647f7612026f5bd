"""Workbooks: each sheet whose header fits a layout is a source of its own (``book.xlsx:2024``),
from the API, the CLI and Dagster; rejects carry the row a user sees; blank rows are skipped."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import dagster as dg
import openpyxl
import pytest

from bgc_pipeline.ingest import IngestError, load_file, load_sources
from tests.support.dagster import load_partition
from tests.support.db import query
from tests.support.ingest import stored_totals

HEADER = ["ano", "mes", "pais", "setor", "ncm", "valor_usd", "peso_kg"]
SHEET_2023 = [[2023, 1, "China", "Agropecuária", "09011110", 100.5, 10],
              [2023, 2, "Chile", "Agropecuária", "09011110", 200.25, 20]]  # fmt: skip
SHEET_2024 = [[2024, 3, "Peru", "Agropecuária", "09011110", 7, 1]]
BGC_INGEST = str(Path(sys.executable).parent / "bgc-ingest")


def workbook(path: Path, sheets: dict[str, list[list[object]]], notes: bool = True) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    if notes:
        book.create_sheet("notas").append(["Fonte: Comex Stat"])
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def cli(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BGC_DATABASE_URL": url}
    return subprocess.run([BGC_INGEST, *args], env=env, capture_output=True, text=True)


def test_every_matching_sheet_loads_as_its_own_source(database_url: str, tmp_path: Path) -> None:
    book = workbook(tmp_path / "book.xlsx", {"2023": SHEET_2023, "2024": SHEET_2024})
    results = load_sources(database_url, book)
    assert [(r.source, r.rows_loaded) for r in results] == [
        ("book.xlsx:2023", 2),
        ("book.xlsx:2024", 1),
    ]
    assert stored_totals(database_url, "book.xlsx:2023") == (2, Decimal("300.75"), Decimal("30"))
    assert stored_totals(database_url, "book.xlsx:2024") == (1, Decimal("7"), Decimal("1"))


def test_one_sheet_then_another_loads_both(database_url: str, tmp_path: Path) -> None:
    book = workbook(tmp_path / "book.xlsx", {"a": SHEET_2023, "b": SHEET_2024})
    assert load_file(database_url, book, sheet="a").rows_loaded == 2
    second = load_file(database_url, book, sheet="b")
    assert (second.status, second.source, second.rows_loaded) == ("loaded", "book.xlsx:b", 1)


def test_an_unchanged_sheet_changes_nothing_when_another_sheet_changes(
    database_url: str, tmp_path: Path
) -> None:
    book = workbook(tmp_path / "book.xlsx", {"2023": SHEET_2023, "2024": SHEET_2024})
    load_sources(database_url, book)
    workbook(
        book, {"2023": SHEET_2023, "2024": [*SHEET_2024, [2024, 4, "Peru", "X", "09011110", 3, 1]]}
    )
    again = {
        r.source: (r.status, r.rows_loaded, r.rows_replaced)
        for r in load_sources(database_url, book)
    }
    assert again == {"book.xlsx:2023": ("unchanged", 0, 0), "book.xlsx:2024": ("loaded", 2, 1)}
    assert stored_totals(database_url, "book.xlsx:2023") == (2, Decimal("300.75"), Decimal("30"))


def test_a_workbook_with_no_matching_sheet_is_refused_naming_its_sheets(
    database_url: str, tmp_path: Path
) -> None:
    book = workbook(tmp_path / "notes.xlsx", {}, notes=True)
    with pytest.raises(
        IngestError, match=r"notes.xlsx: no sheet matches a layout \(sheets: 'notas'\)"
    ):
        load_sources(database_url, book)
    assert query(database_url, "SELECT count(*) FROM stg.exportacao") == [(0,)]


def test_cli_loads_each_sheet_or_the_one_named(database_url: str, tmp_path: Path) -> None:
    book = workbook(tmp_path / "book.xlsx", {"2023": SHEET_2023, "2024": SHEET_2024})
    one = cli("load-xlsx", str(book), "--sheet=2024", url=database_url)
    assert one.returncode == 0, one.stderr
    assert one.stdout.startswith("book.xlsx:2024: loaded 1 row(s), rejected 0")
    assert len(one.stdout.splitlines()) == 1
    every = cli("load-xlsx", str(book), url=database_url)
    assert every.returncode == 0, every.stderr
    lines = every.stdout.splitlines()
    assert lines[0].startswith("book.xlsx:2023: loaded 2 row(s)")
    assert lines[1].startswith("book.xlsx:2024: unchanged (same content as the last load)")


def test_cli_sheet_option_for_a_csv_is_an_error(database_url: str, tmp_path: Path) -> None:
    text = tmp_path / "plain.csv"
    text.write_text(",".join(HEADER) + "\n2024,1,China,X,09011110,1,1\n", encoding="utf-8")
    result = cli("load-xlsx", str(text), "--sheet=x", url=database_url)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: plain.csv: --sheet given, but the file is CSV text, not a spreadsheet"
    )


def test_xlsx_rejects_carry_the_spreadsheet_row_and_blank_rows_are_skipped(
    database_url: str, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "dados"
    sheet.append(HEADER)  # row 1
    sheet.append([2024, 1, "China", "X", "09011110", 1, 1])  # row 2
    sheet.append([])  # row 3: blank
    sheet.append([2024, 13, "China", "X", "09011110", 1, 1])  # row 4: bad month
    sheet.append([None] * 7)  # row 5: blank
    sheet.append([2024, 2, "Chile", "X", "09011110", "abc", 1])  # row 6: bad value
    path = tmp_path / "rows.xlsx"
    book.save(path)
    result = load_file(database_url, path)
    assert (result.rows_loaded, result.rows_rejected, result.blank_lines) == (1, 2, 2)
    assert "skipped 2 blank line(s)" in result.summary()
    assert query(database_url, "SELECT line, reason FROM cfg.ingest_rejects ORDER BY line") == [
        (4, "mes is not a month 1-12"),
        (6, "valor is not a number"),
    ]
    assert query(
        database_url, "SELECT rows_blank FROM cfg.ingest_batches WHERE status = 'loaded'"
    ) == [(2,)]


def test_dagster_loads_every_sheet_of_a_landing_workbook(database_url: str, tmp_path: Path) -> None:
    workbook(tmp_path / "book.xlsx", {"2023": SHEET_2023, "2024": SHEET_2024})
    result = load_partition(dg.DagsterInstance.ephemeral(), database_url, tmp_path, "book.xlsx")
    [materialization] = result.asset_materializations_for_node("stg__exportacao")
    assert materialization.metadata["sources"].value == "book.xlsx:2023, book.xlsx:2024"
    assert materialization.metadata["dagster/partition_row_count"].value == 3
