"""The embedded PostgreSQL (pgserver): the local default and the tests' server."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
import warnings
from pathlib import Path
from typing import Any

from bgc_core.settings import Settings

log = logging.getLogger(__name__)

_servers: dict[Path, Any] = {}
HANDLES_FILE = ".handle_pids.json"
"""pgserver's list of the processes using a server; it stops the server when the last one
exits, but a killed process never removes itself, and the server would then run forever."""


def forget_dead_handles(pgdata: Path) -> None:
    """Drop the processes that no longer exist from pgserver's list of users."""
    path = pgdata / HANDLES_FILE
    try:
        pids = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _exists(pid)]
    if alive != pids:
        path.write_text(json.dumps(alive))


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_embedded(settings: Settings) -> str:
    """Start (or join) the embedded PostgreSQL in ``BGC_HOME`` and return its server URL.

    The server is reused across runs; it stops when the last process that started
    or joined it exits.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import pgserver

    logging.getLogger("pgserver").setLevel(logging.WARNING)  # it logs every pg_ctl call at INFO
    pgdata = settings.pgdata
    if pgdata not in _servers:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        forget_dead_handles(pgdata)
        log.info("starting embedded PostgreSQL in %s", pgdata)
        _servers[pgdata] = _started(pgserver, pgdata)
    return str(_servers[pgdata].get_uri())


START_ATTEMPTS = 3


def _started(pgserver: Any, pgdata: Path) -> Any:
    """pgserver's server for ``pgdata``, started, trying again after a failed start.

    A start can fail once for reasons of the calling process: in Dagster's code server
    the forked ``pg_ctl`` may die of SIGABRT (gRPC's fork handlers) before it runs.
    pgserver keeps the instance whose start failed and hands it out again without a
    server, so every later call in that process would fail too: it is forgotten first.
    """
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                server = pgserver.get_server(pgdata, cleanup_mode="stop")
            server.get_uri()  # fails on an instance left without a server
            return server
        except (OSError, subprocess.SubprocessError, AssertionError) as error:
            pgserver.PostgresServer._instances.pop(pgdata.expanduser().resolve(), None)
            if attempt == START_ATTEMPTS:
                raise
            log.warning("embedded PostgreSQL did not start (%s); trying again", error)
            time.sleep(attempt)
    raise AssertionError("unreachable")
