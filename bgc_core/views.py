"""The registry of report views, and their refresh.

Readers query ``rpt.mv_*`` and keep seeing the previous contents during a refresh.
The history-sized ones (by month, by year, the series, by code) are plain views over
tables recomputed per year: a refresh recomputes the years whose per-file aggregates
changed since its last run (``rpt.anos_pendentes``, marked by the loads), so its cost
follows the change, not the history. The small summaries are materialized views
refreshed with ``REFRESH ... CONCURRENTLY`` from the yearly rollup. The same transaction
writes the changed years' Parquet snapshots (:mod:`bgc_core.snapshots`), which the API's
columnar engine reads for every filtered answer: one data version names them all. The
pipeline refreshes them; the API reads them and follows their refreshes.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import psycopg2
from psycopg2 import sql

from bgc_core import db, snapshots, sqlfiles
from bgc_core.domain import EXPORTS
from bgc_core.settings import load_settings

REFRESH_CHANNEL = "bgc_views_refreshed"
"""NOTIFY channel: the API drops its response cache when a refresh commits."""
YEARLY_TABLES = {
    "mv_exportacao_mensal": "exportacao_mensal",
    "mv_exportacao_anual": "exportacao_anual",
    "mv_serie_mensal": "serie_mensal",
    "mv_exportacao_dimensao": "exportacao_dimensao",
}
"""Views over a table recomputed per year, and their tables."""
SUMMARY_VIEWS = ("mv_resumo_pais", "mv_resumo_setor", "mv_resumo_geral")
"""Materialized views over the yearly rollup, refreshed CONCURRENTLY."""
ROLLUP_VIEW = "mv_exportacao_anual"
SNAPSHOTS = snapshots.RELATION
"""The per-year Parquet snapshots, refreshed with the views (last, in the same transaction)."""
IMPORT_SNAPSHOTS = snapshots.IMPORT_SNAPSHOTS.relation
"""The imports' snapshots, refreshed in the same transaction."""
SNAPSHOT_RELATIONS = tuple(snapshots.KINDS)
READ_VIEWS = (*YEARLY_TABLES, *SUMMARY_VIEWS)
"""The views the API reads (readiness: each exists and is populated)."""
VIEWS_IN_ORDER = (*READ_VIEWS, *SNAPSHOT_RELATIONS)
"""Dependency order: the summaries read the yearly rollup; the snapshots read staging."""
SHARE_VIEWS = ("mv_resumo_pais", "mv_resumo_setor")
"""The views with a ``participacao_pct`` column."""
DESCRIPTIONS = {
    "mv_exportacao_mensal": "Base aggregate by ano, mes, pais and setor, summed over the per-file "
    "aggregates kept at load time (rpt.agg_mensal): it reads no staging row.",
    "mv_exportacao_anual": "Rollup by ano, pais and setor, with the value through each month "
    "(growth over the same months): the API's rankings and the summaries read it.",
    "mv_serie_mensal": "Monthly totals for all, per country and per sector ('' = all): the "
    "API's series read it.",
    "mv_exportacao_dimensao": "Per year and official code (uf, via, urf, ncm and the HS levels "
    "sh6, sh4, sh2), with the values through each month: the rankings by those dimensions "
    "read it.",
    SNAPSHOTS: "The facts of each year as one Parquet file at the analytical grain (month, "
    "NCM, country, state, route, customs unit, unit, sector and classes), stored in "
    "PostgreSQL by content hash: the API's DuckDB reads them for every filtered answer.",
    IMPORT_SNAPSHOTS: "The imports of each year as one Parquet file at the same grain, with "
    "freight and insurance beside FOB (country of origin, state of destination), stored in "
    "PostgreSQL by content hash.",
    "mv_resumo_pais": "Totals per destination country with its share of the total.",
    "mv_resumo_setor": "Totals per sector with its share of the total.",
    "mv_resumo_geral": "One row: grand totals, country and sector counts, years.",
}
TOTAL_ROWS = {
    "mv_serie_mensal": "pais = '' AND setor = ''",
    "mv_exportacao_dimensao": "dimensao = 'uf'",
}
"""Views whose rows hold the total more than once: the rows that hold it once."""


