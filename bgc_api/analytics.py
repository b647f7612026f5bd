"""The columnar engine: DuckDB over the data version's per-year snapshots.

PostgreSQL publishes the files (``rpt.snapshot_exportacao``, Parquet, written by each
refresh); each API process fetches the ones it lacks, in the same database snapshot that
named them (so an answer never mixes two data versions), checks their hash and turns each
into a DuckDB database of its own in a local folder named by that hash: the facts in two
orders and their monthly sums by each filter (``local_*`` in sql/queries/analytics.sql).
DuckDB's own format reads several times faster than Parquet for these scans and keeps
the NCM as an integer (docs/benchmarks.md). A copy that is missing, truncated or damaged
is built again from the database; bytes the database gives that fail their hash make the
answer a 503.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from bgc_core import sqlfiles
from bgc_core.domain import EXPORTS, IMPORTS

log = logging.getLogger(__name__)


def _composed(queries: dict[str, str]) -> dict[str, str]:
    """The named queries, with the general query over the facts alone (``general``) and
    over the facts joined with the NCMs' levels, which it filters and groups by too
    (``general_niveis``)."""
    alone = {"fatos": queries["general_fatos"], "niveis_filtros": "", "niveis_colunas": "",
             "niveis_ordem": ""}  # fmt: skip
    levels = {"fatos": queries["general_fatos_niveis"],
              **{part: queries[f"general_{part}"] for part in list(alone)[1:]}}  # fmt: skip
    return {**queries, "general": _filled(queries["general"], alone),
            "general_niveis": _filled(queries["general"], levels)}  # fmt: skip


def _filled(template: str, parts: dict[str, str]) -> str:
    for name, text in parts.items():
        template = template.replace(f"{{{name}}}", text)
    return template


QUERIES = _composed(sqlfiles.queries("analytics"))
COPY_FORMAT = 4
"""The shape of the local copies' tables: 2 added freight and insurance (zero in the
exports'), so both flows' copies answer the same queries; 3 added the sums by month,
country and sector (``fatos_resumo``); 4 the sums by month, state, country, route and
sector (``fatos_origem``) and by month, NCM and route (``fatos_ncm``). A copy of another
format is never read (its name differs) and is deleted as stale."""
SUFFIX = f".v{COPY_FORMAT}.duckdb"
SPILL = ".spill"
"""DuckDB's folder for what does not fit its memory limit, inside the cache folder."""
STALE_S = 600.0
"""A copy of an older version stays this long after it was built (answers in flight
finish well within the statement timeout)."""
LOCAL_TABLES = (
    "local_fatos", "local_fatos_produto", "local_resumo", "local_origem", "local_ncm",
    "local_mensal",
)  # fmt: skip
"""The statements that build a copy (an import copy's facts: ``local_fatos_importacao``)."""
DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
"""Extensions are never downloaded nor loaded: Parquet is built into the wheel."""


class SnapshotUnavailable(RuntimeError):
    """A snapshot could not be had whole, or DuckDB could not finish a query (past the
    statement timeout, or out of memory): the API replies 503."""


Identity = tuple[int, int, int] | None
"""A file's inode, modification time and size (``None``: no file): which build of a copy
was found damaged, so that a copy built since is not deleted for it."""


def identity(path: Path) -> Identity:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_mtime_ns, found.st_size


class UnreadableCopy(SnapshotUnavailable):
    """A query failed to read a local copy (a block failed its checksum): its copies are
    built again."""


class DamagedCopy(RuntimeError):
    """A local copy could not be attached or does not hold what its file holds."""

    def __init__(self, sha256: str, reason: str, found: Identity = None) -> None:
        super().__init__(f"the local copy {sha256[:12]} is damaged: {reason}")
        self.sha256 = sha256
        self.found = found


@dataclass(frozen=True)
class SnapshotFile:
    """One year's file as the data version names it, with what it holds (a local copy
    is checked against these)."""

    ano: int
    sha256: str
    linhas: int = 0
    total_usd: Decimal = Decimal(0)
    fluxo: str = EXPORTS
    mes_max: int | None = None
    """The year's latest month (imports only: the exports' comes from the views)."""


Build = Callable[[Path, Path, str], None]
"""Writes the local copy (a DuckDB database at the second path) of a Parquet file (the
first) of a flow (the third): ``Analytics.build``."""


