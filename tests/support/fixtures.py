"""Shared fixtures (a pytest plugin, registered in ``tests/conftest.py``).

One PostgreSQL server per test session: the embedded ``pgserver``, unless
``BGC_TEST_DATABASE_URL`` names another (CI runs the integration tier once more on
PostgreSQL 15). Every test that asks for ``database_url`` gets a database of its own,
cloned from a template migrated once per session, so no test sees another's rows.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.engine import make_url

from bgc_core import db, migrate
from tests.support.db import clone_database, database_name, drop_database, new_database

if TYPE_CHECKING:
    from dagster import DagsterInstance

TEMPLATE = "template_migrated"
TIERS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tier of a test is the folder it lives in: tests/unit, tests/integration, tests/e2e."""
    for item in items:
        parts = item.path.parts
        for tier in TIERS:
            if tier in parts:
                item.add_marker(getattr(pytest.mark, tier))


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


@pytest.fixture(scope="session")
def migrated_template(pg_server_url: str) -> Iterator[str]:
    """A database migrated once, reference tables filled: the template of every test's own."""
    url = new_database(pg_server_url, TEMPLATE)
    migrate.prepare_database(url)
    name = make_url(url).database or ""
    yield name
    drop_database(pg_server_url, name)


@pytest.fixture
def database_url(
    pg_server_url: str, migrated_template: str, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A freshly migrated database (reference tables filled) for this test alone."""
    url = clone_database(pg_server_url, migrated_template, database_name(request.node.name))
    yield url
    drop_database(pg_server_url, make_url(url).database or "")


@pytest.fixture
def empty_database_url(pg_server_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database for one test (migration tests)."""
    url = new_database(pg_server_url, request.node.name)
    yield url
    drop_database(pg_server_url, make_url(url).database or "")


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """An empty landing folder for this test."""
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder


@pytest.fixture
def instance() -> DagsterInstance:
    """An ephemeral Dagster instance (runs, partitions, events) for this test alone."""
    import dagster as dg  # here, so sessions without Dagster tests do not import it

    return dg.DagsterInstance.ephemeral()