_QUERIES = sqlfiles.queries("refresh")


@dataclass(frozen=True)
class ViewRefresh:
    view: str
    rows: int
    seconds: float
    years: tuple[int, ...] | None = None
    """The years recomputed (a view over a yearly table, the snapshots); ``None``: a
    whole view."""
    files: tuple[snapshots.YearSnapshot, ...] = ()
    """The snapshots written (the snapshots only)."""


def upstream_of(view: str) -> str | None:
    """The view a view is built from; ``None`` for those built from the per-file
    aggregates the staging loads keep (or staging itself, for the snapshots)."""
    if view in YEARLY_TABLES or view in SNAPSHOT_RELATIONS:
        return None
    return ROLLUP_VIEW


def flow_of(view: str) -> str:
    """The flow whose staging a view is built from (every view but the imports'
    snapshots: the exports)."""
    kind = snapshots.KINDS.get(view)
    return kind.flow if kind else EXPORTS


def refresh_view(url: str, view: str, *, full: bool = False) -> ViewRefresh:
    """Bring one ``rpt`` view up to date; its rows are counted (a summary) or updated by
    what the refresh wrote (a yearly table), and recorded in ``rpt.atualizacoes``.

    A view over a yearly table recomputes its pending years (every year with
    ``full``); a summary is refreshed concurrently. Both get fresh statistics when
    much of them changed: without them the planner sees an empty view and picks
    nested loops.
    """
    return refresh_views(url, (view,), full=full)[0]


def refresh_views(url: str, names: tuple[str, ...], *, full: bool = False) -> list[ViewRefresh]:
    """Bring several views up to date in one transaction, in dependency order: readers
    see every one of them before or every one after, never a data version in which one
    view holds a load that another does not yet."""
    for view in names:
        _known(view)
    ordered = [view for view in VIEWS_IN_ORDER if view in names]
    with db.transaction(url) as conn, conn.cursor() as cur, ExitStack() as stack:
        _set_work_memory(cur)
        files = []
        for relation in (view for view in ordered if view in SNAPSHOT_RELATIONS):
            stack.enter_context(_missing_schema_named(url, relation))
            kind = snapshots.KINDS[relation]
            files.append(stack.enter_context(SnapshotRefresh(cur, url, full=full, kind=kind)))
        done = [
            _refresh_in(cur, url, view, full=full)
            for view in ordered
            if view not in SNAPSHOT_RELATIONS
        ]
        return [*done, *(each.finish() for each in files)]


def _known(view: str) -> None:
    if view not in VIEWS_IN_ORDER:
        raise ValueError(f"unknown view {view!r}; known: {', '.join(VIEWS_IN_ORDER)}")


def _set_work_memory(cur: psycopg2.extensions.cursor) -> None:
    """Give the refresh's transaction the work memory the settings name."""
    cur.execute(_QUERIES["memory"], {"work_mem": f"{load_settings().refresh_work_mem_mb}MB"})


def _refresh_in(cur: psycopg2.extensions.cursor, url: str, view: str, *, full: bool) -> ViewRefresh:
    started = time.perf_counter()
    years: tuple[int, ...] | None = None
    with _missing_schema_named(url, view):
        if view in YEARLY_TABLES:
            years, rows = _recompute_years(cur, view, full=full)
        else:
            rows = _refresh_materialized(cur, view)
    cur.execute("SELECT pg_notify(%s, %s)", (REFRESH_CHANNEL, view))  # delivered on commit
    return ViewRefresh(view, rows, round(time.perf_counter() - started, 3), years)


@contextmanager
def _missing_schema_named(url: str, relation: str) -> Iterator[None]:
    """An unmigrated database: an error that says what to run."""
    try:
        yield
    except (psycopg2.errors.UndefinedTable, psycopg2.errors.InvalidSchemaName):
        raise db.DatabaseUnavailable(
            f"rpt.{relation} does not exist at {db.describe_target(url)}: run `bgc db migrate`"
        ) from None


