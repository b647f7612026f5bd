"""The last resort of ``bgc up``: stops what it started when it dies without cleaning up.

``bgc up`` starts this process in a session of its own and keeps the write end of a
pipe whose read end only this process holds. A clean stop writes ``b"x"`` first; any
other end of ``bgc up`` (SIGKILL, a crash) closes the pipe with nothing written, and
the watchdog then stops the children's process groups and the embedded PostgreSQL.

    python -m bgc_cli.watchdog FD RUN_STATE_FILE

The run-state file (``$BGC_HOME/run/up.json``, kept by ``bgc up``) names the process
groups and the embedded server's data folder at the moment it is needed. The watchdog
holds ``run/watchdog.lock`` while it lives: the next ``bgc up`` waits for it, so a
cleanup still under way never stops the database that ``bgc up`` has just started.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import sys
import time
from pathlib import Path

CLEAN_EXIT = b"x"
GRACE_S = 10.0
LOCK_NAME = "watchdog.lock"


def hold_lock(state_file: Path) -> int:
    """Take ``watchdog.lock`` beside the run-state file for this process's life (the
    kernel releases it however the process ends) and write this PID into it."""
    fd = os.open(state_file.with_name(LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def stop_groups(pgids: list[int], grace_s: float = GRACE_S) -> int:
    """SIGTERM each live process group, SIGKILL what is left after ``grace_s``; return how
    many groups were alive."""
    alive = [pgid for pgid in pgids if group_alive(pgid)]
    for pgid in alive:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(group_alive(p) for p in alive):
        time.sleep(0.1)
    for pgid in alive:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
    return len(alive)


def postmaster_pid(pgdata: Path) -> int | None:
    """The PID in ``postmaster.pid`` when that process still runs, else ``None``."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return pid


def stop_postgres(pgdata: Path, timeout_s: float = 30.0) -> bool:
    """Fast shutdown of the server running from ``pgdata``; True when one was stopped."""
    pid = postmaster_pid(pgdata)
    if pid is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGINT)  # PostgreSQL's "fast" shutdown
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and postmaster_pid(pgdata) is not None:
        time.sleep(0.1)
    return True


def main(argv: list[str]) -> int:
    fd, state_file = int(argv[0]), Path(argv[1])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is for bgc up, not for us
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    hold_lock(state_file)
    with os.fdopen(fd, "rb") as pipe:
        said = pipe.read()  # blocks until bgc up closes its end, however it ends
    if said == CLEAN_EXIT:
        return 0
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    stop_groups([int(g) for g in state.get("groups", [])])
    if state.get("pgdata"):
        stop_postgres(Path(state["pgdata"]))
    state_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
