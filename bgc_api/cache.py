"""Version-keyed response cache: answers are reused until the views are refreshed.

The data version is the views' last refresh time. A listener connection waits for
the ``bgc_views_refreshed`` notification that every refresh sends when it commits,
and re-reads the version then (and every few seconds, as a safety net). While the
database is unreachable the version is unknown and nothing is served from cache.
"""

from __future__ import annotations

import hashlib
import logging
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bgc_core import db, sqlfiles
from bgc_core.views import REFRESH_CHANNEL

log = logging.getLogger(__name__)
_QUERIES = sqlfiles.queries("metrics")
MAX_ENTRIES = 4096
WAKE_S = 0.25
"""How often the listener looks at its stop flag (shutdown is never slower than this)."""


@dataclass(frozen=True)
class Cached:
    body: bytes
    media_type: str
    etag: str


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=10).hexdigest() + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison for ``If-None-Match``: a list of tags, ``W/`` prefixes
    ignored, ``*`` matching any current answer."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return etag in (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))


def format_data_through(ano: int, mes: int | None) -> str:
    """``2025-08``, or ``2025`` when the latest year has annual figures only."""
    return f"{ano}-{mes:02d}" if mes else str(ano)


class ResponseCache:
    """Encoded answers for one data version; a new version starts empty."""

    def __init__(self) -> None:
        self._version: str | None = None
        self._entries: dict[Any, Cached] = {}
        self._lock = threading.Lock()

    def get(self, version: str | None, key: Any) -> Cached | None:
        if version is None or version != self._version:
            return None
        return self._entries.get(key)

    def put(self, version: str | None, key: Any, value: Cached) -> None:
        if version is None:
            return
        with self._lock:
            if version != self._version or len(self._entries) >= MAX_ENTRIES:
                self._entries = {}
                self._version = version
            self._entries[key] = value


@dataclass(frozen=True)
class Snapshot:
    """What the API knows of the data, replaced as a whole so readers never mix two reads."""

    version: str | None
    """The views' last refresh (ISO 8601); ``None`` while unknown (database down)."""
    data_through: str | None
    """Latest ``YYYY-MM`` in the views; it changes only with the version."""


UNKNOWN = Snapshot(None, None)


class DataVersion:
    """The current data version, followed through LISTEN/NOTIFY in a background thread."""

    def __init__(
        self, url: str, poll_s: float = 5.0, on_change: Callable[[str], None] | None = None
    ) -> None:
        self.url = url
        self.poll_s = poll_s
        self.on_change = on_change
        """Called with each new version, in the listener's thread (it must return fast)."""
        self.snapshot = UNKNOWN
        self._stop = threading.Event()
        self._read_once = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bgc-data-version", daemon=True)

    @property
    def current(self) -> str | None:
        return self.snapshot.version

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=db.CONNECT_TIMEOUT_S + 1)

    def wait_until_read(self, timeout: float) -> bool:
        """Block until the version has been read once (start-up, tests)."""
        return self._read_once.wait(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as exc:  # any failure: forget the version, retry shortly
                if self.snapshot is not UNKNOWN:
                    log.warning("data version unknown (%s); cache bypassed", type(exc).__name__)
                self.snapshot = UNKNOWN
                self._stop.wait(1.0)  # returns at once when stopping

    def _listen(self) -> None:
        conn = db.connect(self.url)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f"LISTEN {REFRESH_CHANNEL}")
                self._read(cur)
                last_read = time.monotonic()
                while not self._stop.is_set():
                    ready, _, _ = select.select([conn], [], [], WAKE_S)
                    if ready:
                        conn.poll()
                    if conn.notifies or time.monotonic() - last_read >= self.poll_s:
                        conn.notifies.clear()
                        self._read(cur)
                        last_read = time.monotonic()
        finally:
            conn.close()

    def _read(self, cur: Any) -> None:
        cur.execute(_QUERIES["data_through"])
        latest = cur.fetchone()
        cur.execute(_QUERIES["version"])
        (updated_at,) = cur.fetchone()
        before = self.snapshot.version
        self.snapshot = Snapshot(
            updated_at.isoformat() if updated_at else None,
            format_data_through(*latest) if latest else None,
        )
        self._read_once.set()
        if self.on_change and self.snapshot.version and self.snapshot.version != before:
            self.on_change(self.snapshot.version)