class SnapshotCache:
    """A folder of local copies named by their file's hash. Copies are immutable and
    built under a temporary name, then renamed, so another process never sees half of
    one. Building one runs one at a time per process (it sorts a year twice)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()

    def path(self, sha256: str) -> Path:
        return self.folder / f"{sha256}{SUFFIX}"

    def ensure(
        self, files: Iterable[SnapshotFile], fetch: Callable[[str], bytes], build: Build
    ) -> list[Path]:
        """The local copies of ``files``, each built from ``fetch(sha256)`` unless it is
        already here."""
        return [self._ensure_one(file, fetch, build) for file in files]

    def delete(self, paths: Iterable[Path]) -> None:
        with self._lock:
            for path in paths:
                path.unlink(missing_ok=True)

    def discard(self, damaged: DamagedCopy) -> None:
        """Delete a copy found damaged, unless it was built again meanwhile: the next
        answer builds it again."""
        path = self.path(damaged.sha256)
        with self._lock:
            if damaged.found is not None and identity(path) == damaged.found:
                path.unlink()

    def stale(self, keep: Iterable[SnapshotFile], older_than_s: float = STALE_S) -> list[Path]:
        """The copies no longer in the current version (``keep``), and what builds killed
        half-way left, that nobody has written for ``older_than_s``: an answer still
        reading an older version builds its copy again rather than fail."""
        kept = {self.path(f.sha256) for f in keep}
        limit = time.time() - older_than_s
        return [
            path
            for path in self.folder.glob("*")  # with what a killed build left (".name")
            if path not in kept and path.is_file() and _mtime(path) < limit
        ]

    def _ensure_one(self, file: SnapshotFile, fetch: Callable[[str], bytes], build: Build) -> Path:
        path = self.path(file.sha256)
        if path.exists():
            return path
        with self._lock:
            if not path.exists():
                self._build(path, file, fetch(file.sha256), build)
        return path

    def _build(self, path: Path, file: SnapshotFile, content: bytes, build: Build) -> None:
        if hashlib.sha256(content).hexdigest() != file.sha256:
            raise SnapshotUnavailable(
                f"the snapshot of {file.ano} from the database does not match its hash "
                f"{file.sha256[:12]}: refresh the views (`bgc-ingest refresh-mv --full`)"
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".", suffix=".parquet") as raw:
            raw.write(content)
            raw.flush()
            try:
                build(Path(raw.name), partial, file.fluxo)
                os.replace(partial, path)
            finally:
                partial.unlink(missing_ok=True)
                partial.with_name(partial.name + ".wal").unlink(missing_ok=True)
        log.info(
            "local copy of %s (%s) built in %.2f s",
            file.ano, file.sha256[:12], time.perf_counter() - started,
        )  # fmt: skip


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")


class Prefetcher:
    """Builds a new data version's local copies in a thread of its own when a refresh
    commits, so the version's first answers do not wait for them (about 3 s a 1.2M-row
    year). Requests that arrive while it works collapse into one more run."""

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
            except Exception as exc:  # an answer builds what this could not
                log.warning("building the local copies failed: %s", exc)


Observe = Callable[[str, float], None]


class Analytics:
    """One in-memory DuckDB per process with every local copy it has read attached (read
    only), and a cursor per query (DuckDB releases the GIL while a query runs, so the
    API's worker threads run them side by side)."""

    def __init__(
        self,
        threads: int,
        memory_limit_mb: int,
        observe: Observe | None = None,
        timeout_ms: int | None = None,
        spill: Path | None = None,
    ):
        self.observe = observe
        self.timeout_s = timeout_ms / 1000 if timeout_ms else None
        config = {**DUCKDB_CONFIG, "threads": threads, "memory_limit": f"{memory_limit_mb}MB"}
        if spill is not None:  # where sorts past the memory limit go (not the working dir)
            config["temp_directory"] = str(spill)
        self._conn = duckdb.connect(":memory:", config=config)
        self._conn.execute(QUERIES["macros"])
        self._conn.execute(QUERIES["empty_tables"])
        self._attached: dict[Path, str] = {}
        self._lock = threading.Lock()

    def load_levels(self, columns: dict[str, list[Any]]) -> None:
        """Every NCM's levels of the classifications (``rpt.ncm_niveis``, by column) into
        this process's memory, replacing what was there (``general_niveis`` reads them)."""
        cursor = self._conn.cursor()
        try:
            cursor.execute(QUERIES["niveis"], _used(QUERIES["niveis"], columns))
        finally:
            cursor.close()

    def tables(self, copies: Iterable[tuple[SnapshotFile, Path]], table: str) -> list[str]:
        """The qualified names of ``table`` (``fatos``, ``fatos_produto``, a table of sums
        or ``mensal``) in each copy, attaching those not yet attached after checking them
        whole; the empty table when there is none. ``DamagedCopy`` names a copy that
        fails."""
        names = [f"{self._attach(file, path)}.{table}" for file, path in copies]
        return names or [EMPTY_TABLES[table]]

    def build(self, parquet: Path, target: Path, fluxo: str = EXPORTS) -> None:
        """Write the local copy of a Parquet file of a flow into a new database at
        ``target``, in this process's DuckDB (its memory limit bounds the sorts too)."""
        cursor = self._conn.cursor()
        statements = [
            "local_fatos_importacao" if name == "local_fatos" and fluxo == IMPORTS else name
            for name in LOCAL_TABLES
        ]
        try:
            cursor.execute(f"ATTACH {_literal(target)} AS copia_nova")
            try:
                for name in statements:
                    cursor.execute(QUERIES[name], _used(QUERIES[name], {"parquet": str(parquet)}))
            finally:
                cursor.execute("DETACH copia_nova")
        except duckdb.Error as exc:
            raise SnapshotUnavailable(f"the local copy could not be built: {exc}") from exc
        finally:
            cursor.close()

    def detach(self, paths: Iterable[Path]) -> list[Path]:
        """Detach the copies of ``paths`` that are attached; the paths now free to delete
        (a copy a query still reads stays for the next sweep)."""
        free = []
        with self._lock:
            for path in paths:
                alias = self._attached.get(path)
                if alias is not None:
                    try:
                        self._conn.execute(f"DETACH {alias}")
                    except duckdb.Error as exc:
                        log.info("copy %s still in use: kept (%s)", path.name, exc)
                        continue
                    del self._attached[path]
                free.append(path)
        return free

    def _attach(self, file: SnapshotFile, path: Path) -> str:
        alias = self._attached.get(path)
        if alias is not None:
            return alias
        with self._lock:
            if path in self._attached:
                return self._attached[path]
            alias = f"copia_{file.sha256[:16]}"
            found = identity(path)
            try:
                self._conn.execute(f"ATTACH {_literal(path)} AS {alias} (READ_ONLY)")
            except duckdb.Error as exc:
                raise DamagedCopy(file.sha256, str(exc), found) from exc
            try:
                self._check(file, alias)
            except duckdb.Error as exc:
                self._conn.execute(f"DETACH {alias}")
                raise DamagedCopy(file.sha256, str(exc), found) from exc
            except DamagedCopy as exc:
                self._conn.execute(f"DETACH {alias}")
                exc.found = found
                raise
            self._attached[path] = alias
            return alias

    def _check(self, file: SnapshotFile, alias: str) -> None:
        """Both orders must hold the file's rows and value, and each table of sums its
        value (read once per process: a few milliseconds)."""
        cursor = self._conn.cursor()
        try:
            cursor.execute(f"USE {alias}")
            [row] = cursor.execute(QUERIES["local_check"]).fetchall()
        finally:
            cursor.close()
        expected = (file.linhas, file.total_usd)
        found = [(row[0], row[1] or Decimal(0)), (row[2], row[3] or Decimal(0)),
                 *((file.linhas, usd or Decimal(0)) for usd in row[5:])]  # fmt: skip
        if any(f != expected for f in found):
            raise DamagedCopy(file.sha256, f"it holds {found}, the file {expected}")

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
            raise UnreadableCopy(f"a local copy could not be read: {exc}") from exc
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


EMPTY_TABLES = {"fatos": "memory.main.vazio", "fatos_produto": "memory.main.vazio",
                "fatos_resumo": "memory.main.vazio", "fatos_origem": "memory.main.vazio",
                "fatos_ncm": "memory.main.vazio",
                "mensal": "memory.main.vazio_mensal"}  # fmt: skip
SUMMED_CODES = frozenset({"pais", "setor"})
"""The codes the sums by month, country and sector (``fatos_resumo``) keep."""
ORIGIN_CODES = frozenset({"pais", "setor", "uf", "via"})
"""The codes the sums by month, state, country, route and sector (``fatos_origem``) keep."""
PRODUCT_CODES = frozenset({"ncm", "sh6", "sh4", "sh2", "via", "setor", "fator", "cgce", "cuci"})
"""The codes the sums by month, NCM and route (``fatos_ncm``) keep: the NCM at every level,
and what follows it."""


def facts_table(codes: Iterable[str], by_product: bool) -> str:
    """The table of the copies that answers fastest a query that filters, groups or reads
    ``codes`` (``pais``, ``bloco``, ``uf``, ``via``, ``urf``, ``ncm``, ``sh4``, ``setor``,
    ...): the smallest table of sums that keeps them all (a bloc is its countries); else
    the facts by product when ``by_product`` (a product or a sector is filtered: that
    order prunes it), else by state and country."""
    used = {"pais" if code == "bloco" else code for code in codes}
    if used <= SUMMED_CODES:
        return "fatos_resumo"
    if used <= ORIGIN_CODES:
        return "fatos_origem"
    if used <= PRODUCT_CODES:
        return "fatos_ncm"
    return "fatos_produto" if by_product else "fatos"


def _literal(path: Path) -> str:
    """A path as a SQL string literal (ATTACH takes no parameter)."""
    return "'" + str(path).replace("'", "''") + "'"


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
