"""Load one file into ``stg.exportacao`` or ``stg.importacao``: atomic, idempotent, audited.

One transaction per source. The same content twice changes nothing; a changed file
with the same name replaces that source's partition and aggregates in the same
transaction. Every attempt, failed ones included, is recorded in ``cfg.ingest_batches``.
A file's flow comes from its name and header (``layouts.decide_flow``); the caller may
require one (each Dagster asset loads its own flow).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, Queue
from typing import TYPE_CHECKING

import polars as pl
from psycopg2 import sql

from bgc_core import db, sqlfiles
from bgc_pipeline.ingest import aggregates, audit, totals
from bgc_pipeline.ingest.aggregates import ImportSums, Sums
from bgc_pipeline.ingest.errors import IngestError
from bgc_pipeline.ingest.layouts import EXPORTS, IMPORTS, LayoutError, decide_flow
from bgc_pipeline.ingest.readers import (
    SourceFile,
    is_spreadsheet,
    loadable_sheets,
    open_csv,
    open_sheet,
)
from bgc_pipeline.ingest.transform import (
    IMPORT_COLUMNS,
    STG_COLUMNS,
    Reference,
    Transformed,
    number_formats,
    transform,
)

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as Cursor  # noqa: N812

MAX_SOURCE_NAME = 100
PAUSE_VARIABLE = "BGC_INGEST_PAUSE_AT"
PAUSED_MARKER = "bgc-ingest paused at"
PAUSE_S = 600
PREFETCH_BATCHES = 2
COPY_READ_BYTES = 1 << 20  # psycopg2 reads the COPY input 8 KiB at a time by default
COPY_MONTHLY = (
    f"COPY rpt.agg_mensal ({', '.join(aggregates.MONTHLY_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
)
COPY_DIMENSIONAL = (
    f"COPY rpt.agg_dimensao ({', '.join(aggregates.DIMENSION_COLUMNS)}) FROM STDIN "
    "WITH (FORMAT csv)"
)
COPY_YEARLY = (
    f"COPY rpt.agg_arquivo ({', '.join(aggregates.FILE_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
)
COPY_IMPORT_YEARLY = (
    f"COPY rpt.agg_arquivo_importacao ({', '.join(aggregates.IMPORT_FILE_COLUMNS)}) "
    "FROM STDIN WITH (FORMAT csv)"
)
COPY_REJECTS = (
    "COPY cfg.ingest_rejects (line, reason, raw, batch_id, source_name) "
    "FROM STDIN WITH (FORMAT csv)"
)


@dataclass(frozen=True)
class Staging:
    """Where one flow's rows go: its staging table, the columns the COPY sends, the
    function naming a source's partition and the statements' suffix in staging.sql."""

    flow: str
    table: str
    columns: tuple[str, ...]
    partition_function: str
    suffix: str

    @property
    def identifier(self) -> sql.Identifier:
        return sql.Identifier("stg", self.table)


STAGING = {
    EXPORTS: Staging(EXPORTS, "exportacao", STG_COLUMNS, "partition_for", ""),
    IMPORTS: Staging(IMPORTS, "importacao", IMPORT_COLUMNS, "partition_for_importacao",
                     "_importacao"),
}  # fmt: skip


Progress = Callable[[int, float], None]
"""Called after each block: rows read so far, fraction of the file read (0.0-1.0)."""


@dataclass(frozen=True)
class LoadResult:
    batch_id: str
    source: str
    sha256: str
    status: str
    """``loaded`` or ``unchanged``."""
    layout: str | None
    rows_loaded: int
    rows_rejected: int
    rows_replaced: int
    seconds: float
    note: str = ""
    sheet: str | None = None
    blank_lines: int = 0
    """Blank lines (CSV) or rows (XLSX) skipped: neither loaded nor rejected."""
    flow: str = EXPORTS

    def summary(self) -> str:
        """The CLI's one-line summary."""
        if self.status == "unchanged":
            return f"{self.source}: unchanged ({self.note}), nothing loaded [{self.seconds:.2f} s]"
        if self.layout == totals.LAYOUT:
            return (
                f"{self.source}: stored MDIC's totals for {self.rows_loaded:,} file(s), "
                f"not loaded as {'imports' if self.flow == IMPORTS else 'exports'} "
                f"[{self.seconds:.2f} s]"
            )
        replaced = f", replaced {self.rows_replaced:,}" if self.rows_replaced else ""
        blank = f", skipped {self.blank_lines:,} blank line(s)" if self.blank_lines else ""
        sheet = f", sheet {self.sheet}" if self.sheet else ""
        into = f" into stg.{STAGING[self.flow].table}" if self.flow == IMPORTS else ""
        return (
            f"{self.source}: loaded {self.rows_loaded:,} row(s){into}, rejected "
            f"{self.rows_rejected:,}{replaced}{blank} ({self.layout} layout{sheet}) in "
            f"{self.seconds:.2f} s"
        )


