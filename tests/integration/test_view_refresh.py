"""The report views and the Parquet snapshots follow the loads at the cost of what changed:
a refresh recomputes the years whose files changed since its last run, leaves the other
years' rows and files alone, and agrees with a full rebuild and with the files themselves."""

import csv
import hashlib
import io
import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from bgc_core import db, snapshots, views
from bgc_pipeline.ingest import load_file
from tests.integration.test_staging_partitions import yearly_file
from tests.support.db import query
from tests.support.ingest import csv_totals

YEARLY = tuple(views.YEARLY_TABLES)
PER_YEAR = (*YEARLY, views.SNAPSHOTS)
"""Every relation a refresh recomputes year by year from the exports."""
NO_IMPORTS = {views.IMPORT_SNAPSHOTS: ()}
"""The imports' snapshots, which no export load makes pending."""


def official_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def recomputed(url: str, done: list[views.ViewRefresh]) -> dict[str, tuple[int, ...] | None]:
    """The years each view recomputed, once the rows it reports are checked."""
    for refresh in done:
        count = "sum(linhas)" if refresh.view in views.SNAPSHOT_RELATIONS else "count(*)"
        [(rows,)] = query(url, f"SELECT COALESCE({count}, 0) FROM rpt.{refresh.view}")
        assert refresh.rows == rows, refresh.view
    return {r.view: r.years for r in done}


def contents(url: str) -> list[list[tuple[object, ...]]]:
    """Every report relation without its refresh times."""
    return [
        query(url, "SELECT ano, mes, pais, setor, total_usd, total_kg, registros "
                   "FROM rpt.mv_exportacao_mensal ORDER BY 1, 2, 3, 4"),
        query(url, "SELECT ano, pais, setor, total_usd, total_kg, mes_max, usd_ate_mes "
                   "FROM rpt.mv_exportacao_anual ORDER BY 1, 2, 3"),
        query(url, "SELECT ano, mes, pais, setor, total_usd, total_kg "
                   "FROM rpt.mv_serie_mensal ORDER BY 1, 2, 3, 4"),
        query(url, "SELECT pais, total_usd, participacao_pct, anos FROM rpt.mv_resumo_pais "
                   "ORDER BY 1"),
        query(url, "SELECT total_usd, total_kg, paises_count, anos FROM rpt.mv_resumo_geral"),
        query(url, "SELECT ano, sha256, linhas, registros, total_usd, total_kg "
                   "FROM rpt.snapshot_exportacao ORDER BY 1"),
    ]  # fmt: skip


def year_usd(url: str, view: str, year: int) -> Decimal:
    total_rows = views.TOTAL_ROWS.get(view, "true")
    [(usd,)] = query(
        url, f"SELECT COALESCE(sum(total_usd), 0) FROM rpt.{view} WHERE ano = %s AND {total_rows}",
        (year,),
    )  # fmt: skip
    return Decimal(usd)  # type: ignore[arg-type]


def test_revising_one_year_recomputes_that_year_only(database_url: str, tmp_path: Path) -> None:
    for year in (2022, 2023, 2024):
        load_file(database_url, yearly_file(tmp_path, year, seed=year))
    first = recomputed(database_url, views.refresh_all(database_url))
    assert first == {**dict.fromkeys(PER_YEAR, (2022, 2023, 2024)),
                     **dict.fromkeys(views.SUMMARY_VIEWS), **NO_IMPORTS}  # fmt: skip
    stamps = "SELECT ano, min(updated_at), max(updated_at) FROM rpt.mv_exportacao_mensal GROUP BY 1"
    before = {year: (low, high) for year, low, high in query(database_url, stamps)}
    files_before = dict(query(database_url, HASHES))

    revised = yearly_file(tmp_path, 2023, seed=99, rows=1_200)
    load_file(database_url, revised)
    second = recomputed(database_url, views.refresh_all(database_url))

    assert second == {
        **dict.fromkeys(PER_YEAR, (2023,)),
        **dict.fromkeys(views.SUMMARY_VIEWS),
        **NO_IMPORTS,
    }
    after = {year: (low, high) for year, low, high in query(database_url, stamps)}
    assert after[2022] == before[2022] and after[2024] == before[2024]
    assert after[2023][0] > before[2023][1]
    files_after = dict(query(database_url, HASHES))
    assert files_after[2022] == files_before[2022] and files_after[2024] == files_before[2024]
    assert files_after[2023] != files_before[2023]
    _, usd, _ = csv_totals(revised, "VL_FOB", "KG_LIQUIDO")
    for view in PER_YEAR:
        assert year_usd(database_url, view, 2023) == usd, view
    assert snapshot_usd_by_state(database_url, 2023) == usd_by_state(revised)


HASHES = "SELECT ano, sha256 FROM rpt.snapshot_exportacao"
GRAIN = ["ano", "mes", "ncm", "pais", "uf", "via", "urf", "unid", "setor", "fator", "cgce", "cuci"]
"""The analytical grain a snapshot's rows are summed to, its first columns."""
SORTED_BY = ["uf", "pais", "ncm", "mes"]
"""The leading keys of a snapshot's order: the filters its row groups prune."""


def usd_by_state(path: Path) -> dict[str | None, Decimal]:
    totals: dict[str | None, Decimal] = defaultdict(Decimal)
    for row in official_rows(path):
        totals[row["SG_UF_NCM"]] += Decimal(row["VL_FOB"])
    return dict(totals)


