"""A Dagster instance belongs to one warehouse: its default database is named after the
warehouse's, and a start against another warehouse says so."""

from pathlib import Path

import yaml

from bgc_cli import stack
from bgc_core import db, migrate, warehouse
from bgc_core.settings import load_settings
from tests.support.db import clone_database, new_database, query


def test_the_instance_database_is_named_after_the_warehouse(
    pg_server_url: str, tmp_path: Path
) -> None:
    settings = load_settings({"BGC_HOME": str(tmp_path)})
    data = new_database(pg_server_url, "sales_2024", prefix="w_")
    url = db.dagster_url(settings, data)
    assert url.rsplit("/", 1)[1].split("?")[0] == "w_sales_2024_dagster"
    assert query(url, "SELECT current_database()") == [("w_sales_2024_dagster",)]
    assert db.dagster_database_for("x" * 70) == "x" * 55 + "_dagster"


def test_a_start_against_another_warehouse_is_reported_once(
    database_url: str, empty_database_url: str, pg_server_url: str
) -> None:
    instance = new_database(pg_server_url, "instance", prefix="d_")
    assert warehouse.claim_instance(instance, database_url) is None
    assert warehouse.claim_instance(instance, database_url) is None
    migrate.prepare_database(empty_database_url)
    warning = warehouse.claim_instance(instance, empty_database_url)
    assert warning is not None
    assert warning.startswith("warning: the Dagster instance in database d_instance")
    assert warehouse.identity(database_url) in warning
    assert warehouse.claim_instance(instance, empty_database_url) is None


def test_a_restored_copy_is_the_same_warehouse(database_url: str, pg_server_url: str) -> None:
    instance = new_database(pg_server_url, "restored", prefix="d_")
    warehouse.claim_instance(instance, database_url)
    [(name,)] = query(database_url, "SELECT current_database()")
    db_copy = clone_database(pg_server_url, str(name), "r_copy_of_" + str(name)[:40])
    assert warehouse.identity(db_copy) == warehouse.identity(database_url)
    assert warehouse.claim_instance(instance, db_copy) is None


def test_bgc_up_writes_run_concurrency_and_one_run_per_file(tmp_path: Path) -> None:
    settings = load_settings({"BGC_HOME": str(tmp_path), "BGC_MAX_CONCURRENT_RUNS": "3"})
    home = stack.write_dagster_home(settings)
    config = yaml.safe_load((home / "dagster.yaml").read_text(encoding="utf-8"))
    coordinator = config["run_coordinator"]["config"]
    assert coordinator["max_concurrent_runs"] == 3
    assert coordinator["tag_concurrency_limits"] == [
        {"key": "bgc/source_file", "value": {"applyLimitPerUniqueValue": True}, "limit": 1}
    ]