def load_sources(
    url: str,
    path: Path,
    *,
    source_name: str | None = None,
    progress: Progress | None = None,
    flow: str | None = None,
) -> list[LoadResult]:
    """Load every source of ``path``: a CSV is one; a workbook one per sheet whose header
    matches a layout (``book.xlsx:2024``). A workbook with no such sheet is refused.
    ``flow``: refuse a source of the other flow (``None``: load either)."""
    source = source_name or path.name
    _check_source(source, path)
    if is_spreadsheet(path):
        return [
            load_file(url, path, sheet=sheet, source_name=source, progress=progress, flow=flow)
            for sheet in loadable_sheets(path, source)
        ]
    return [load_file(url, path, source_name=source, progress=progress, flow=flow)]


def load_file(
    url: str,
    path: Path,
    *,
    sheet: str | None = None,
    source_name: str | None = None,
    progress: Progress | None = None,
    flow: str | None = None,
) -> LoadResult:
    """Load one source of ``path``: a CSV, or one sheet of a workbook (``sheet``, or its only
    loadable one). Raise :class:`IngestError` (nothing stored) when it is refused, or when
    ``flow`` is given and the source holds the other one."""
    started = time.perf_counter()
    source = source_name or path.name
    _check_source(source, path)
    if not is_spreadsheet(path):
        if sheet is not None:
            raise IngestError(source, "--sheet given, but the file is CSV text, not a spreadsheet")
        landing = audit.LandingFile.of(path)
        if totals.is_totals_file(path):
            return _store_totals(url, path, source, landing, started)
        return _load_source(url, source, landing.sha256, landing,
                            lambda: _opened_as(open_csv(path, source), source, flow),
                            progress, started)  # fmt: skip
    sheet = sheet if sheet is not None else _only_sheet(path, source)
    sheet_source = f"{source}:{sheet}"
    _check_source(sheet_source, path)
    landing = audit.LandingFile.of(path)
    try:
        opened = _opened_as(open_sheet(path, source, sheet), source, flow)
    except IngestError as exc:
        audit.record_refusal(url, sheet_source, landing, exc.problem)
        raise
    assert opened.content_sha256 is not None
    return _load_source(url, sheet_source, opened.content_sha256, landing, lambda: opened,
                        progress, started)  # fmt: skip


def _opened_as(opened: SourceFile, source: str, wanted: str | None) -> SourceFile:
    """The opened source, once its name and header agree on a flow (``wanted``, if given)."""
    try:
        flow = decide_flow(source, opened.match)
    except LayoutError as exc:
        raise IngestError(source, str(exc)) from None
    if wanted is not None and flow != wanted:
        raise IngestError(
            source, f"holds {_FLOW_WORDS[flow]} (from its name and header), not "
            f"{_FLOW_WORDS[wanted]}: stg.{STAGING[wanted].table} does not load it"
        )  # fmt: skip
    return opened


_FLOW_WORDS = {EXPORTS: "exports", IMPORTS: "imports"}