def snapshot_of(url: str, year: int) -> bytes:
    """A year's Parquet file as the database stores it."""
    [(content,)] = query(url, "SELECT conteudo FROM rpt.snapshot_exportacao WHERE ano = %s",
                         (year,))  # fmt: skip
    return bytes(content)  # type: ignore[arg-type]


def snapshot_usd_by_state(url: str, year: int) -> dict[str | None, Decimal]:
    """The file read back, summed by state."""
    facts = pl.read_parquet(io.BytesIO(snapshot_of(url, year)))
    return dict(facts.group_by("uf").agg(pl.col("usd").sum()).rows())


def test_a_snapshot_holds_the_years_records_at_the_analytical_grain(
    database_url: str, tmp_path: Path
) -> None:
    path = yearly_file(tmp_path, 2024, seed=6)
    load_file(database_url, path)
    views.refresh_all(database_url)
    facts = pl.read_parquet(io.BytesIO(snapshot_of(database_url, 2024)))
    rows = official_rows(path)
    grain = {(r["CO_MES"], r["CO_NCM"], r["SG_UF_NCM"], r["CO_VIA"], r["CO_URF"], r["CO_PAIS"])
             for r in rows}  # fmt: skip
    assert facts.height == len(grain)
    assert int(facts["registros"].sum()) == len(rows)
    assert facts["kg"].sum() == sum((Decimal(r["KG_LIQUIDO"]) for r in rows), Decimal(0))
    assert facts["qt"].sum() == sum((Decimal(r["QT_ESTAT"]) for r in rows), Decimal(0))
    assert facts.columns[:12] == GRAIN
    assert facts.select(SORTED_BY).rows() == sorted(
        facts.select(SORTED_BY).rows(), key=lambda r: tuple((v is None, v) for v in r)
    )
    [(sha256, size)] = query(database_url, "SELECT sha256, bytes FROM rpt.snapshot_exportacao")
    assert hashlib.sha256(snapshot_of(database_url, 2024)).hexdigest() == sha256
    assert size == len(snapshot_of(database_url, 2024))


def test_a_refresh_that_fails_while_writing_snapshots_leaves_the_previous_version(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for year in (2023, 2024):
        load_file(database_url, yearly_file(tmp_path, year, seed=year))
    views.refresh_all(database_url)
    before = contents(database_url)
    (tmp_path / "revised").mkdir()
    for year in (2023, 2024):
        load_file(database_url, yearly_file(tmp_path / "revised", year, seed=year + 50))
    written = snapshots.write_year

    def fails_on_2024(staged: snapshots.Staged) -> snapshots.YearSnapshot:
        if staged.ano == 2024:
            raise OSError("killed while writing 2024")
        return written(staged)

    monkeypatch.setattr(snapshots, "write_year", fails_on_2024)
    with pytest.raises(OSError, match="2024"):
        views.refresh_all(database_url)
    assert contents(database_url) == before
    assert not list(Path(tempfile.gettempdir()).glob("bgc-snapshot-*"))  # nothing left behind
    monkeypatch.undo()
    assert recomputed(database_url, views.refresh_all(database_url))[views.SNAPSHOTS] == (
        2023, 2024,
    )  # fmt: skip


def test_a_refresh_with_nothing_changed_recomputes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    load_file(database_url, yearly_file(tmp_path, 2024, seed=1))
    views.refresh_all(database_url)
    again = recomputed(database_url, views.refresh_all(database_url))
    assert again == {
        **dict.fromkeys(PER_YEAR, ()),
        **dict.fromkeys(views.SUMMARY_VIEWS),
        **NO_IMPORTS,
    }


def test_a_year_a_file_no_longer_holds_leaves_the_views(database_url: str, tmp_path: Path) -> None:
    load_file(database_url, yearly_file(tmp_path, 2023, seed=1))
    views.refresh_all(database_url)
    (tmp_path / "next").mkdir()
    moved = yearly_file(tmp_path / "next", 2024, seed=2).rename(tmp_path / "EXP_2023.csv")
    load_file(database_url, moved)
    done = recomputed(database_url, views.refresh_all(database_url))
    assert done["mv_exportacao_mensal"] == (2023, 2024)
    for view in PER_YEAR:
        assert year_usd(database_url, view, 2023) == 0, view
    assert query(database_url, "SELECT ano FROM rpt.snapshot_exportacao") == [(2024,)]
    assert query(database_url, "SELECT anos FROM rpt.mv_resumo_geral") == [([2024],)]


def test_full_rebuild_agrees_with_the_incremental_refreshes(
    database_url: str, tmp_path: Path
) -> None:
    for year, seed in ((2023, 1), (2024, 2), (2023, 3)):
        load_file(database_url, yearly_file(tmp_path, year, seed=seed))
        views.refresh_all(database_url)
    incremental = contents(database_url)
    rebuilt = recomputed(database_url, views.refresh_all(database_url, full=True))
    assert rebuilt["mv_exportacao_mensal"] == (2023, 2024)
    assert contents(database_url) == incremental


def test_a_load_committed_during_a_refresh_stays_pending(database_url: str, tmp_path: Path) -> None:
    load_file(database_url, yearly_file(tmp_path, 2024, seed=1))
    views.refresh_all(database_url)
    # A load's swap not yet committed when the refresh takes the pending years.
    swap = db.connect(database_url)
    try:
        with swap.cursor() as cur:
            cur.execute("UPDATE rpt.agg_arquivo SET total_usd = total_usd WHERE ano = 2024")
        during = views.refresh_view(database_url, "mv_exportacao_mensal")
        swap.commit()
    finally:
        swap.close()
    assert during.years == ()
    assert views.refresh_view(database_url, "mv_exportacao_mensal").years == (2024,)
