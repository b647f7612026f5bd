"""The embedded PostgreSQL (pgserver): the local default and the tests' server."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

from bgc_core.settings import Settings

log = logging.getLogger(__name__)

_servers: dict[Path, Any] = {}


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
        log.info("starting embedded PostgreSQL in %s", pgdata)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _servers[pgdata] = pgserver.get_server(pgdata, cleanup_mode="stop")
    return str(_servers[pgdata].get_uri())
