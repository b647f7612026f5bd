"""The `bgc` command: one-line errors naming what to fix, no traceback wall."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bgc_cli.stack import StackError, ensure_port_free
from tests.integration.test_migrations import make_0_1_database
from tests.support.db import query

BGC = str(Path(sys.executable).parent / "bgc")


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BGC, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )


def test_unreachable_database_is_one_line_naming_host_and_port() -> None:
    result = _run(["db", "migrate"], BGC_DATABASE_URL="postgresql://bgc:hunter2@127.0.0.1:9/bgc")
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot reach PostgreSQL at 127.0.0.1:9 ")
    assert "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_twice_says_nothing_to_apply(database_url: str) -> None:
    result = _run(["db", "migrate"], BGC_DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "database is up to date: nothing to apply"


def test_taken_port_names_the_variable_to_change() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(StackError, match=f"port {port} .* set BGC_API_PORT"):
            ensure_port_free("127.0.0.1", port, "BGC_API_PORT")


def test_help_lists_every_command() -> None:
    result = _run(["--help"])
    for command in ("up", "db", "api", "generate-sample"):
        assert command in result.stdout


def test_ingest_into_an_unmigrated_database_says_to_migrate(
    empty_database_url: str, tmp_path: Path
) -> None:
    bgc_ingest = str(Path(sys.executable).parent / "bgc-ingest")
    env = {**os.environ, "BGC_DATABASE_URL": empty_database_url}
    sample = tmp_path / "a.csv"
    sample.write_text("ano,mes,pais,setor,ncm,valor_usd,peso_kg\n2024,1,China,X,09011110,1,1\n")
    for args in (["load-csv", str(sample)], ["refresh-mv"]):
        result = subprocess.run([bgc_ingest, *args], env=env, capture_output=True, text=True)
        assert result.returncode == 2, result.stderr
        assert "run `bgc db migrate`" in result.stderr
        assert "Traceback" not in result.stderr


def test_ingest_on_the_embedded_default_migrates_first(tmp_path: Path) -> None:
    bgc_ingest = str(Path(sys.executable).parent / "bgc-ingest")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BGC_")}
    env["BGC_HOME"] = str(tmp_path / "home")
    sample = tmp_path / "a.csv"
    sample.write_text("ano,mes,pais,setor,ncm,valor_usd,peso_kg\n2024,1,China,X,09011110,1,1\n")
    result = subprocess.run(
        [bgc_ingest, "load-csv", str(sample)], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("a.csv: loaded 1 row(s)")


def test_migrate_on_a_database_of_the_old_migrations_names_the_reset(
    empty_database_url: str,
) -> None:
    make_0_1_database(empty_database_url)
    result = _run(["db", "migrate"], BGC_DATABASE_URL=empty_database_url)
    assert result.returncode == 2
    assert result.stderr.startswith("error: the database at ")
    assert "`bgc db reset`" in result.stderr and "Nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr


def test_reset_without_a_confirmation_changes_nothing(database_url: str) -> None:
    [(identity,)] = query(database_url, "SELECT warehouse FROM cfg.warehouse")
    result = subprocess.run(
        [BGC, "db", "reset"], env={**os.environ, "BGC_DATABASE_URL": database_url},
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 1
    assert "nothing was changed" in result.stderr
    assert query(database_url, "SELECT warehouse FROM cfg.warehouse") == [(identity,)]


def test_reset_with_yes_recreates_the_warehouse(database_url: str) -> None:
    [(identity,)] = query(database_url, "SELECT warehouse FROM cfg.warehouse")
    result = _run(["db", "reset", "--yes"], BGC_DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert "recreated the warehouse" in result.stdout and "0001_baseline.sql" in result.stdout
    assert query(database_url, "SELECT warehouse FROM cfg.warehouse") != [(identity,)]