def _store_totals(
    url: str, path: Path, source: str, landing: audit.LandingFile, started: float
) -> LoadResult:
    """MDIC's totals file: stored for the reconciliation, never loaded as data."""
    with _attempt(url, source, landing.sha256, landing) as (batch_id, cur):
        rows = totals.read_totals(path, source)
        note = _already_loaded(cur, source, landing.sha256)
        if not note:
            totals.store(cur, rows, source, batch_id, landing.mtime)
        stored = 0 if note else len(rows)
        status = "unchanged" if note else "loaded"
        audit.finish(cur, batch_id, status, totals.LAYOUT, stored, 0, 0, 0)
    return LoadResult(
        batch_id, source, landing.sha256, status, totals.LAYOUT, stored, 0, 0,
        _since(started), note or "", flow=totals.flow_of(path),
    )  # fmt: skip


@contextmanager
def _attempt(
    url: str, source: str, sha: str, landing: audit.LandingFile
) -> Iterator[tuple[str, Cursor]]:
    """One audited attempt on a source: its ``cfg.ingest_batches`` row, then a transaction
    holding the source's lock (attempts left 'running' by a dead process are closed). A
    failure is written to the audit row; an unexpected one becomes an IngestError."""
    batch_id = audit.new_batch_id()
    audit.record_attempt(url, batch_id, source, sha, landing)
    try:
        with db.transaction(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (source,))
            audit.close_abandoned(cur, source, batch_id)
            yield batch_id, cur
    except IngestError as exc:
        audit.record_failure(url, batch_id, exc.problem)
        raise
    except db.DatabaseUnavailable:
        raise
    except Exception as exc:
        problem = audit.database_problem(exc)
        audit.record_failure(url, batch_id, problem)
        raise IngestError(source, problem) from exc


def _check_source(source: str, path: Path) -> None:
    if len(source) > MAX_SOURCE_NAME:
        raise IngestError(source, f"file name longer than {MAX_SOURCE_NAME} characters")
    if not path.is_file():
        raise IngestError(source, "file not found")


def _only_sheet(path: Path, source: str) -> str:
    sheets = loadable_sheets(path, source)
    if len(sheets) > 1:
        raise IngestError(
            source,
            f"{len(sheets)} sheets match a layout ({', '.join(sheets)}): name one, "
            "or load them all (bgc-ingest load-xlsx without --sheet)",
        )
    return sheets[0]


def _load_source(
    url: str,
    source: str,
    sha: str,
    landing: audit.LandingFile,
    opener: Callable[[], SourceFile],
    progress: Progress | None,
    started: float,
) -> LoadResult:
    """The load of one source, audited: one ``cfg.ingest_batches`` row per attempt.
    ``sha`` is the content's hash (a sheet's own), ``landing`` the landing file's."""
    with _attempt(url, source, sha, landing) as (batch_id, cur):
        note = _already_loaded(cur, source, sha)
        if note:
            audit.finish(cur, batch_id, "unchanged", None, 0, 0, 0, 0)
            result = LoadResult(
                batch_id, source, sha, "unchanged", None, 0, 0, 0, _since(started), note
            )
        else:
            result = _load(cur, opener(), source, sha, batch_id, progress, started)
            pause_point("before_commit")
            audit.finish(
                cur, batch_id, "loaded", result.layout, result.rows_loaded,
                result.rows_rejected, result.rows_replaced, result.blank_lines,
            )  # fmt: skip
    return result


def pause_point(step: str) -> None:
    """Fault injection for tests: with ``BGC_INGEST_PAUSE_AT=<step>`` the loader says so on
    standard error and waits there, so a test can kill it at a known step."""
    if os.environ.get(PAUSE_VARIABLE) == step:
        sys.stderr.write(f"{PAUSED_MARKER} {step}\n")
        sys.stderr.flush()
        time.sleep(PAUSE_S)


