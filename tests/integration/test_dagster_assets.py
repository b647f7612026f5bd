"""Assets executed for real: a landing file loads into staging, the views refresh, checks run.

Every test starts from its own empty database and its own Dagster instance."""

import shutil
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from bgc_core import views
from bgc_pipeline.defs.keys import (
    SNAPSHOTS_MATCH_STAGING,
    STAGING_RULES,
    STG_KEY,
    VIEW_CONSISTENT,
    VIEW_KEYS,
    VIEWS_MATCH_SNAPSHOTS,
)
from tests.support.dagster import load_partition, refresh_views, run_checks
from tests.support.db import query
from tests.support.ingest import csv_totals
from tests.support.paths import FIXTURES

OFFICIAL = FIXTURES / "comexstat" / "EXP_2012_01.csv"
KNOWN = (
    "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n"
    "2024,1,China,Agropecuária,09011110,100.10,10\n"
    "2024,1,China,Agropecuária,09011110,200.20,20\n"
    "2024,2,China,Indústria de Transformação,87032310,300.30,30\n"
    "2024,2,Chile,Agropecuária,09011110,400.40,40\n"
)
"""Four rows: three (ano, mes, pais, setor) groups, two countries, two sectors."""
KNOWN_ROWS = {"mv_exportacao_mensal": 3, "mv_resumo_pais": 2, "mv_resumo_setor": 2,
              "mv_resumo_geral": 1, "mv_exportacao_anual": 3,
              "mv_serie_mensal": 2 + 3 + 3, "mv_exportacao_dimensao": 3 + 4 * 2 + 3 * 2,
              "snapshot_exportacao": 3, "snapshot_importacao": 0}  # fmt: skip
"""mv_serie_mensal: 2 months for all, 3 (month, country) and 3 (month, sector) pairs.
mv_exportacao_dimensao: no uf, via or urf code (one NULL row each), two NCMs in four
distinct codes at each level (ncm, sh6, sh4, sh2), and two classes of each kind (fator,
cgce, cuci: sql/reference/ncm_classes.csv). snapshot_exportacao: the 2024 file's rows
at the analytical grain, the three groups (each has one NCM). No import is loaded."""


def check_results(result: dg.ExecuteInProcessResult) -> dict[tuple[str, str], bool]:
    return {
        (evaluation.asset_key.to_user_string(), evaluation.check_name): evaluation.passed
        for evaluation in result.get_asset_check_evaluations()
    }


def load_known(instance: dg.DagsterInstance, url: str, landing: Path) -> None:
    (landing / "known.csv").write_text(KNOWN, encoding="utf-8")
    assert load_partition(instance, url, landing, "known.csv").success


def test_loading_a_file_materializes_its_partition_with_metadata(
    database_url: str, landing: Path, instance: dg.DagsterInstance
) -> None:
    shutil.copy(OFFICIAL, landing / OFFICIAL.name)
    result = load_partition(instance, database_url, landing, OFFICIAL.name)
    assert result.success
    [materialization] = result.asset_materializations_for_node("stg__exportacao")
    metadata = {k: v.value for k, v in materialization.metadata.items()}
    rows, usd, _kg = csv_totals(OFFICIAL, "VL_FOB", "KG_LIQUIDO")
    assert metadata["source_file"] == OFFICIAL.name
    assert metadata["layout"] == "comexstat"
    assert (metadata["rows_loaded"], metadata["rows_rejected"]) == (rows, 0)
    assert metadata["dagster/partition_row_count"] == rows
    assert len(str(metadata["sha256"])) == 64
    assert materialization.partition == OFFICIAL.name
    assert check_results(result)[(STG_KEY.to_user_string(), STAGING_RULES)] is True
    assert query(database_url, "SELECT sum(valor_usd) FROM stg.exportacao") == [(usd,)]


def test_views_refresh_and_reconcile_to_the_cent(
    database_url: str, landing: Path, instance: dg.DagsterInstance
) -> None:
    load_known(instance, database_url, landing)
    result = refresh_views(instance, database_url, landing)
    assert result.success
    assert query(database_url, "SELECT total_usd, total_kg FROM rpt.mv_resumo_geral") == [
        (Decimal("1001.00"), Decimal("100.000"))
    ]
    checks = check_results(result)
    snapshots = VIEW_KEYS[views.SNAPSHOTS].to_user_string()
    assert set(checks) == {
        *((VIEW_KEYS[view].to_user_string(), VIEW_CONSISTENT) for view in views.READ_VIEWS),
        (snapshots, SNAPSHOTS_MATCH_STAGING),
        (snapshots, VIEWS_MATCH_SNAPSHOTS),
        (VIEW_KEYS[views.IMPORT_SNAPSHOTS].to_user_string(), SNAPSHOTS_MATCH_STAGING),
    }
    assert all(checks.values()), checks
    events = {e.asset_key: e for e in result.asset_materializations_for_node("rpt_views")}
    assert set(events) == set(VIEW_KEYS.values())  # all of them, in one step
    for view, key in VIEW_KEYS.items():
        assert events[key].metadata["dagster/row_count"].value == KNOWN_ROWS[view], view
    written = events[VIEW_KEYS[views.SNAPSHOTS]].metadata
    assert (written["files_written"].value, written["rows_written"].value) == (1, 3)
    assert str(written["files"].value).startswith("2024: ")


