"""``bgc up``: the whole system on one machine, stopped cleanly by Ctrl-C.

Starts (or joins) the database, migrates it, then runs the Dagster webserver, the
Dagster daemon and the API as child processes, and drops ``data_samples/`` into the
landing folder so the file sensor loads them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bgc_pipeline import db, migrate
from bgc_pipeline.settings import REPO_ROOT, Settings

SAMPLES_DIR = REPO_ROOT / "data_samples"
WORKSPACE = REPO_ROOT / "workspace.yaml"
STOP_GRACE_S = 15
MAX_CONCURRENT_RUNS = 2

DAGSTER_YAML = f"""\
# Written by `bgc up`: local Dagster instance, storage in PostgreSQL (dagster-postgres).
storage:
  postgres:
    postgres_url:
      env: BGC_DAGSTER_DATABASE_URL
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: {MAX_CONCURRENT_RUNS}
telemetry:
  enabled: false
"""


class StackError(RuntimeError):
    """The stack cannot start; the message says what to change."""


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


def ensure_port_free(host: str, port: int, variable: str) -> None:
    """Fail early, naming the variable to change, when ``port`` is taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            raise StackError(
                f"port {port} on {host} is already in use; set {variable} to a free port"
            ) from None


def write_dagster_home(settings: Settings) -> Path:
    """``DAGSTER_HOME`` under ``BGC_HOME`` with PostgreSQL instance storage and a run queue."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(DAGSTER_YAML, encoding="utf-8")
    return home


def prepare_database(settings: Settings) -> tuple[str, str]:
    """Reach PostgreSQL, migrate, seed the reference tables; return (data, dagster) URLs."""
    url = db.server_url(settings)
    applied, _ = migrate.prepare_database(url)
    print(f"database: {db.mask_url(url)} ({len(applied)} migration(s) applied)")
    return url, db.dagster_url(settings, url)


def drop_samples(landing: Path) -> list[str]:
    """Copy the committed samples into the landing folder (unchanged copies are skipped)."""
    landing.mkdir(parents=True, exist_ok=True)
    copied = []
    for sample in sorted(SAMPLES_DIR.glob("*")):
        if sample.suffix.lower() not in (".csv", ".xlsx") or not sample.is_file():
            continue
        target = landing / sample.name
        if target.exists() and target.read_bytes() == sample.read_bytes():
            continue
        partial = landing / f".{sample.name}.part"
        shutil.copyfile(sample, partial)
        partial.rename(target)
        copied.append(sample.name)
    return copied


def _spawn(name: str, args: list[str], env: dict[str, str]) -> Child:
    process = subprocess.Popen(args, env=env, cwd=REPO_ROOT, start_new_session=True)
    return Child(name, process)


def _wait_http(url: str, timeout_s: float, children: list[Child]) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(c.process.poll() is not None for c in children):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def stop_children(children: list[Child]) -> None:
    """SIGTERM every child's process group, then SIGKILL what is left after a grace period."""
    for child in children:
        if child.process.poll() is None:
            _signal_group(child.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    for child in children:
        remaining = max(0.1, deadline - time.monotonic())
        try:
            child.process.wait(remaining)
        except subprocess.TimeoutExpired:
            _signal_group(child.process.pid, signal.SIGKILL)
            child.process.wait()
        _signal_group(child.process.pid, signal.SIGKILL)  # grandchildren left in the group


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


class _Stop(Exception):
    pass


def _raise_stop(signum: int, _frame: object) -> None:
    raise _Stop(signal.Signals(signum).name)


def run(settings: Settings) -> int:
    """Run the stack until Ctrl-C (SIGINT) or SIGTERM; return the exit code."""
    ensure_port_free(settings.api_host, settings.api_port, "BGC_API_PORT")
    ensure_port_free("127.0.0.1", settings.dagster_port, "BGC_DAGSTER_PORT")
    data_url, dagster_url = prepare_database(settings)
    dagster_home = write_dagster_home(settings)
    env = {
        **os.environ,
        "BGC_HOME": str(settings.home),
        "BGC_DATABASE_URL": data_url,
        "BGC_DAGSTER_DATABASE_URL": dagster_url,
        "BGC_LANDING_DIR": str(settings.landing_dir),
        "DAGSTER_HOME": str(dagster_home),
    }
    bin_dir = Path(sys.executable).parent
    children: list[Child] = []
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    try:
        children.append(_spawn("api", [str(bin_dir / "bgc"), "api"], env))
        children.append(
            _spawn(
                "dagster-webserver",
                [
                    str(bin_dir / "dagster-webserver"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(settings.dagster_port),
                    "-w",
                    str(WORKSPACE),
                ],
                env,
            )
        )
        children.append(
            _spawn(
                "dagster-daemon",
                [str(bin_dir / "dagster-daemon"), "run", "-w", str(WORKSPACE)],
                env,
            )
        )
        api_url = f"http://{settings.api_host}:{settings.api_port}"
        dagster_ui = f"http://127.0.0.1:{settings.dagster_port}"
        if not _wait_http(f"{api_url}/health", 60, children):
            raise StackError("the API did not start; see its output above")
        if not _wait_http(f"{dagster_ui}/server_info", 180, children):
            raise StackError("the Dagster webserver did not start; see its output above")
        copied = drop_samples(settings.landing_dir)
        print(f"\nBGC Analytics is up.\n  API:       {api_url}  (try {api_url}/v1/metrics/resumo)")
        print(
            f"  Dagster:   {dagster_ui}\n  Landing:   {settings.landing_dir}"
            f" ({len(copied)} sample file(s) dropped)\nPress Ctrl-C to stop.\n",
            flush=True,
        )
        while True:
            for child in children:
                code = child.process.poll()
                if code is not None:
                    raise StackError(f"{child.name} exited with code {code}")
            time.sleep(1)
    except _Stop as stop:
        print(f"\n{stop}: stopping...", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_children(children)
        print("stopped.", flush=True)