def _load(
    cur: Cursor,
    opened: SourceFile,
    source: str,
    sha: str,
    batch_id: str,
    progress: Progress | None,
    started: float,
) -> LoadResult:
    """COPY into a fresh table, index it, aggregate it, swap it in for the source's
    previous partition: one transaction, O(file) whatever the history holds."""
    reference = _reference(cur)
    staging = STAGING[opened.match.flow]
    table = _PartitionNames.of(cur, source, staging)
    params = {"source": source, "batch": batch_id}
    pause_point("before_copy")
    cur.execute(_statement(f"new_partition{staging.suffix}", new=table.new), params)
    cur.execute("DELETE FROM cfg.ingest_rejects WHERE source_name = %s", (source,))
    copy_rows = _copy_rows_into(table.new, staging.columns)
    loaded = rejected = 0
    formats = number_formats(source, opened.match)
    encoded = (
        _encode(
            transform(batch, opened.match, reference, formats=formats), batch_id, source, staging
        )
        for batch in opened.batches
    )
    sums: list = []
    for chunk in _prefetch(encoded):
        _copy(cur, copy_rows, chunk.rows)
        _copy(cur, COPY_REJECTS, chunk.rejects)
        sums.append(chunk.sums)
        pause_point("copy")
        loaded += chunk.rows_count
        rejected += chunk.rejects_count
        if progress:
            progress(loaded + rejected, opened.read.fraction)
    cur.execute(_statement(f"partition_indexes{staging.suffix}", new=table.new))
    pause_point("index")
    cur.execute(_statement(f"previous_rows{staging.suffix}"), params)
    replaced = int(cur.fetchone()[0])
    _replace_aggregates(cur, staging, sums, params)
    _swap(cur, table, params)
    return LoadResult(
        batch_id, source, sha, "loaded", opened.match.name, loaded, rejected, replaced,
        _since(started), sheet=opened.sheet, blank_lines=opened.read.blank_lines,
        flow=staging.flow,
    )  # fmt: skip


@dataclass(frozen=True)
class _PartitionNames:
    """The source's partition (``stg.partition_for``, or ``stg.partition_for_importacao``),
    whether it exists, and the name its replacement is built under (free: the source's
    advisory lock is held)."""

    name: str
    exists: bool
    staging: Staging

    @classmethod
    def of(cls, cur: Cursor, source: str, staging: Staging) -> _PartitionNames:
        """Refuses a source loaded as the other flow: its rows would stay there too."""
        found = {}
        for each in STAGING.values():
            cur.execute(
                sql.SQL(
                    "SELECT p.name, to_regclass(format('stg.%%I', p.name)) IS NOT NULL "
                    "FROM (SELECT stg.{}(%s) AS name) AS p"
                ).format(sql.Identifier(each.partition_function)),
                (source,),
            )
            found[each.flow] = cur.fetchone()
        other = [f for f, (_, exists) in found.items() if exists and f != staging.flow]
        if other:
            raise IngestError(
                source, f"already loaded as {_FLOW_WORDS[other[0]]} under this name "
                f"(stg.{STAGING[other[0]].table}): give the {_FLOW_WORDS[staging.flow]} "
                "another name, or remove that file first"
            )  # fmt: skip
        name, exists = found[staging.flow]
        return cls(name, bool(exists), staging)

    @property
    def new(self) -> sql.Identifier:
        return sql.Identifier("stg", f"{self.name}_new")

    @property
    def current(self) -> sql.Identifier:
        return sql.Identifier("stg", self.name)


def _replace_aggregates(cur: Cursor, staging: Staging, parts: list, params: dict[str, str]) -> None:
    """The file's rows in ``rpt.agg_*`` (summed while reading) replace its previous ones:
    an export file's three grains, an import file's yearly totals."""
    cur.execute(_statement(f"delete_aggregates{staging.suffix}"), params)
    if staging.flow == IMPORTS:
        found = ImportSums.combine(parts)
        _copy(cur, COPY_IMPORT_YEARLY, found.yearly_csv(params["source"], params["batch"]))
        return
    sums = Sums.combine(parts)
    _copy(cur, COPY_MONTHLY, sums.monthly_csv(params["source"]))
    _copy(cur, COPY_DIMENSIONAL, sums.dimensional_csv(params["source"]))
    _copy(cur, COPY_YEARLY, sums.yearly_csv(params["source"], params["batch"]))


def _swap(cur: Cursor, table: _PartitionNames, params: dict[str, str]) -> None:
    """Detach and drop the previous partition, attach the new one, under the only lock
    taken on the staging table: held until the commit, so readers wait for the whole swap."""
    staging = table.staging.identifier
    cur.execute(_statement("lock_staging", staging=staging))
    if table.exists:
        cur.execute(_statement("detach_previous", old=table.current, staging=staging))
    pause_point("swap")
    cur.execute(
        _statement(
            "attach_new", new=table.new, partition=sql.Identifier(table.name),
            qualified=table.current, staging=staging,
        ),
        params,
    )  # fmt: skip


