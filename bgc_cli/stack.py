"""``bgc up``: the whole system on one machine, stopped cleanly by Ctrl-C.

Starts (or joins) the database, migrates it, then runs the API, the Dagster webserver
and the Dagster daemon as child processes, and drops ``data_samples/`` into the
landing folder so the file sensor loads them. On the first start in a ``BGC_HOME`` it
also drops a demo: five generated years in the official layout (``--no-demo`` skips it).

The terminal stays readable: after the banner, one line per file loaded or refused
and per view refresh, read from the warehouse's own audit. The children's output
goes to ``$BGC_HOME/logs/`` (``bgc up --verbose`` shows it instead).

Nothing outlives it. Ctrl-C, SIGTERM and SIGHUP (a closed terminal) stop every child
and the embedded PostgreSQL. If ``bgc up`` itself is killed, each child gets SIGTERM from
the kernel (the parent-death signal) and :mod:`bgc_cli.watchdog` stops the process
groups and the database. A later ``bgc up`` that finds leftovers of a crashed run in
the same ``BGC_HOME`` (``run/up.json``) stops them first and says so.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bgc_cli import watchdog
from bgc_core import db, migrate, warehouse
from bgc_core.domain import EXPORTS, FILE_PREFIXES, FLOWS, IMPORTS
from bgc_core.settings import Settings

CHECKOUT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = CHECKOUT / "data_samples"
"""The committed samples; a wheel install has none and `bgc up` then drops nothing."""
WORKSPACE = CHECKOUT / "workspace.yaml"
DEMO_YEARS = range(2021, 2026)
DEMO_ROWS_PER_YEAR = {EXPORTS: 60_000, IMPORTS: 40_000}
"""Five years of each flow (exports first, so they answer first): every state, thousands
of NCMs, the real countries and blocs, and a balance to show."""
DEMO_SEED = 2026
DEMO_MARKER = "demo-dropped"
STOP_GRACE_S = 15
CLEANUP_WAIT_S = 60.0
"""How long ``bgc up`` waits for a crashed run's watchdog to finish stopping what that
run left (it takes at most ``watchdog.GRACE_S`` plus the database's 30 s)."""
WATCH_INTERVAL_S = 2.0
PR_SET_PDEATHSIG = 1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

DAGSTER_YAML = """\
# Written by `bgc up`: local Dagster instance, storage in PostgreSQL (dagster-postgres).
# Different files load at the same time (BGC_MAX_CONCURRENT_RUNS); one file never twice.
storage:
  postgres:
    postgres_url:
      env: BGC_DAGSTER_DATABASE_URL
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: {max_concurrent_runs}
    tag_concurrency_limits:
      - key: bgc/source_file
        value:
          applyLimitPerUniqueValue: true
        limit: 1
python_logs:
  python_log_level: WARNING
telemetry:
  enabled: false
"""


class StackError(RuntimeError):
    """The stack cannot start; the message says what to change."""


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path | None


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
    text = DAGSTER_YAML.format(max_concurrent_runs=settings.max_concurrent_runs)
    (home / "dagster.yaml").write_text(text, encoding="utf-8")
    return home


def prepare_database(settings: Settings) -> tuple[str, str, int]:
    """Reach PostgreSQL, migrate, fill the reference tables.

    Returns the data URL, the Dagster URL and how many migrations were applied.
    """
    url = db.server_url(settings)
    applied, _ = migrate.prepare_database(url)
    return url, db.dagster_url(settings, url), len(applied)


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


def drop_demo(home: Path, landing: Path) -> list[str]:
    """On the first start in ``home``, the demo's yearly files into the landing folder
    (``DEMO_EXP_<year>.csv``, then ``DEMO_IMP_<year>.csv``; official layout, from the
    full-history generator). A marker in ``home`` keeps a demo the user deleted from
    coming back."""
    marker = home / DEMO_MARKER
    if marker.exists():
        return []
    from bgc_pipeline.ingest.history import Dimensions, write_year  # polars: only when needed

    landing.mkdir(parents=True, exist_ok=True)
    work = home / "demo"
    work.mkdir(parents=True, exist_ok=True)
    dims = Dimensions.official()
    names = []
    for flow in FLOWS:
        for year in DEMO_YEARS:
            written = write_year(work, year, DEMO_ROWS_PER_YEAR[flow], dims, DEMO_SEED, flow)
            name = f"DEMO_{written.path.name}"
            partial = landing / f".{name}.part"
            shutil.move(written.path, partial)
            partial.rename(landing / name)
            names.append(name)
    shutil.rmtree(work, ignore_errors=True)
    marker.write_text(" ".join(names) + "\n", encoding="utf-8")
    return names


def code_location_args() -> list[str]:
    """The checkout's workspace.yaml, else the definitions module (an installed wheel)."""
    if WORKSPACE.is_file():
        return ["-w", str(WORKSPACE)]
    return ["-m", "bgc_pipeline.definitions", "-a", "defs"]


def _prepare_child() -> None:
    """In the child, before exec (Linux): SIGTERM when the parent dies, however it dies;
    and SIGINT back to its default. A shell without job control starts a background
    ``bgc up`` with SIGINT ignored, and Dagster's processes answer SIGTERM as they
    answer SIGINT: inherited, that would make them ignore the stop signal too."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _spawn(name: str, args: list[str], env: dict[str, str], logs: Path | None) -> Child:
    """Start a child in its own process group; its output goes to ``logs/<name>.log``."""
    output: IO[bytes] | None = None
    log = None
    if logs is not None:
        log = logs / f"{name}.log"
        output = log.open("ab")
    try:
        process = subprocess.Popen(
            args,
            env=env,
            cwd=CHECKOUT if WORKSPACE.is_file() else None,
            start_new_session=True,
            preexec_fn=_prepare_child,  # set before exec: no threads run in bgc up
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )
    finally:
        if output:
            output.close()  # the child holds its own descriptor
    return Child(name, process, log)


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


@dataclass
class Activity:
    """What the warehouse reports since the last look: finished loads and view refreshes."""

    url: str
    color: bool
    seen_batches: dt.datetime | None = None
    seen_refresh: dt.datetime | None = None
    lines: list[str] = field(default_factory=list)

    def start_from_now(self) -> None:
        """Report only what happens from here on (earlier runs are history)."""
        with db.transaction(self.url) as conn, conn.cursor() as cur:
            cur.execute("SELECT max(finished_at) FROM cfg.ingest_batches")
            self.seen_batches = _first(cur.fetchone())
            cur.execute("SELECT max(updated_at) FROM rpt.mv_resumo_geral")
            self.seen_refresh = _first(cur.fetchone())

    def poll(self) -> list[str]:
        """One line per attempt finished and per refresh since the last poll."""
        lines: list[str] = []
        with db.transaction(self.url) as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT finished_at, source_name, status, layout, rows_loaded, rows_rejected, "
                "error FROM cfg.ingest_batches "
                "WHERE finished_at > COALESCE(%s::timestamptz, '-infinity') "
                "ORDER BY finished_at",
                (self.seen_batches,),
            )
            for finished, source, status, layout, loaded, rejected, error in cur.fetchall():
                self.seen_batches = finished
                lines.append(self._batch_line(source, status, layout, loaded, rejected, error))
            cur.execute("SELECT max(updated_at) FROM rpt.mv_resumo_geral")
            refreshed = _first(cur.fetchone())
            if refreshed is not None and refreshed != self.seen_refresh:
                self.seen_refresh = refreshed
                lines.append("views refreshed: the API serves the new data")
        return lines

    def _batch_line(
        self,
        source: str,
        status: str,
        layout: str | None,
        loaded: int,
        rejected: int,
        error: str | None,
    ) -> str:
        if status == "failed":
            return self.error_line(f"refused {source}: {error}")
        if status == "unchanged":
            return f"unchanged {source}: nothing to load"
        if layout == "totais":
            return f"stored {source}: MDIC's totals for {loaded:,} yearly file(s)"
        rejects = f", {rejected:,} rejected (see cfg.ingest_rejects)" if rejected else ""
        return f"loaded {source}: {loaded:,} row(s) ({layout} layout){rejects}"

    def error_line(self, text: str) -> str:
        return f"\033[1;31merror:\033[0m {text}" if self.color else f"error: {text}"


def _first(row: tuple[object, ...] | None) -> dt.datetime | None:
    value = row[0] if row else None
    return value if isinstance(value, dt.datetime) else None


class RunState:
    """``$BGC_HOME/run/up.json``: who runs the stack and which process groups it started,
    for the watchdog and for the next ``bgc up`` after a crash."""

    def __init__(self, settings: Settings) -> None:
        self.path = settings.home / "run" / "up.json"
        self.pgdata = settings.pgdata if settings.database_url is None else None

    def write(self, groups: list[int]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        state = {"pid": os.getpid(), "groups": groups, "pgdata": str(self.pgdata or "")}
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(state), encoding="utf-8")
        partial.replace(self.path)

    def read(self) -> dict[str, object]:
        try:
            state: dict[str, object] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return state

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def _cmdline(pid: int) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None


def _is_running_stack(pid: int) -> bool:
    cmdline = _cmdline(pid)
    if cmdline is None or pid == os.getpid():
        return False
    return b"bgc" in cmdline and b"up" in cmdline.split(b"\0")


def _still_ours(pgid: int) -> bool:
    """A recorded group is ours unless its ID now leads some other program (IDs are reused
    once a group is gone); a group whose leader exited still holds our children."""
    leader = _cmdline(pgid)
    return leader is None or any(name in leader for name in (b"bgc", b"dagster"))


def wait_for_watchdog(state: RunState, timeout_s: float = CLEANUP_WAIT_S) -> None:
    """Wait until no watchdog holds ``run/watchdog.lock``: a crashed run's watchdog that is
    still stopping its groups would stop the database this run starts next."""
    path = state.path.with_name(watchdog.LOCK_NAME)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return  # closing the descriptor below releases it
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = path.read_text(encoding="utf-8").strip() or "unknown"
                    raise StackError(
                        f"{path}: the watchdog of a crashed bgc up (pid {holder}) is still "
                        f"stopping it after {timeout_s:.0f} s; stop that process and retry"
                    ) from None
                time.sleep(0.1)
    finally:
        os.close(fd)


def recover_crashed_run(state: RunState) -> str | None:
    """Stop what a crashed ``bgc up`` left in this ``BGC_HOME``; say what was done. Its
    watchdog may be doing the same: wait for it first, then stop what it left."""
    pid = state.read().get("pid")
    if not isinstance(pid, int) or _is_running_stack(pid):
        return None  # nothing recorded, or a live stack (the port check will say so)
    wait_for_watchdog(state)
    found = state.read()
    if found.get("pid") != pid:
        return None  # the watchdog cleaned up and cleared the record
    recorded = found.get("groups")
    groups = (
        [g for g in recorded if isinstance(g, int) and _still_ours(g)]
        if isinstance(recorded, list)
        else []
    )
    stopped = watchdog.stop_groups(groups)
    pgdata = str(found.get("pgdata") or "")
    database = bool(pgdata) and watchdog.stop_postgres(Path(pgdata))
    state.clear()
    if not stopped and not database:
        return None
    parts = [f"{stopped} process group(s)"] + (["its database server"] if database else [])
    return f"recovered from a crashed run (pid {pid}): stopped {' and '.join(parts)}"


def start_watchdog(state: RunState) -> int:
    """Start :mod:`bgc_cli.watchdog`; return the write end of its pipe."""
    read_end, write_end = os.pipe()
    subprocess.Popen(
        [sys.executable, "-m", "bgc_cli.watchdog", str(read_end), str(state.path)],
        pass_fds=(read_end,),
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(read_end)
    return write_end


def release_watchdog(write_end: int) -> None:
    """A clean stop: the watchdog leaves without touching anything."""
    with contextlib.suppress(OSError):
        os.write(write_end, watchdog.CLEAN_EXIT)
    with contextlib.suppress(OSError):
        os.close(write_end)


class _Stop(Exception):
    pass


def _raise_stop(signum: int, _frame: object) -> None:
    raise _Stop(signal.Signals(signum).name)


def _demo_files(names: list[str]) -> str:
    """``5 export and 5 import yearly files (500,000 rows): DEMO_EXP_2021.csv ..``"""
    counts = {flow: sum(f"_{FILE_PREFIXES[flow]}_" in name for name in names) for flow in FLOWS}
    rows = sum(counts[flow] * DEMO_ROWS_PER_YEAR[flow] for flow in FLOWS)
    return (
        f"{counts[EXPORTS]} export and {counts[IMPORTS]} import yearly files ({rows:,} rows): "
        f"{names[0]} .. {names[-1]}; bgc up --no-demo skips it on a new BGC_HOME"
    )


def _banner(
    settings: Settings, copied: list[str], logs: Path | None, demo: list[str] | None = None
) -> str:
    api_url = f"http://{settings.api_host}:{settings.api_port}"
    samples = f" ({len(copied)} sample file(s) dropped)" if SAMPLES_DIR.is_dir() else ""
    demo_line = f"  Demo:      {_demo_files(demo)}" if demo else None
    lines = [
        "",
        "BGC Analytics is up.",
        f"  Dashboard: {api_url}/painel",
        f"  API:       {api_url}  (try {api_url}/v1/metrics/resumo)",
        f"  API docs:  {api_url}/schema",
        f"  Dagster:   http://127.0.0.1:{settings.dagster_port}",
        f"  Landing:   {settings.landing_dir}{samples}",
    ]
    if demo_line:
        lines.append(demo_line)
    if logs is not None:
        lines.append(f"  Logs:      {logs}  (bgc up --verbose shows them here)")
    lines += ["Press Ctrl-C to stop.", ""]
    return "\n".join(lines)


def run(settings: Settings, verbose: bool = False, demo: bool = True) -> int:
    """Run the stack until Ctrl-C (SIGINT), SIGTERM or SIGHUP; return the exit code."""
    state = RunState(settings)
    recovered = recover_crashed_run(state)
    if recovered:
        print(recovered, flush=True)
    ensure_port_free(settings.api_host, settings.api_port, "BGC_API_PORT")
    ensure_port_free("127.0.0.1", settings.dagster_port, "BGC_DAGSTER_PORT")
    data_url, dagster_url, applied = prepare_database(settings)
    print(f"database: {db.mask_url(data_url)} ({applied} migration(s) applied)", flush=True)
    claimed = warehouse.claim_instance(dagster_url, data_url)
    if claimed:
        print(claimed, flush=True)
    dagster_home = write_dagster_home(settings)
    logs = None if verbose else settings.home / "logs"
    if logs is not None:
        logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "BGC_HOME": str(settings.home),
        "BGC_DATABASE_URL": data_url,
        "BGC_DAGSTER_DATABASE_URL": dagster_url,
        "BGC_LANDING_DIR": str(settings.landing_dir),
        "DAGSTER_HOME": str(dagster_home),
    }
    bin_dir = Path(sys.executable).parent
    location = code_location_args()
    children: list[Child] = []
    activity = Activity(data_url, color=sys.stdout.isatty())
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, _raise_stop)
    state.write([])
    guard = start_watchdog(state)
    try:
        activity.start_from_now()
        children.append(_spawn("api", [str(bin_dir / "bgc"), "api"], env, logs))
        webserver = [str(bin_dir / "dagster-webserver"), "-h", "127.0.0.1"]
        webserver += ["-p", str(settings.dagster_port), *location]
        children.append(_spawn("dagster-webserver", webserver, env, logs))
        daemon = [str(bin_dir / "dagster-daemon"), "run", *location]
        children.append(_spawn("dagster-daemon", daemon, env, logs))
        state.write([child.process.pid for child in children])
        # The files land while the servers start (the demo takes seconds to write), so
        # the sensor finds them at its first tick.
        copied = drop_samples(settings.landing_dir) if SAMPLES_DIR.is_dir() else []
        dropped = drop_demo(settings.home, settings.landing_dir) if demo else []
        api_url = f"http://{settings.api_host}:{settings.api_port}"
        if not _wait_http(f"{api_url}/health", 60, children):
            raise StackError(f"the API did not start; see {_where(children[0])}")
        dagster_ui = f"http://127.0.0.1:{settings.dagster_port}/server_info"
        if not _wait_http(dagster_ui, 180, children):
            raise StackError(f"the Dagster webserver did not start; see {_where(children[1])}")
        print(_banner(settings, copied, logs, dropped), flush=True)
        while True:
            for child in children:
                code = child.process.poll()
                if code is not None:
                    raise StackError(f"{child.name} exited with code {code}; see {_where(child)}")
            for line in _safe_poll(activity):
                print(line, flush=True)
            time.sleep(WATCH_INTERVAL_S)
    except _Stop as stop:
        print(f"\n{stop}: stopping...", flush=True)
        return 0
    finally:
        for stop_signal in STOP_SIGNALS:
            signal.signal(stop_signal, signal.SIG_IGN)
        stop_children(children)
        state.clear()
        release_watchdog(guard)
        print("stopped.", flush=True)


def _where(child: Child) -> str:
    return str(child.log) if child.log else "its output above"


def _safe_poll(activity: Activity) -> list[str]:
    """The activity lines; a database hiccup is one line, not the end of the stack."""
    try:
        return activity.poll()
    except db.DatabaseUnavailable as exc:
        return [activity.error_line(str(exc))]