@pytest.mark.parametrize(
    ("tamper", "matches_staging", "views_differing"),
    [
        ("UPDATE rpt.agg_arquivo SET total_usd = total_usd + 0.01", False, 0),
        ("DELETE FROM rpt.snapshot_exportacao", False, 2 + 2),  # the countries and sectors
    ],
    ids=["staging moved", "files gone"],
)
def test_the_snapshot_checks_fail_on_what_the_files_do_not_hold(
    database_url: str,
    landing: Path,
    instance: dg.DagsterInstance,
    tamper: str,
    matches_staging: bool,
    views_differing: int,
) -> None:
    load_known(instance, database_url, landing)
    assert refresh_views(instance, database_url, landing).success
    query(database_url, tamper)
    result = run_checks(instance, database_url, landing, VIEW_KEYS[views.SNAPSHOTS])
    found = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert found[SNAPSHOTS_MATCH_STAGING].passed is matches_staging
    assert found[VIEWS_MATCH_SNAPSHOTS].passed is (views_differing == 0)
    assert found[VIEWS_MATCH_SNAPSHOTS].metadata["differing"].value == views_differing


def test_a_bad_file_fails_its_run_with_the_engine_message(
    database_url: str, landing: Path, instance: dg.DagsterInstance
) -> None:
    (landing / "broken.csv").write_text("what;is;this\n1;2;3\n", encoding="utf-8")
    result = load_partition(instance, database_url, landing, "broken.csv", raise_on_error=False)
    assert not result.success
    [failure] = result.get_step_failure_events()
    assert "broken.csv: header matches no known layout" in failure.step_failure_data.error.message


def test_view_check_fails_on_a_stale_view(
    database_url: str, landing: Path, instance: dg.DagsterInstance
) -> None:
    load_known(instance, database_url, landing)
    assert refresh_views(instance, database_url, landing).success
    query(
        database_url,
        "INSERT INTO rpt.agg_arquivo VALUES ('manual.csv', 'manual', 2024, 1, 1.23, 1, 0, 1)",
    )
    result = run_checks(instance, database_url, landing, VIEW_KEYS["mv_resumo_geral"])
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.check_name, evaluation.passed) == (VIEW_CONSISTENT, False)
    assert evaluation.metadata["usd_difference"].value == pytest.approx(-1.23)


def test_view_check_fails_when_a_load_came_after_the_refresh(
    database_url: str, landing: Path, instance: dg.DagsterInstance
) -> None:
    assert refresh_views(instance, database_url, landing).success
    load_known(instance, database_url, landing)
    result = run_checks(instance, database_url, landing, VIEW_KEYS["mv_resumo_pais"])
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed is False
    assert "refreshed before the latest load" in (evaluation.description or "")


def test_staging_check_fails_on_a_row_beyond_next_year(
    database_url: str, landing: Path, instance: dg.DagsterInstance
) -> None:
    load_known(instance, database_url, landing)
    query(database_url, "UPDATE stg.exportacao SET ano = 2099 WHERE valor_usd = 100.10")
    assert staging_check(instance, database_url, landing, "known.csv") == (
        False, "1 row(s) break the ingest rules",
    )  # fmt: skip


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE rpt.agg_arquivo SET total_usd = total_usd - 0.01",
        "DELETE FROM rpt.agg_dimensao WHERE dimensao = 'uf'",
    ],
    ids=["per-year totals", "sums by state"],
)
def test_staging_check_fails_when_the_aggregates_miss_rows_of_the_partition(
    database_url: str, landing: Path, instance: dg.DagsterInstance, tamper: str
) -> None:
    load_known(instance, database_url, landing)
    query(database_url, tamper)
    assert staging_check(instance, database_url, landing, "known.csv") == (
        False, "the aggregates kept at load time differ from the partition's rows",
    )  # fmt: skip


def staging_check(
    instance: dg.DagsterInstance, url: str, landing: Path, name: str
) -> tuple[bool, str | None]:
    """The staging check of one file's partition, run (as always) with its materialization:
    here an unchanged reload. (passed, description)."""
    result = load_partition(instance, url, landing, name, raise_on_error=False)
    [evaluation] = [
        e for e in result.get_asset_check_evaluations() if e.check_name == STAGING_RULES
    ]
    return evaluation.passed, evaluation.description
