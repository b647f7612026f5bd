"""The report views follow the loads at the cost of what changed: a refresh recomputes the
years whose files changed since its last run, leaves the other years' rows alone, and
agrees with a full rebuild and with the files themselves."""

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from bgc_core import db, views
from bgc_pipeline.ingest import load_file
from tests.integration.test_api_one_filter import through_august
from tests.integration.test_staging_partitions import yearly_file
from tests.support.db import query
from tests.support.ingest import csv_totals

YEARLY = tuple(views.YEARLY_TABLES)
SAME_YEAR = tuple(v for v in YEARLY if v != "mv_exportacao_par")
"""The pair table also recomputes the year after each changed year: its comparison."""


BY_STATE = 32 + 16 + 4 + 2 + 1
"""The pair table's conjunto split by state alone."""


def official_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def recomputed(url: str, done: list[views.ViewRefresh]) -> dict[str, tuple[int, ...] | None]:
    """The years each view recomputed, once the rows it reports are checked."""
    for refresh in done:
        [(rows,)] = query(url, f"SELECT count(*) FROM rpt.{refresh.view}")
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
        query(url, "SELECT ano, conjunto, pais, setor, uf, via, urf, ncm, total_usd, total_kg, "
                   "anterior_usd, anterior_kg, mes_max FROM rpt.mv_exportacao_par "
                   "ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"),
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
    assert first == {**dict.fromkeys(SAME_YEAR, (2022, 2023, 2024)),
                     "mv_exportacao_par": (2022, 2023, 2024, 2025),
                     **dict.fromkeys(views.SUMMARY_VIEWS)}  # fmt: skip
    stamps = "SELECT ano, min(updated_at), max(updated_at) FROM rpt.mv_exportacao_mensal GROUP BY 1"
    before = {year: (low, high) for year, low, high in query(database_url, stamps)}

    revised = yearly_file(tmp_path, 2023, seed=99, rows=1_200)
    load_file(database_url, revised)
    second = recomputed(database_url, views.refresh_all(database_url))

    assert second == {**dict.fromkeys(SAME_YEAR, (2023,)), "mv_exportacao_par": (2023, 2024),
                      **dict.fromkeys(views.SUMMARY_VIEWS)}  # fmt: skip
    after = {year: (low, high) for year, low, high in query(database_url, stamps)}
    assert after[2022] == before[2022] and after[2024] == before[2024]
    assert after[2023][0] > before[2023][1]
    _, usd, _ = csv_totals(revised, "VL_FOB", "KG_LIQUIDO")
    for view in YEARLY:
        assert year_usd(database_url, view, 2023) == usd, view
    # 2024's growth compares with the revised 2023 over 2024's months.
    last_month = max(int(row["CO_MES"]) for row in official_rows(tmp_path / "EXP_2024.csv"))
    expected = sum(
        (
            Decimal(row["VL_FOB"])
            for row in official_rows(revised)
            if int(row["CO_MES"]) <= last_month
        ),
        Decimal(0),
    )
    [(anterior,)] = query(
        database_url,
        "SELECT sum(anterior_usd) FROM rpt.mv_exportacao_par WHERE ano = 2024 AND "
        + views.TOTAL_ROWS["mv_exportacao_par"],
    )
    assert anterior == expected


def usd_by_state(path: Path) -> dict[str | None, Decimal]:
    totals: dict[str | None, Decimal] = defaultdict(Decimal)
    for row in official_rows(path):
        totals[row["SG_UF_NCM"]] += Decimal(row["VL_FOB"])
    return dict(totals)


def comparison_by_state(url: str, year: int) -> dict[str | None, Decimal]:
    rows = query(
        url,
        "SELECT uf, anterior_usd FROM rpt.mv_exportacao_par WHERE ano = %s AND conjunto = %s",
        (year, BY_STATE),
    )
    return dict(rows)  # type: ignore[arg-type]


def test_a_year_through_december_compares_with_the_whole_year_before(
    database_url: str, tmp_path: Path
) -> None:
    earlier = yearly_file(tmp_path, 2023, seed=5)
    later = yearly_file(tmp_path, 2024, seed=6)
    assert max(int(row["CO_MES"]) for row in official_rows(later)) == 12
    for path in (earlier, later):
        load_file(database_url, path)
    views.refresh_all(database_url)
    assert comparison_by_state(database_url, 2024) == usd_by_state(earlier)

    (tmp_path / "revised").mkdir()
    revised = yearly_file(tmp_path / "revised", 2023, seed=7)
    load_file(database_url, revised)
    assert recomputed(database_url, views.refresh_all(database_url))["mv_exportacao_par"] == (
        2023,
        2024,
    )
    assert comparison_by_state(database_url, 2024) == usd_by_state(revised)


BY_STATE_AND_HEADING = 64 + 32 + 4 + 2
"""The pair set by state and NCM, its NCMs summed by heading (SH4)."""


