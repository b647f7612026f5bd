"""Dagster resources, configured once in ``definitions.py`` from the environment."""

from pathlib import Path

import dagster as dg

from bgc_pipeline import db


class BgcDatabase(dg.ConfigurableResource):
    """The PostgreSQL database holding ``stg``, ``rpt`` and ``cfg``."""

    url: str

    def sqlalchemy_url(self) -> str:
        return db.normalise_url(self.url)

    def fetch_one(self, sql: str, params: dict[str, object] | None = None) -> tuple[object, ...]:
        with db.transaction(self.sqlalchemy_url()) as conn, conn.cursor() as cur:
            cur.execute(sql, params or {})
            row = cur.fetchone()
        return tuple(row) if row else ()


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
