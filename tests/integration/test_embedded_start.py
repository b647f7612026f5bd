"""The embedded PostgreSQL survives a failed start: the next attempt gets a working server."""

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pgserver
import pytest
from pgserver import postgres_server

from bgc_core import db, embedded
from bgc_core.settings import load_settings
from tests.support.db import query


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """A BGC_HOME of its own; its server is stopped afterwards."""
    yield tmp_path
    server = embedded._servers.pop(tmp_path / "pgdata", None)
    if server is not None:
        server.cleanup()


def test_a_start_whose_pg_ctl_died_is_tried_again(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What Dagster's code server saw: the forked pg_ctl killed by SIGABRT before it ran.
    real_pg_ctl = postgres_server.pg_ctl
    starts: list[list[str]] = []

    def pg_ctl_dying_once(args: list[str], **kwargs: Any) -> Any:
        if args[-1] == "start":
            starts.append(args)
            if len(starts) == 1:
                raise subprocess.CalledProcessError(-6, ["pg_ctl", *args])
        return real_pg_ctl(args, **kwargs)

    monkeypatch.setattr(postgres_server, "pg_ctl", pg_ctl_dying_once)
    url = embedded.start_embedded(load_settings({"BGC_HOME": str(home)}))

    assert len(starts) == 2
    started = embedded._servers[home / "pgdata"]
    assert pgserver.PostgresServer._instances[(home / "pgdata").resolve()] is started
    assert query(db.normalise_url(url), "SELECT 1") == [(1,)]
    # Later calls in the same process reuse the started server.
    assert embedded.start_embedded(load_settings({"BGC_HOME": str(home)})) == url
