"""The audit of every ingest attempt: one ``cfg.ingest_batches`` row per attempt, failed
ones included, each with what it loaded or why it failed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bgc_core import db
from bgc_core.files import file_sha256

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as Cursor  # noqa: N812


def new_batch_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}"


def close_abandoned(cur: Cursor, source: str, batch_id: str) -> None:
    """Other attempts on this file still 'running' died without finishing: we hold its lock."""
    cur.execute(
        "UPDATE cfg.ingest_batches SET status = 'failed', finished_at = clock_timestamp(), "
        "error = 'abandoned: the loading process ended before it finished' "
        "WHERE source_name = %s AND status = 'running' AND batch_id <> %s",
        (source, batch_id),
    )


@dataclass(frozen=True)
class LandingFile:
    """What identifies the landing file an attempt read: its hash and modification time."""

    sha256: str
    mtime: datetime | None = None

    @classmethod
    def of(cls, path: Path) -> LandingFile:
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        return cls(file_sha256(path), mtime)


def record_attempt(url: str, batch_id: str, source: str, sha: str, landing: LandingFile) -> None:
    import psycopg2

    try:
        with db.transaction(url) as conn, conn.cursor() as cur:
            cur.execute(
                "INSERT INTO cfg.ingest_batches "
                "(batch_id, source_name, sha256, landing_sha256, landing_mtime, status) "
                "VALUES (%s, %s, %s, %s, %s, 'running')",
                (batch_id, source, sha, landing.sha256, landing.mtime),
            )
    except (psycopg2.errors.UndefinedTable, psycopg2.errors.InvalidSchemaName):
        raise db.DatabaseUnavailable(
            f"the database at {db.describe_target(url)} is not migrated: run `bgc db migrate`"
        ) from None


def finish(
    cur: Cursor, batch_id: str, status: str, layout: str | None,
    loaded: int, rejected: int, replaced: int, blank: int,
) -> None:  # fmt: skip
    cur.execute(
        "UPDATE cfg.ingest_batches SET status = %s, layout = %s, rows_loaded = %s, "
        "rows_rejected = %s, rows_replaced = %s, rows_blank = %s, finished_at = clock_timestamp() "
        "WHERE batch_id = %s",
        (status, layout, loaded, rejected, replaced, blank, batch_id),
    )


def record_refusal(url: str, source: str, landing: LandingFile, problem: str) -> None:
    """A source refused before its load could start still leaves its audit row."""
    batch_id = new_batch_id()
    record_attempt(url, batch_id, source, landing.sha256, landing)
    record_failure(url, batch_id, problem)


def record_failure(url: str, batch_id: str, problem: str) -> None:
    with db.transaction(url) as conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE cfg.ingest_batches SET status = 'failed', error = %s, "
            "finished_at = clock_timestamp() WHERE batch_id = %s",
            (problem, batch_id),
        )


def database_problem(exc: Exception) -> str:
    text = getattr(exc, "pgerror", None) or str(exc) or type(exc).__name__
    return f"load failed: {text.strip().splitlines()[0]}"