def _statement(name: str, **tables: sql.Composable) -> sql.Composed:
    return sql.SQL(sqlfiles.queries("staging")[name]).format(**tables)


def _copy_rows_into(table: sql.Identifier, names: tuple[str, ...]) -> sql.Composed:
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in names)
    return sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, FREEZE)").format(table, columns)


@dataclass(frozen=True)
class _Chunk:
    """One batch encoded as COPY input, with its sums."""

    sums: Sums | ImportSums
    rows: bytes
    rows_count: int
    rejects: bytes
    rejects_count: int


def _encode(result: Transformed, batch_id: str, source: str, staging: Staging) -> _Chunk:
    sums = ImportSums.of(result.rows) if staging.flow == IMPORTS else Sums.of(result.rows)
    return _Chunk(
        sums,
        _csv(result.rows),
        result.rows.height,
        _csv(result.rejects, batch_id, source),
        result.rejects.height,
    )


def _csv(frame: pl.DataFrame, batch_id: str | None = None, source: str | None = None) -> bytes:
    """COPY input; ``batch_id`` and ``source`` appended to each row when given (the staging
    rows get theirs from the new partition's column defaults: less to send and parse)."""
    if frame.height == 0:
        return b""
    if batch_id is not None:
        frame = frame.with_columns(_b=pl.lit(batch_id), _s=pl.lit(source))
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    return buffer.getvalue()


def _prefetch(chunks: Iterator[_Chunk]) -> Iterator[_Chunk]:
    """Produce the next chunks in a thread while the caller COPYs the current one.

    polars releases the GIL while it parses and encodes, so reading and loading
    overlap; the small queue bounds memory to a few batches.
    """
    queue: Queue[_Chunk | BaseException | None] = Queue(maxsize=PREFETCH_BATCHES)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                queue.put(chunk)
            queue.put(None)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            queue.put(exc)

    worker = threading.Thread(target=produce, name="ingest-reader", daemon=True)
    worker.start()
    try:
        while (item := queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            with contextlib.suppress(Empty):
                queue.get(timeout=0.1)


def _copy(cur: Cursor, statement: str | sql.Composed, data: bytes) -> None:
    if data:
        cur.copy_expert(statement, io.BytesIO(data), size=COPY_READ_BYTES)


def _reference(cur: Cursor) -> Reference:
    def frame(sql: str, columns: list[str]) -> pl.DataFrame:
        cur.execute(sql)
        return pl.DataFrame(cur.fetchall(), schema=columns, orient="row")

    return Reference(
        pais=frame("SELECT co_pais, no_pais FROM cfg.pais", ["co_pais", "no_pais"]),
        ncm_setor=frame("SELECT ncm, setor FROM cfg.ncm_setor", ["ncm", "setor"]),
        cuci_setor=frame("SELECT cuci_grupo, setor FROM cfg.cuci_setor", ["cuci_grupo", "setor"]),
    )


def _already_loaded(cur: Cursor, source: str, sha: str) -> str | None:
    """Why this content needs no load (``None`` when it does)."""
    cur.execute(
        "SELECT sha256 FROM cfg.ingest_batches WHERE source_name = %s AND status = 'loaded' "
        "ORDER BY finished_at DESC LIMIT 1",
        (source,),
    )
    latest = cur.fetchone()
    if latest and latest[0] == sha:
        return "same content as the last load"
    cur.execute(
        "SELECT b.source_name FROM cfg.ingest_batches b "
        "WHERE b.sha256 = %s AND b.status = 'loaded' AND b.source_name <> %s "
        "AND EXISTS (SELECT 1 FROM rpt.agg_arquivo a WHERE a.ingest_batch = b.batch_id) LIMIT 1",
        (sha, source),
    )
    other = cur.fetchone()
    return f"same content already loaded as {other[0]}" if other else None


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)
