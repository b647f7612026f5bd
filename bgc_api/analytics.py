"""The columnar engine: DuckDB over the data version's per-year Parquet snapshots.

PostgreSQL publishes the files (``rpt.snapshot_exportacao``, written by each refresh);
each API process keeps the ones it has read in a local folder named by their SHA-256
and fetches only those it lacks, in the same database snapshot that named them, so an
answer never mixes two data versions. A file that is missing, truncated or fails its
hash is fetched again; one the database cannot give makes the answer a 503.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from bgc_core import snapshots, sqlfiles

log = logging.getLogger(__name__)
QUERIES = sqlfiles.queries("analytics")
CHUNK = 1 << 20
EMPTY = "empty.parquet"
STALE_S = 600.0
"""A file of an older version stays this long after its last write (answers in flight
finish well within the statement timeout)."""


class SnapshotUnavailable(RuntimeError):
    """A snapshot file could not be had whole, or DuckDB could not finish a query (past
    the statement timeout, or out of memory): the API replies 503."""


@dataclass(frozen=True)
class SnapshotFile:
    """One year's file as the data version names it."""

    ano: int
    sha256: str
    bytes: int


class SnapshotCache:
    """A folder of snapshot files named by their hash. Files are immutable, so a file
    checked once by this process is trusted while its size stays the same; it is written
    under a temporary name and renamed, so another process never sees half a file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._checked: set[str] = set()
        self._lock = threading.Lock()

    def path(self, sha256: str) -> Path:
        return self.folder / snapshots.file_name(sha256)

    def empty(self) -> Path:
        """A file with the snapshots' columns and no row: what a query over years the
        data version does not hold reads."""
        path = self.folder / EMPTY
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{EMPTY}.{os.getpid()}.{threading.get_ident()}")
            self._write_empty(partial)
            os.replace(partial, path)
        return path

    def ensure(self, files: Iterable[SnapshotFile], fetch: Callable[[str], bytes]) -> list[Path]:
        """The local paths of ``files``, each fetched with ``fetch(sha256)`` unless a
        whole, matching copy is already here."""
        return [self._ensure_one(file, fetch) for file in files]

    def sweep(self, keep: Iterable[SnapshotFile], older_than_s: float = STALE_S) -> list[str]:
        """Delete the files no longer in the current version (``keep``) that nobody has
        written for ``older_than_s``: an answer still reading an older version fetches
        its file again rather than fail. The names deleted."""
        kept = {snapshots.file_name(f.sha256) for f in keep} | {EMPTY}
        limit = time.time() - older_than_s
        deleted = []
        with self._lock:
            for path in self.folder.glob("*.parquet"):
                if path.name not in kept and path.stat().st_mtime < limit:
                    path.unlink(missing_ok=True)
                    self._checked.discard(path.stem)
                    deleted.append(path.name)
        return deleted

    def _ensure_one(self, file: SnapshotFile, fetch: Callable[[str], bytes]) -> Path:
        path = self.path(file.sha256)
        if file.sha256 in self._checked and _size(path) == file.bytes:
            return path
        with self._lock:
            if _size(path) == file.bytes and _sha256_of(path) == file.sha256:
                self._checked.add(file.sha256)
                return path
            if path.exists():
                log.warning("snapshot %s of %s is damaged: fetched again", path.name, file.ano)
            self._write(path, file, fetch(file.sha256))
            self._checked.add(file.sha256)
        return path

    @staticmethod
    def _write_empty(path: Path) -> None:
        with duckdb.connect(config={"autoinstall_known_extensions": False}) as duck:
            duck.sql(QUERIES["empty_file"]).write_parquet(str(path))

    def _write(self, path: Path, file: SnapshotFile, content: bytes) -> None:
        if hashlib.sha256(content).hexdigest() != file.sha256:
            raise SnapshotUnavailable(
                f"the snapshot of {file.ano} from the database does not match its hash "
                f"{file.sha256[:12]}: refresh the views (`bgc-ingest refresh-mv --full`)"
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        partial.write_bytes(content)
        os.replace(partial, path)


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class Prefetcher:
    """Fetches a new data version's snapshot files in a thread of its own when a refresh
    commits, so the version's first answers do not wait for them (a 17 MB year took
    50-200 ms to fetch). Requests that arrive while it works collapse into one more run."""

    def __init__(self, repository: Any) -> None:
        self.repository = repository
        self._wanted = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bgc-prefetch", daemon=True)
        self._thread.start()

    def request(self, _version: str) -> None:
        self._wanted.set()

    def stop(self) -> None:
        self._stop.set()
        self._wanted.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while self._wanted.wait() and not self._stop.is_set():
            self._wanted.clear()
            try:
                self.repository.prefetch()
            except Exception as exc:  # an answer fetches what this could not
                log.warning("snapshot prefetch failed: %s", exc)


Observe = Callable[[str, float], None]


class Analytics:
    """One in-memory DuckDB per process, a cursor per query (DuckDB releases the GIL
    while a query runs, so the API's worker threads run them side by side). Extensions
    are never downloaded: Parquet is built into the wheel."""

    def __init__(
        self,
        threads: int,
        memory_limit_mb: int,
        observe: Observe | None = None,
        timeout_ms: int | None = None,
    ):
        self.observe = observe
        self.timeout_s = timeout_ms / 1000 if timeout_ms else None
        self._conn = duckdb.connect(
            ":memory:",
            config={
                "threads": threads,
                "memory_limit": f"{memory_limit_mb}MB",
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
            },
        )
        self._conn.execute(QUERIES["fatos_macro"])

    def rows(self, name: str, params: dict[str, Any], label: str | None = None) -> list[Any]:
        """Run a named query; its rows as tuples with attribute access by column name."""
        started = time.perf_counter()
        cursor = self._conn.cursor()
        # The same bound as PostgreSQL's statement timeout: a query past it is interrupted.
        timer = threading.Timer(self.timeout_s, cursor.interrupt) if self.timeout_s else None
        if timer:
            timer.start()
        try:
            result = cursor.execute(QUERIES[name], _used(QUERIES[name], params))
            columns = [d[0] for d in result.description or ()]
            return [Row(columns, values) for values in result.fetchall()]
        except duckdb.IOException as exc:
            raise SnapshotUnavailable(f"a snapshot file could not be read: {exc}") from exc
        except duckdb.InterruptException as exc:
            raise SnapshotUnavailable(
                f"the query ran past the statement timeout of {self.timeout_s:g} s: retry"
            ) from exc
        except duckdb.OutOfMemoryException as exc:
            raise SnapshotUnavailable(
                "the analytical engine ran out of memory (BGC_API_DUCKDB_MEMORY_MB): retry"
            ) from exc
        finally:
            if timer:
                timer.cancel()
            cursor.close()
            if self.observe:
                self.observe(label or f"duckdb_{name}", time.perf_counter() - started)

    def close(self) -> None:
        self._conn.close()


def _used(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters a query names (DuckDB refuses unused named parameters)."""
    named = set(re.findall(r"\$(\w+)", sql))
    return {k: v for k, v in params.items() if k in named}


class Row:
    """A result row: by position, or by column name as an attribute."""

    __slots__ = ("_index", "_values")

    def __init__(self, columns: list[str], values: tuple[Any, ...]) -> None:
        self._index = {name: i for i, name in enumerate(columns)}
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[self._index[name]]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, position: int) -> Any:
        return self._values[position]
