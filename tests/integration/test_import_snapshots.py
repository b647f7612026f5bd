"""The imports' per-year snapshots: written by the same refresh as the exports', in the
same transaction, with freight and insurance; an import load makes only import years
pending, and an export load only export years. Expected figures are summed from the
files with the standard library."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from bgc_core import views
from bgc_core.domain import IMPORTS
from bgc_pipeline.defs.keys import SNAPSHOTS_MATCH_STAGING, VIEW_KEYS
from bgc_pipeline.ingest import load_file
from bgc_pipeline.ingest.history import write_history
from tests.support.dagster import refresh_views
from tests.support.db import query

EXPORT_HASHES = "SELECT ano, sha256 FROM rpt.snapshot_exportacao ORDER BY ano"
IMPORT_HASHES = "SELECT ano, sha256 FROM rpt.snapshot_importacao ORDER BY ano"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    list(write_history(folder, range(2022, 2024), rows_per_year=1_200, seed=11, flow=IMPORTS))
    list(write_history(folder, range(2023, 2024), rows_per_year=900, seed=11))
    return folder


def file_sums(path: Path) -> tuple[int, Decimal, Decimal, Decimal, Decimal]:
    """Rows, FOB, kg, freight and insurance of an official import file, summed here."""
    text = path.read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))

    def total(column: str) -> Decimal:
        return sum((Decimal(r[column]) for r in rows), Decimal(0))

    return len(rows), total("VL_FOB"), total("KG_LIQUIDO"), total("VL_FRETE"), total("VL_SEGURO")


def import_snapshot(url: str, year: int) -> pl.DataFrame:
    [(content,)] = query(
        url, "SELECT conteudo FROM rpt.snapshot_importacao WHERE ano = %s", (year,)
    )
    return pl.read_parquet(io.BytesIO(bytes(content)))  # type: ignore[arg-type]


def refreshed_years(url: str) -> dict[str, tuple[int, ...] | None]:
    return {r.view: r.years for r in views.refresh_all(url)}


def test_each_import_year_is_one_file_with_freight_and_insurance(
    database_url: str, landing: Path
) -> None:
    for year in (2022, 2023):
        load_file(database_url, landing / f"IMP_{year}.csv")
    done = refreshed_years(database_url)
    assert done[views.IMPORT_SNAPSHOTS] == (2022, 2023)
    assert done[views.SNAPSHOTS] == ()
    for year in (2022, 2023):
        facts = import_snapshot(database_url, year)
        rows, fob, kg, freight, insurance = file_sums(landing / f"IMP_{year}.csv")
        found = facts.select(
            pl.col("registros").sum(), pl.col("usd").sum(), pl.col("kg").sum(),
            pl.col("frete").sum(), pl.col("seguro").sum(),
        ).row(0)  # fmt: skip
        assert found == (rows, fob, kg, freight, insurance)
        assert set(facts.get_column("ano").unique()) == {year}
    _, fob, _, freight, insurance = file_sums(landing / "IMP_2022.csv")
    assert query(
        database_url,
        "SELECT ano, total_usd, total_frete, total_seguro FROM rpt.snapshot_importacao "
        "WHERE ano = 2022",
    ) == [(2022, fob, freight, insurance)]


def test_an_import_load_leaves_the_export_snapshots_alone_and_the_reverse(
    database_url: str, landing: Path
) -> None:
    load_file(database_url, landing / "EXP_2023.csv")
    load_file(database_url, landing / "IMP_2022.csv")
    refreshed_years(database_url)
    exported, imported = query(database_url, EXPORT_HASHES), query(database_url, IMPORT_HASHES)
    load_file(database_url, landing / "IMP_2023.csv")
    done = refreshed_years(database_url)
    assert (done[views.SNAPSHOTS], done[views.IMPORT_SNAPSHOTS]) == ((), (2023,))
    assert query(database_url, EXPORT_HASHES) == exported
    [revised] = write_history(landing / "revised", range(2023, 2024), rows_per_year=700, seed=3)
    load_file(database_url, revised.path)  # EXP_2023.csv again, revised
    done = refreshed_years(database_url)
    assert (done[views.SNAPSHOTS], done[views.IMPORT_SNAPSHOTS]) == ((2023,), ())
    assert query(database_url, IMPORT_HASHES)[0] == imported[0]


def test_dagster_refreshes_the_import_snapshots_downstream_of_their_staging(
    database_url: str, landing: Path
) -> None:
    load_file(database_url, landing / "IMP_2022.csv")
    instance = dg.DagsterInstance.ephemeral()
    result = refresh_views(instance, database_url, landing)
    key = VIEW_KEYS[views.IMPORT_SNAPSHOTS]
    events = {e.asset_key: e for e in result.asset_materializations_for_node("rpt_views")}
    metadata = events[key].metadata
    assert metadata["files_written"].value == 1
    assert metadata["dagster/row_count"].value == import_snapshot(database_url, 2022).height
    checks = {(e.asset_key, e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    assert checks[(key, SNAPSHOTS_MATCH_STAGING)] is True