ANALYZE_SHARE = 0.1
"""A yearly table is analysed when the rows it rewrote exceed this share of it
(autovacuum's default threshold): a revised year changes values, not the shape the
planner relies on, and analysing costs as much as the recomputation itself."""


def _recompute_years(
    cur: psycopg2.extensions.cursor, view: str, *, full: bool
) -> tuple[tuple[int, ...], int]:
    """Delete and re-insert the table's pending years (from the per-file aggregates); the
    years and the table's rows."""
    table = sql.Identifier("rpt", YEARLY_TABLES[view])
    years = _take_years(cur, view, table, full=full)
    deleted = inserted = 0
    if years:
        params = {"anos": list(years)}
        cur.execute(sql.SQL(_QUERIES["delete_years"]).format(table=table), params)
        deleted = cur.rowcount
        cur.execute(_QUERIES[YEARLY_TABLES[view]], params)
        inserted = cur.rowcount
    changed = (
        None if full else _record(cur, "record_change", relacao=view, delta=inserted - deleted)
    )
    # A full rebuild, or no count recorded yet: count once.
    rows = changed or _record(cur, "record_refresh", relacao=view, linhas=_count(cur, table)) or 0
    if deleted + inserted > ANALYZE_SHARE * max(rows, 1):
        cur.execute(sql.SQL("ANALYZE {}").format(table))
    return years, rows


def _take_years(
    cur: psycopg2.extensions.cursor,
    relation: str,
    table: sql.Identifier,
    *,
    full: bool,
    files: str = "agg_arquivo",
) -> tuple[int, ...]:
    """The years to recompute, their pending marks taken (every year with ``full``: those
    of ``files``, the flow's per-file totals, and of ``table``). One refresh of a relation
    at a time: two would each delete only the rows their snapshot saw, then both insert
    the year."""
    params = {"relacao": relation}
    cur.execute(_QUERIES["lock"], params)
    if full:
        take_all = sql.SQL(_QUERIES["take_all"]).format(
            table=table, files=sql.Identifier("rpt", files)
        )
        cur.execute(take_all, params)
    else:
        cur.execute(_QUERIES["take_pending"], params)
    row = cur.fetchone()
    return tuple(row[0]) if row else ()


class SnapshotRefresh:
    """The snapshots' part of a refresh, pipelined with the rest of it: the first pending
    year is copied out of PostgreSQL when it starts, and DuckDB writes it in a worker
    thread while the views are recomputed on the same connection; then each next year is
    copied out while the one before is written. Nothing is stored until ``finish``, in
    the refresh's transaction (a failure anywhere rolls everything back). O(year) per
    changed year, never O(history); a file whose content did not change keeps its row
    (and its hash, so no API process fetches it again)."""

    def __init__(
        self,
        cur: psycopg2.extensions.cursor,
        url: str,
        *,
        full: bool,
        kind: snapshots.Kind = snapshots.EXPORT_SNAPSHOTS,
    ) -> None:
        self.cur = cur
        self.url = url
        self.kind = kind
        self.started = time.perf_counter()
        self.years = _take_years(cur, kind.relation, kind.table, full=full, files=kind.files)
        self._pending = list(self.years)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bgc-snapshot")
        self._writing: Future[snapshots.YearSnapshot] | None = None
        self._staged: list[snapshots.Staged] = []
        self._beside: psycopg2.extensions.connection | None = None

    def __enter__(self) -> SnapshotRefresh:
        if self._pending:
            self._beside = self._connect_beside()
        self._writing = self._write_next()
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for staged in self._staged:
            staged.discard()
        if self._beside is not None:
            self._beside.close()

    def _connect_beside(self) -> psycopg2.extensions.connection:
        """A second connection that sees exactly what the refresh's transaction sees
        (its exported snapshot), to copy half of each year out at the same time."""
        self.cur.execute(_QUERIES["export_snapshot"])
        row = self.cur.fetchone()
        assert row is not None
        beside = db.connect(self.url)
        try:
            beside.cursor().execute(_QUERIES["import_snapshot"], {"snapshot": row[0]})
        except BaseException:
            beside.close()
            raise
        return beside

    def _write_next(self) -> Future[snapshots.YearSnapshot] | None:
        """Copy out the next pending year staging still holds (dropping the files of
        those it no longer does) and start writing it."""
        while self._pending:
            year = self._pending.pop(0)
            beside = self._beside.cursor() if self._beside is not None else None
            staged = snapshots.copy_year(self.cur, year, beside, self.kind)
            if staged is None:
                self.cur.execute(self.kind.query("snapshot_drop"), {"ano": year})
                continue
            self._staged.append(staged)
            return self._pool.submit(snapshots.write_year, staged)
        return None

    def finish(self) -> ViewRefresh:
        """Store every file written, record the refresh, and say what it wrote (its seconds:
        since the refresh started, as its files are written beside the views; none
        pending, only this step's)."""
        if not self.years:
            self.started = time.perf_counter()
        written = []
        while self._writing is not None:
            following = self._write_next()
            built = self._writing.result()
            if _stored_hash(self.cur, self.kind, built.ano) != built.sha256:
                _store_snapshot(self.cur, self.kind, built)
                written.append(built)
            self._writing = following
        relation = self.kind.relation
        self.cur.execute(self.kind.query("snapshot_count"))
        row = self.cur.fetchone()
        rows = int(row[0]) if row else 0
        _record(self.cur, "record_refresh", relacao=relation, linhas=rows)
        self.cur.execute("SELECT pg_notify(%s, %s)", (REFRESH_CHANNEL, relation))
        seconds = round(time.perf_counter() - self.started, 3)
        return ViewRefresh(relation, rows, seconds, self.years, tuple(written))


