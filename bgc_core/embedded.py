"""The embedded PostgreSQL (pgserver): the local default and the tests' server."""

from __future__ import annotations

import json
import logging
import os
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _servers[pgdata] = pgserver.get_server(pgdata, cleanup_mode="stop")
    return str(_servers[pgdata].get_uri())
