"""Dagster resources, configured once in ``definitions.py`` from the environment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import dagster as dg

from bgc_core import db

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection  # noqa: N812

Row = TypeVar("Row", bound=tuple[Any, ...])


class BgcDatabase(dg.ConfigurableResource):
    """The PostgreSQL database holding ``stg``, ``rpt`` and ``cfg``."""

    url: str

    @property
    def dsn(self) -> str:
        """The URL with the psycopg2 driver named, for code that opens its own transactions
        (the loader records each attempt apart from the load)."""
        return db.normalise_url(self.url)

    @contextmanager
    def connection(self) -> Iterator[PgConnection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        with db.transaction(self.dsn) as conn:
            yield conn

    def fetch_row(
        self, query: Any, row_type: type[Row], params: dict[str, Any] | None = None
    ) -> Row:
        """The one row of ``query`` as a ``row_type`` (a NamedTuple naming its columns)."""
        with self.connection() as conn, conn.cursor() as cur:
            cur.execute(query, params or {})
            row = cur.fetchone()
        if row is None:
            raise ValueError(f"query returned no row for {row_type.__name__}")
        return row_type(*row)


class LandingFolder(dg.ConfigurableResource):
    """The folder where files are dropped (a shared volume on Kubernetes)."""

    path: str

    def folder(self) -> Path:
        return Path(self.path)

    def file(self, name: str) -> Path:
        """The landing file for a partition key; refuses names that leave the folder."""
        candidate = (self.folder() / name).resolve()
        if candidate.parent != self.folder().resolve():
            raise ValueError(f"partition key {name!r} is not a file of {self.path}")
        return candidate