def _stored_hash(cur: psycopg2.extensions.cursor, kind: snapshots.Kind, year: int) -> str | None:
    cur.execute(kind.query("snapshot_stored"), {"ano": year})
    row = cur.fetchone()
    return str(row[0]) if row else None


def _store_snapshot(
    cur: psycopg2.extensions.cursor, kind: snapshots.Kind, built: snapshots.YearSnapshot
) -> None:
    """The year's row with its file: the bytes through a binary COPY, the rest as
    parameters (sql/queries/refresh.sql: snapshot_bytes)."""
    cur.execute(_QUERIES["snapshot_bytes"])
    cur.copy_expert(_QUERIES["snapshot_copy"], io.BytesIO(snapshots.binary_copy(built.content)))
    cur.execute(
        _QUERIES[f"snapshot_store{kind.suffix}"],
        {
            "ano": built.ano, "sha256": built.sha256, "linhas": built.linhas,
            "registros": built.registros, "bytes": built.bytes,
            "total_usd": built.total_usd, "total_kg": built.total_kg,
            "total_frete": built.total_frete, "total_seguro": built.total_seguro,
            "mes_max": built.mes_max,
        },
    )  # fmt: skip


def _refresh_materialized(cur: psycopg2.extensions.cursor, view: str) -> int:
    name = sql.Identifier("rpt", view)
    cur.execute(sql.SQL("REFRESH MATERIALIZED VIEW CONCURRENTLY {}").format(name))
    cur.execute(sql.SQL("ANALYZE {}").format(name))
    rows = _record(cur, "record_refresh", relacao=view, linhas=_count(cur, name))
    return rows or 0


def _record(cur: psycopg2.extensions.cursor, query: str, **params: object) -> int | None:
    """Record a refresh in ``rpt.atualizacoes``; the relation's rows (``None``: no
    row to update)."""
    cur.execute(_QUERIES[query], params)
    row = cur.fetchone()
    return int(row[0]) if row else None


def _count(cur: psycopg2.extensions.cursor, relation: sql.Composable) -> int:
    cur.execute(sql.SQL("SELECT count(*) FROM {}").format(relation))
    row = cur.fetchone()
    return int(row[0]) if row else 0


def refresh_all(url: str, *, full: bool = False) -> list[ViewRefresh]:
    """Refresh every view, in dependency order, in one transaction."""
    return refresh_views(url, VIEWS_IN_ORDER, full=full)
