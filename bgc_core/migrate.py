"""Numbered SQL migrations (``sql/migrations/NNNN_name.sql``), each applied once.

Used by ``bgc db migrate``, ``make up``, the tests and the Kubernetes migrate job.
A migration runs in its own transaction; its checksum is recorded, and a file that
changed after it was applied is an error rather than a silent re-run.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from importlib.abc import Traversable
from typing import TYPE_CHECKING

from bgc_core import db, sqlfiles
from bgc_core.settings import Settings

if TYPE_CHECKING:
    from psycopg2.extensions import connection as Connection  # noqa: N812
    from psycopg2.extensions import cursor as Cursor  # noqa: N812

log = logging.getLogger(__name__)

_ADVISORY_LOCK = 7_245_001  # any constant: serialises concurrent migrators
BASELINE = "baseline"
"""The name of migration 0001 since 0.2.0, which squashed the 0.1.x migrations."""
WAREHOUSE_SCHEMAS = ("stg", "rpt", "cfg")
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    """A migration cannot be applied; the message names the file (and statement)."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    file_name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def discover(directory: Traversable | None = None) -> list[Migration]:
    """The migrations in ``directory`` (default: the shipped ones), ordered, numbered from 1
    without gaps."""
    directory = directory or sqlfiles.migrations_dir()
    migrations = []
    files = sorted((f for f in directory.iterdir() if f.name.endswith(".sql")), key=_name)
    for file in files:
        match = _FILE_NAME.match(file.name)
        if not match:
            raise MigrationError(f"{file.name}: name must look like 0001_description.sql")
        migrations.append(
            Migration(int(match.group(1)), match.group(2), file.name, file.read_text("utf-8"))
        )
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"{migration.file_name}: expected version {expected:04d} (no gaps or duplicates)"
            )
    return migrations


def _name(file: Traversable) -> str:
    return file.name


def split_statements(sql: str) -> list[str]:
    """Split a script on top-level ``;``, respecting quotes, dollar quotes and comments."""
    statements: list[str] = []
    start = i = 0
    n = len(sql)
    while i < n:
        ch = sql[i]
        if sql.startswith("--", i):
            i = sql.find("\n", i)
            i = n if i < 0 else i
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        elif ch in ("'", '"'):
            end = i + 1
            while end < n:
                if sql[end] == ch and sql[end + 1 : end + 2] == ch:
                    end += 2
                elif sql[end] == ch:
                    break
                else:
                    end += 1
            i = end
        elif ch == "$":
            tag = re.match(r"\$[A-Za-z_]*\$", sql[i:])
            if tag:
                end = sql.find(tag.group(0), i + len(tag.group(0)))
                i = n if end < 0 else end + len(tag.group(0)) - 1
        elif ch == ";":
            statements.append(sql[start : i + 1])
            start = i + 1
        i += 1
    statements.append(sql[start:])
    return [s.strip() for s in statements if _has_code(s)]


def _has_code(statement: str) -> bool:
    without_comments = re.sub(r"--[^\n]*|/\*.*?\*/", "", statement, flags=re.S)
    return bool(without_comments.strip().strip(";").strip())


def _ensure_history(cur: Cursor) -> None:
    cur.execute(
        """CREATE TABLE IF NOT EXISTS public.bgc_schema_migrations (
            version    INT PRIMARY KEY,
            name       TEXT NOT NULL,
            checksum   CHAR(64) NOT NULL,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )"""
    )


def _applied(cur: Cursor) -> dict[int, tuple[str, str]]:
    cur.execute("SELECT version, name, checksum FROM public.bgc_schema_migrations")
    return {version: (name, checksum) for version, name, checksum in cur.fetchall()}


def _apply_one(conn: Connection, migration: Migration) -> None:
    import psycopg2

    with conn.cursor() as cur:
        for statement in split_statements(migration.sql):
            try:
                cur.execute(statement)
            except psycopg2.Error as exc:
                conn.rollback()
                first = " ".join(statement.split())[:160]
                message = (exc.pgerror or str(exc)).strip().splitlines()[0]
                raise MigrationError(
                    f"{migration.file_name}: {message}\n  in statement: {first}"
                ) from None
        cur.execute(
            "INSERT INTO public.bgc_schema_migrations (version, name, checksum) "
            "VALUES (%s, %s, %s)",
            (migration.version, migration.name, migration.checksum),
        )
    conn.commit()


def migrate(url: str, directory: Traversable | None = None) -> list[str]:
    """Apply every pending migration in order; return the file names applied."""
    migrations = discover(directory)
    conn = db.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (_ADVISORY_LOCK,))
            _ensure_history(cur)
            applied = _applied(cur)
        conn.commit()
        _check_baseline(url, applied)
        _check_unchanged(migrations, applied)
        done = []
        for migration in migrations:
            if migration.version in applied:
                continue
            _apply_one(conn, migration)
            log.info("applied %s", migration.file_name)
            done.append(migration.file_name)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", (_ADVISORY_LOCK,))
        conn.commit()
        return done
    finally:
        conn.close()


def _check_baseline(url: str, applied: dict[int, tuple[str, str]]) -> None:
    """Refuse a database made by the 0.1.x migrations before touching it: their schema is
    not the baseline's, and replaying history over it is not supported."""
    first = applied.get(1)
    if first is not None and first[0] != BASELINE:
        raise MigrationError(
            f"the database at {db.describe_target(url)} was made by the BGC Analytics 0.1.x "
            f"migrations (0001_{first[0]} ... {max(applied):04d}), which 0.2.0 squashed into "
            "one baseline: run `bgc db reset` to drop and recreate the warehouse (the landing "
            "files then load again through the sensor). Nothing was changed."
        )


def reset(url: str) -> tuple[list[str], list[str]]:
    """Drop the warehouse (its schemas and migration history) and build it again from the
    baseline; the migrations applied and the reference tables filled. Dagster's instance
    is left alone: the new warehouse has a new identity, so every landing file loads again."""
    conn = db.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (_ADVISORY_LOCK,))
            for schema in WAREHOUSE_SCHEMAS:
                cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            cur.execute("DROP TABLE IF EXISTS public.bgc_schema_migrations")
        conn.commit()
    finally:
        conn.close()  # the session's advisory lock goes with it
    return prepare_database(url)


def _check_unchanged(migrations: list[Migration], applied: dict[int, tuple[str, str]]) -> None:
    known = {m.version: m for m in migrations}
    for version, (name, checksum) in sorted(applied.items()):
        migration = known.get(version)
        if migration is None:
            raise MigrationError(
                f"the database has migration {version:04d}_{name} that this version does not "
                "ship: it was migrated by a newer BGC Analytics"
            )
        if migration.checksum != checksum:
            raise MigrationError(
                f"{migration.file_name} changed after it was applied (checksum mismatch); "
                "add a new migration instead of editing an applied one"
            )


_prepared: set[str] = set()


def database_url_for(settings: Settings) -> str:
    """The data database's URL from the settings, ready to use: ``BGC_DATABASE_URL`` as it
    is (migrating a shared server is a deliberate step), or the embedded default,
    migrated on first use in this process."""
    url = db.server_url(settings)
    if settings.database_url is None and url not in _prepared:
        prepare_database(url)
        _prepared.add(url)
    return url


def prepare_database(url: str) -> tuple[list[str], list[str]]:
    """Migrate, then fill the empty reference tables: what every entry point does first.

    Returns the migrations applied and the reference tables filled.
    """
    from bgc_core.reference import fill_empty_reference_tables

    return migrate(url), fill_empty_reference_tables(url)
