"""Assets executed for real: a landing file loads into staging, the views refresh, checks run."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

from bgc_pipeline.assets import STG_KEY, VIEW_KEYS
from bgc_pipeline.checks import RECONCILES, SHARES_SUM_TO_100, STAGING_RULES
from tests.conftest import FIXTURES, query
from tests.dagster_helpers import load_partition, refresh_views, run_checks
from tests.ingest_helpers import csv_totals

pytestmark = pytest.mark.integration

OFFICIAL = FIXTURES / "comexstat" / "EXP_2012_01.csv"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def instance() -> dg.DagsterInstance:
    return dg.DagsterInstance.ephemeral()


def check_results(result: dg.ExecuteInProcessResult) -> dict[tuple[str, str], bool]:
    return {
        (evaluation.asset_key.to_user_string(), evaluation.check_name): evaluation.passed
        for evaluation in result.get_asset_check_evaluations()
    }


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
    assert len(str(metadata["sha256"])) == 64
    assert materialization.partition == OFFICIAL.name
    assert check_results(result)[(STG_KEY.to_user_string(), STAGING_RULES)] is True
    assert query(database_url, "SELECT sum(valor_usd) FROM stg.exportacao") == [(usd,)]


def test_views_refresh_and_reconcile_to_the_cent(
    database_url: str, landing: Path, instance: dg.DagsterInstance
) -> None:
    result = refresh_views(instance, database_url, landing)
    assert result.success
    _, usd, kg = csv_totals(OFFICIAL, "VL_FOB", "KG_LIQUIDO")
    assert query(database_url, "SELECT total_usd, total_kg FROM rpt.mv_resumo_geral") == [(usd, kg)]
    checks = check_results(result)
    assert all(checks.values()), checks
    assert checks[(VIEW_KEYS["mv_resumo_pais"].to_user_string(), SHARES_SUM_TO_100)] is True
    for view, key in VIEW_KEYS.items():
        [event] = result.asset_materializations_for_node(f"rpt__{view}")
        assert event.asset_key == key
        assert (
            event.metadata["rows"].value
            == query(database_url, f"SELECT count(*) FROM rpt.{view}")[0][0]
        )


def test_a_bad_file_fails_its_run_with_the_engine_message(
    database_url: str, landing: Path, instance: dg.DagsterInstance
) -> None:
    (landing / "broken.csv").write_text("what;is;this\n1;2;3\n", encoding="utf-8")
    result = load_partition(instance, database_url, landing, "broken.csv", raise_on_error=False)
    assert not result.success
    [failure] = result.get_step_failure_events()
    assert "broken.csv: header matches no known layout" in failure.step_failure_data.error.message


def test_reconcile_check_fails_on_a_stale_view(
    database_url: str, landing: Path, instance: dg.DagsterInstance
) -> None:
    query(
        database_url,
        "INSERT INTO stg.exportacao (ano, mes, pais, setor, valor_usd, peso_kg, ingest_batch, ingest_source) "
        "VALUES (2024, 1, 'China', 'X', 1.23, 1, 'manual', 'manual.csv')",
    )
    result = run_checks(instance, database_url, landing, VIEW_KEYS["mv_resumo_geral"])
    checks = check_results(result)
    assert checks[(VIEW_KEYS["mv_resumo_geral"].to_user_string(), RECONCILES)] is False


def test_staging_check_fails_on_a_row_beyond_next_year(
    database_url: str, landing: Path, instance: dg.DagsterInstance
) -> None:
    query(
        database_url,
        "INSERT INTO stg.exportacao (ano, mes, pais, setor, valor_usd, peso_kg, ingest_batch, ingest_source) "
        "VALUES (2099, 1, 'China', 'X', 1, 1, 'manual', 'future.csv')",
    )
    result = run_checks(instance, database_url, landing, STG_KEY)
    assert check_results(result)[(STG_KEY.to_user_string(), STAGING_RULES)] is False