def by_state_and_heading(path: Path, field: str) -> dict[tuple[str, str], Decimal]:
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in official_rows(path):
        totals[(row["SG_UF_NCM"], row["CO_NCM"][:4])] += Decimal(row[field])
    return dict(totals)


def test_the_headings_sum_each_states_ncms_and_their_year_before(
    database_url: str, tmp_path: Path
) -> None:
    earlier = yearly_file(tmp_path, 2023, seed=5)
    later = yearly_file(tmp_path, 2024, seed=6)
    for path in (earlier, later):
        load_file(database_url, path)
    views.refresh_all(database_url)
    rows = query(
        database_url,
        "SELECT uf, ncm, SUM(total_usd), SUM(total_kg), SUM(anterior_usd) "
        "FROM rpt.mv_exportacao_par WHERE ano = 2024 AND conjunto = %s GROUP BY uf, ncm",
        (BY_STATE_AND_HEADING,),
    )
    assert {(uf, sh4): usd for uf, sh4, usd, _, _ in rows if usd is not None} == (
        by_state_and_heading(later, "VL_FOB")
    )
    assert {(uf, sh4): kg for uf, sh4, _, kg, _ in rows if kg is not None} == (
        by_state_and_heading(later, "KG_LIQUIDO")
    )
    assert {(uf, sh4): usd for uf, sh4, _, _, usd in rows if usd is not None} == (
        by_state_and_heading(earlier, "VL_FOB")
    )


def test_the_year_after_a_revised_one_is_marked_for_its_comparison_only(
    database_url: str, tmp_path: Path
) -> None:
    for year, seed in ((2023, 5), (2024, 6)):
        load_file(database_url, yearly_file(tmp_path, year, seed=seed))
    views.refresh_all(database_url)
    (tmp_path / "revised").mkdir()
    load_file(database_url, yearly_file(tmp_path / "revised", 2023, seed=7))
    assert query(
        database_url,
        "SELECT DISTINCT ano, pela_comparacao FROM rpt.anos_pendentes "
        "WHERE relacao = 'mv_exportacao_par' ORDER BY 1",
    ) == [(2023, False), (2024, True)]


def test_a_partial_year_after_a_revised_one_compares_its_months_of_the_new_figures(
    database_url: str, tmp_path: Path
) -> None:
    """Its stored sums hold no comparison to reuse: the months it has are summed again."""
    load_file(database_url, yearly_file(tmp_path, 2023, seed=5))
    load_file(database_url, through_august(yearly_file(tmp_path, 2024, seed=6)))
    views.refresh_all(database_url)
    (tmp_path / "revised").mkdir()
    revised = yearly_file(tmp_path / "revised", 2023, seed=7)
    load_file(database_url, revised)
    views.refresh_all(database_url)
    expected: dict[str | None, Decimal] = defaultdict(Decimal)
    for row in official_rows(revised):
        if int(row["CO_MES"]) <= 8:
            expected[row["SG_UF_NCM"]] += Decimal(row["VL_FOB"])
    assert comparison_by_state(database_url, 2024) == dict(expected)


def test_the_pair_table_keeps_one_partition_per_year_with_rows(
    database_url: str, tmp_path: Path
) -> None:
    for year, seed in ((2023, 1), (2024, 2), (2023, 3)):
        load_file(database_url, yearly_file(tmp_path, year, seed=seed))
        views.refresh_all(database_url)
    partitions = query(
        database_url,
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'rpt.exportacao_par'::regclass ORDER BY 1",
    )
    assert partitions == [
        ("exportacao_par_2023", "FOR VALUES IN (2023)"),
        ("exportacao_par_2024", "FOR VALUES IN (2024)"),
    ]
    [(leftovers,)] = query(
        database_url, "SELECT count(*) FROM pg_class WHERE relname LIKE 'exportacao_par%%novo%%'"
    )
    assert leftovers == 0


def test_a_refresh_with_nothing_changed_recomputes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    load_file(database_url, yearly_file(tmp_path, 2024, seed=1))
    views.refresh_all(database_url)
    again = recomputed(database_url, views.refresh_all(database_url))
    assert again == {**dict.fromkeys(YEARLY, ()), **dict.fromkeys(views.SUMMARY_VIEWS)}


def test_a_year_a_file_no_longer_holds_leaves_the_views(database_url: str, tmp_path: Path) -> None:
    load_file(database_url, yearly_file(tmp_path, 2023, seed=1))
    views.refresh_all(database_url)
    (tmp_path / "next").mkdir()
    moved = yearly_file(tmp_path / "next", 2024, seed=2).rename(tmp_path / "EXP_2023.csv")
    load_file(database_url, moved)
    done = recomputed(database_url, views.refresh_all(database_url))
    assert done["mv_exportacao_mensal"] == (2023, 2024)
    for view in YEARLY:
        assert year_usd(database_url, view, 2023) == 0, view
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
