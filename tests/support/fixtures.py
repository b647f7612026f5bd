"""Shared fixtures (a pytest plugin, registered in ``tests/conftest.py``).

One PostgreSQL server per test session: the embedded ``pgserver``, unless
``BGC_TEST_DATABASE_URL`` names another (CI runs the integration tier once more on
PostgreSQL 15). Every test that asks for ``database_url`` gets a database of its own,
cloned from a template migrated once per session, so no test sees another's rows.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from sqlalchemy.engine import make_url

from bgc_core import db, migrate
from tests.support.db import (
    clone_database,
    database_name,
    disconnect,
    drop_database,
    new_database,
)

if TYPE_CHECKING:
    from dagster import DagsterInstance

TEMPLATE = "template_migrated"
TIERS = ("unit", "integration", "e2e")
T = TypeVar("T")
StateCopy = Callable[[Callable[[str, Path], T]], tuple[str, T]]
"""The type of ``state_copy``: a build function in, a database URL and its value out."""


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


class DatabaseStates:
    """Database states built once per session, each test getting a copy of its own.

    A fixture describes its state as a function of an empty migrated database and a
    folder (load these files, refresh the views) returning what the test compares with
    (the rows of the files). The first test that asks runs it; every test, that one
    included, gets a database copied from the result (``CREATE DATABASE ... TEMPLATE``
    copies the files) and a deep copy of the value, so none sees another's writes. The
    same files loaded and refreshed again gave the same database, only two seconds later.
    """

    def __init__(self, server_url: str, template: str, folders: pytest.TempPathFactory):
        self._server_url = server_url
        self._template = template
        self._folders = folders
        self._built: dict[str, tuple[str, Any]] = {}

    def copy(self, build: Callable[[str, Path], T], name: str) -> tuple[str, T]:
        """A database of its own named ``name``, in the state ``build`` leaves, and the
        value ``build`` returned."""
        key = f"{build.__module__}.{build.__qualname__}"
        if key not in self._built:
            source = database_name(key, "s_")
            url = clone_database(self._server_url, self._template, source)
            value = build(url, self._folders.mktemp("state"))
            disconnect(self._server_url, source)
            self._built[key] = (source, value)
        source, value = self._built[key]
        return clone_database(self._server_url, source, name), copy.deepcopy(value)

    def drop_all(self) -> None:
        for source, _ in self._built.values():
            drop_database(self._server_url, source)


@pytest.fixture(scope="session")
def database_states(
    pg_server_url: str, migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DatabaseStates]:
    """States built once per session (loaded files, refreshed views), copied per test."""
    states = DatabaseStates(pg_server_url, migrated_template, tmp_path_factory)
    yield states
    states.drop_all()


@pytest.fixture
def state_copy(
    database_states: DatabaseStates, pg_server_url: str, request: pytest.FixtureRequest
) -> Iterator[StateCopy[Any]]:
    """``state_copy(build)``: this test's own copy of the state ``build`` describes."""
    names: list[str] = []

    def take(build: Callable[[str, Path], T]) -> tuple[str, T]:
        name = database_name(request.node.name)
        names.append(name)
        return database_states.copy(build, name)

    yield take
    for name in names:
        drop_database(pg_server_url, name)


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
