"""Fixtures: one PostgreSQL per test session, a freshly migrated database per test module.

The server is the embedded ``pgserver`` unless ``BGC_TEST_DATABASE_URL`` names another
(CI uses it to run the same tests against PostgreSQL 15).
"""

from __future__ import annotations

import logging
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bgc_pipeline import db, migrate

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of the test server's maintenance database."""
    external = os.environ.get("BGC_TEST_DATABASE_URL")
    if external:
        yield db.normalise_url(external)
        return
    import pgserver

    logging.getLogger("pgserver").setLevel(logging.WARNING)

    server = pgserver.get_server(tmp_path_factory.mktemp("pg") / "data", cleanup_mode="delete")
    try:
        yield db.normalise_url(server.get_uri())
    finally:
        server.cleanup()


def _drop_database(server_url: str, name: str) -> None:
    conn = db.connect(db.with_database(server_url, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def new_database(server_url: str, label: str) -> str:
    """Create an empty database named after ``label`` and return its URL."""
    name = "t_" + re.sub(r"[^a-z0-9_]", "_", label.lower())[-50:]
    _drop_database(server_url, name)
    url = db.with_database(server_url, name)
    db.ensure_database(url)
    return url


@pytest.fixture(scope="module")
def database_url(pg_server_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A freshly migrated database (reference tables seeded) for one test module."""
    url = new_database(pg_server_url, request.module.__name__)
    migrate.prepare_database(url)
    yield url
    _drop_database(pg_server_url, make_url(url).database or "")


@pytest.fixture
def empty_database_url(pg_server_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database for one test (migration tests)."""
    url = new_database(pg_server_url, request.node.name)
    yield url
    _drop_database(pg_server_url, make_url(url).database or "")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def query(url: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Run one statement and return its rows (committed)."""
    with db.transaction(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []
