"""The baselines the benchmarks divide by: a bare COPY of a file, timed alone."""

from __future__ import annotations

import io
import time
from pathlib import Path

from bgc_core import db


def timed_copy(url: str, table: str, create: str, copy: str, path: Path) -> float:
    """Seconds of one ``COPY ... FROM STDIN`` (``copy``) of ``path`` into ``table``, made
    by ``create`` just before and dropped after; the file is read before the clock starts."""
    with db.transaction(url) as conn, conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(create)
    data = path.read_bytes()
    started = time.perf_counter()
    with db.transaction(url) as conn, conn.cursor() as cur:
        cur.copy_expert(copy, io.BytesIO(data))
    seconds = time.perf_counter() - started
    with db.transaction(url) as conn, conn.cursor() as cur:
        cur.execute(f"DROP TABLE {table}")
    return seconds
