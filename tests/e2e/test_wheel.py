"""A wheel installed like any user would, run from an empty directory: it finds its SQL
(shipped inside the package) and needs nothing from the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.browser import assert_dashboard_served
from tests.support.db import free_port
from tests.support.paths import REPO_ROOT
from tests.support.waiting import get_json, wait_until

INSTALL_TIMEOUT_S = 900
PACKAGED = ("pyproject.toml", "README.md", "sql", "bgc_core", "bgc_pipeline", "bgc_api", "bgc_cli")


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S
    )
    assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def copy_sources(target: Path) -> Path:
    """What the wheel is built from (the Dockerfile copies the same)."""
    for name in PACKAGED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / name)
    return target


def test_installed_wheel_migrates_and_serves_from_an_empty_directory(
    tmp_path: Path, empty_database_url: str
) -> None:
    dist, venv, empty = tmp_path / "dist", tmp_path / "venv", tmp_path / "empty"
    empty.mkdir()
    source = copy_sources(tmp_path / "src")  # a build writes into its source: not the checkout
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        cwd=tmp_path)  # fmt: skip
    [wheel] = dist.glob("bgc_analytics-*.whl")
    run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    run([str(venv / "bin" / "pip"), "install", "-q", "--constraint",
         str(REPO_ROOT / "constraints.txt"), str(wheel)], cwd=tmp_path)  # fmt: skip

    env = {k: v for k, v in os.environ.items() if not k.startswith(("BGC_", "PYTHON"))}
    env |= {"BGC_DATABASE_URL": empty_database_url, "BGC_HOME": str(tmp_path / "home")}
    migrated = run([str(venv / "bin" / "bgc"), "db", "migrate"], cwd=empty, env=env)
    shipped = len(list((REPO_ROOT / "sql" / "migrations").glob("*.sql")))
    assert migrated.startswith(f"applied {shipped} migration(s): 0001_baseline.sql"), migrated

    port = free_port()
    api = subprocess.Popen(
        [str(venv / "bin" / "bgc"), "api"], cwd=empty, env={**env, "BGC_API_PORT": str(port)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        answer = wait_until("for the installed API", lambda: get_json(f"{base}/ready"), 60,
                            process=api)  # fmt: skip
        assert answer == {"status": "ready"}
        assert get_json(f"{base}/v1/metrics/resumo")["totalUsd"] == 0
        assert get_json(f"{base}/v1/metrics/resumo?uf=SP")["totalUsd"] == 0  # DuckDB's SQL ships
        assert_dashboard_served(base)  # its files ship inside the package
    finally:
        api.terminate()
        api.wait(20)
