"""Dagster resources, configured once in ``definitions.py`` from the environment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import dagster as dg

from bgc_core import db, migrate
from bgc_core.settings import load_settings

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection  # noqa: N812

Row = TypeVar("Row", bound=tuple[Any, ...])


class BgcDatabase(dg.ConfigurableResource):
    """The PostgreSQL database holding ``stg``, ``rpt`` and ``cfg``.

    Without ``url``, the settings decide when a run or tick starts, exactly as for
    ``bgc up``: ``BGC_DATABASE_URL`` (with ``BGC_DATABASE_PASSWORD``), else the embedded
    PostgreSQL of ``BGC_HOME``. So ``dagster dev`` needs no variable set.
    """

    url: str | None = None

    @property
    def dsn(self) -> str:
        """The URL with the psycopg2 driver named, for code that opens its own transactions
        (the loader records each attempt apart from the load)."""
        if self.url:
            return db.normalise_url(self.url)
        return migrate.database_url_for(load_settings())

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
    """The folder where files are dropped (a shared volume on Kubernetes).

    Without ``path``: ``BGC_LANDING_DIR``, else ``$BGC_HOME/landing`` (``.bgc/landing``).
    """

    path: str | None = None

    def folder(self) -> Path:
        return Path(self.path) if self.path else load_settings().landing_dir

    def file(self, name: str) -> Path:
        """The landing file for a partition key; refuses names that leave the folder."""
        candidate = (self.folder() / name).resolve()
        if candidate.parent != self.folder().resolve():
            raise ValueError(f"partition key {name!r} is not a file of {self.folder()}")
        return candidate
