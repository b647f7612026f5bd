"""The registry of report views, and their refresh.

Readers query ``rpt.mv_*`` and keep seeing the previous contents during a refresh.
The history-sized ones (by month, by year, the series, by code, the filterable
facts) are plain views over tables recomputed per year: a refresh recomputes the years
whose per-file aggregates changed since its last run (``rpt.anos_pendentes``, marked by
the loads), so its cost follows the change, not the history. The small summaries are
materialized views refreshed with ``REFRESH ... CONCURRENTLY`` from the yearly rollup. The pipeline
refreshes them; the API reads them and follows their refreshes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg2
from psycopg2 import sql

from bgc_core import db, sqlfiles
from bgc_core.settings import load_settings

REFRESH_CHANNEL = "bgc_views_refreshed"
"""NOTIFY channel: the API drops its response cache when a refresh commits."""
YEARLY_TABLES = {
    "mv_exportacao_mensal": "exportacao_mensal",
    "mv_exportacao_anual": "exportacao_anual",
    "mv_serie_mensal": "serie_mensal",
    "mv_exportacao_dimensao": "exportacao_dimensao",
    "mv_exportacao_fato": "exportacao_fato",
    "mv_exportacao_par": "exportacao_par",
}
"""Views over a table recomputed per year, and their tables (migrations 0010-0013)."""
SUMMARY_VIEWS = ("mv_resumo_pais", "mv_resumo_setor", "mv_resumo_geral")
"""Materialized views over the yearly rollup, refreshed CONCURRENTLY."""
ROLLUP_VIEW = "mv_exportacao_anual"
VIEWS_IN_ORDER = (*YEARLY_TABLES, *SUMMARY_VIEWS)
"""Dependency order: the summaries read the yearly rollup."""
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
    "mv_exportacao_fato": "Staging's grain by month, country, sector, state, route, customs "
    "unit and NCM, less the unit: the answers with combined filters read it.",
    "mv_exportacao_par": "Sums by every dimension and every pair of dimensions per year, with "
    "the year before over the same months, summed from the facts: the answers with one "
    "filter read it.",
    "mv_resumo_pais": "Totals per destination country with its share of the total.",
    "mv_resumo_setor": "Totals per sector with its share of the total.",
    "mv_resumo_geral": "One row: grand totals, country and sector counts, years.",
}
TOTAL_ROWS = {
    "mv_serie_mensal": "pais = '' AND setor = ''",
    "mv_exportacao_dimensao": "dimensao = 'uf'",
    "mv_exportacao_par": f"conjunto = {0b011111}",
}
"""Views whose rows hold the total more than once: the rows that hold it once."""


_QUERIES = sqlfiles.queries("refresh")


@dataclass(frozen=True)
class ViewRefresh:
    view: str
    rows: int
    seconds: float
    years: tuple[int, ...] | None = None
    """The years recomputed (a view over a yearly table); ``None``: a whole view."""


BUILT_FROM = {"mv_exportacao_par": "mv_exportacao_fato"}
"""Yearly tables computed from another yearly table rather than from the loads."""
PARTITIONED_BY_YEAR = frozenset({"mv_exportacao_par"})
"""Yearly tables with one partition per year (migration 0014): a year is built into a
new table, then swapped for its partition. Each year reads the year before's rows (its
comparison), so the years are built one at a time, in order."""
COMPARISON_QUERIES = {"exportacao_par": "exportacao_par_comparacao"}
"""Per partitioned table, the query that rebuilds a year whose own sums did not change
from its stored partition and the year before's new rows (sql/queries/refresh.sql)."""
YEAR_NOTES = {"exportacao_par": "ncm_multissetor"}
"""Per partitioned table, the query that notes what the API must know of a year's new
table (sql/queries/refresh.sql), run before the swap and committed with it."""


def upstream_of(view: str) -> str | None:
    """The view a view is built from; ``None`` for those built from the per-file
    aggregates the staging loads keep (or staging itself, for the facts)."""
    if view in YEARLY_TABLES:
        return BUILT_FROM.get(view)
    return ROLLUP_VIEW


def refresh_view(url: str, view: str, *, full: bool = False) -> ViewRefresh:
    """Bring one ``rpt`` view up to date; its rows are counted (a summary) or updated by
    what the refresh wrote (a yearly table), and recorded in ``rpt.atualizacoes``.

    A view over a yearly table recomputes its pending years (every year with
    ``full``); a summary is refreshed concurrently. Both get fresh statistics when
    much of them changed: without them the planner sees an empty view and picks
    nested loops.
    """
    _known(view)
    with db.transaction(url) as conn, conn.cursor() as cur:
        _set_work_memory(cur)
        return _refresh_in(cur, url, view, full=full)


def refresh_views(url: str, names: tuple[str, ...], *, full: bool = False) -> list[ViewRefresh]:
    """Bring several views up to date in one transaction, in dependency order: readers
    see every one of them before or every one after, never a data version in which one
    view holds a load that another does not yet."""
    for view in names:
        _known(view)
    ordered = [view for view in VIEWS_IN_ORDER if view in names]
    with db.transaction(url) as conn, conn.cursor() as cur:
        _set_work_memory(cur)
        return [_refresh_in(cur, url, view, full=full) for view in ordered]


def _known(view: str) -> None:
    if view not in VIEWS_IN_ORDER:
        raise ValueError(f"unknown view {view!r}; known: {', '.join(VIEWS_IN_ORDER)}")


def _set_work_memory(cur: psycopg2.extensions.cursor) -> None:
    """Give the refresh's transaction the work memory the settings name."""
    cur.execute(_QUERIES["memory"], {"work_mem": f"{load_settings().refresh_work_mem_mb}MB"})


def _refresh_in(cur: psycopg2.extensions.cursor, url: str, view: str, *, full: bool) -> ViewRefresh:
    started = time.perf_counter()
    years: tuple[int, ...] | None = None
    try:
        if view in YEARLY_TABLES:
            years, rows = _recompute_years(cur, view, full=full)
        else:
            rows = _refresh_materialized(cur, view)
    except (psycopg2.errors.UndefinedTable, psycopg2.errors.InvalidSchemaName):
        raise db.DatabaseUnavailable(
            f"rpt.{view} does not exist at {db.describe_target(url)}: run `bgc db migrate`"
        ) from None
    cur.execute("SELECT pg_notify(%s, %s)", (REFRESH_CHANNEL, view))  # delivered on commit
    return ViewRefresh(view, rows, round(time.perf_counter() - started, 3), years)


ANALYZE_SHARE = 0.1
"""A yearly table is analysed when the rows it rewrote exceed this share of it
(autovacuum's default threshold): a revised year changes values, not the shape the
planner relies on, and analysing costs as much as the recomputation itself."""


def _recompute_years(
    cur: psycopg2.extensions.cursor, view: str, *, full: bool
) -> tuple[tuple[int, ...], int]:
    """Delete and re-insert the table's pending years (from the per-file aggregates, or
    staging for the filterable facts); the years and the table's rows."""
    table = sql.Identifier("rpt", YEARLY_TABLES[view])
    params: dict[str, object] = {"relacao": view}
    cur.execute(_QUERIES["lock"], params)
    if full:
        cur.execute(sql.SQL(_QUERIES["take_all"]).format(table=table), params)
    else:
        cur.execute(_QUERIES["take_pending"], params)
    row = cur.fetchone()
    years = tuple(row[0]) if row else ()
    deleted = inserted = 0
    if years and view in PARTITIONED_BY_YEAR:
        comparison_only = frozenset(row[1]) if row else frozenset()
        deleted, inserted = _swap_partitions(cur, YEARLY_TABLES[view], years, comparison_only)
    elif years:
        params["anos"] = list(years)
        cur.execute(sql.SQL(_QUERIES["delete_years"]).format(table=table), params)
        deleted = cur.rowcount
        cur.execute(_QUERIES[YEARLY_TABLES[view]], params)
        inserted = cur.rowcount
    changed = (
        None if full else _record(cur, "record_change", relacao=view, delta=inserted - deleted)
    )
    # A full rebuild, or no count recorded yet: count once.
    rows = changed or _record(cur, "record_refresh", relacao=view, linhas=_count(cur, table)) or 0
    # A partitioned table's new years were analysed when built; ANALYZE on its parent
    # would sample every partition again.
    if view not in PARTITIONED_BY_YEAR and deleted + inserted > ANALYZE_SHARE * max(rows, 1):
        cur.execute(sql.SQL("ANALYZE {}").format(table))
    return years, rows


def _swap_partitions(
    cur: psycopg2.extensions.cursor,
    table: str,
    years: tuple[int, ...],
    comparison_only: frozenset[int] = frozenset(),
) -> tuple[int, int]:
    """Build each year into a new table, then swap them all for the years' partitions;
    the rows dropped and inserted.

    Deleting a year and inserting it again in one transaction splits index pages still
    holding the deleted rows' entries: building the table and then its indexes took
    70% of that time (docs/benchmarks.md). The swap's lock is taken last, so readers
    wait for the swap and the commit only, not for the computation. A year of
    ``comparison_only`` (marked only because the year before changed) keeps its stored
    sums when ``COMPARISON_QUERIES`` says how to combine them with the year before's.
    """
    parent = sql.Identifier("rpt", table)
    built: dict[int, int] = {}
    for year in sorted(years):
        names = _partition_names(table, year)
        before = names["before"] if year - 1 in built else parent
        cur.execute(_compose("partition_new", parent=parent, **names), {"ano": year})
        query = table
        if year in comparison_only and _keeps_own_sums(cur, table, year):
            query = COMPARISON_QUERIES[table]
        cur.execute(_compose(query, target=names["new"], anterior=before, **names), {"ano": year})
        built[year] = cur.rowcount
        cur.execute(_compose("partition_indexes", **names))
        if table in YEAR_NOTES:
            cur.execute(_compose(YEAR_NOTES[table], **names), {"ano": year})
    cur.execute(_compose("partition_lock", parent=parent))
    dropped = 0
    for year, rows in built.items():
        names = _partition_names(table, year)
        dropped += _drop_partition(cur, parent, table, year)
        if rows:
            cur.execute(_compose("partition_attach", parent=parent, **names), {"ano": year})
        else:
            cur.execute(sql.SQL("DROP TABLE {}").format(names["new"]))
    return dropped, sum(built.values())


def _keeps_own_sums(cur: psycopg2.extensions.cursor, table: str, year: int) -> bool:
    """Whether the year's stored partition can give its own sums to a comparison-only
    rebuild: the table has such a query, and the partition exists and reaches December."""
    if table not in COMPARISON_QUERIES:
        return False
    cur.execute(_compose("partition_december", parent=sql.Identifier("rpt", table)), {"ano": year})
    row = cur.fetchone()
    return bool(row and row[0])


def _partition_names(table: str, year: int) -> dict[str, sql.Identifier]:
    """The names the partition queries compose for a year: its new table (``new``) and
    the year before's (``before``), the partition it becomes (``old``, ``name``
    unqualified) and its indexes before and after the swap (all in ``rpt``)."""
    return {
        "new": sql.Identifier("rpt", f"{table}_{year}_novo"),
        "before": sql.Identifier("rpt", f"{table}_{year - 1}_novo"),
        "old": sql.Identifier("rpt", f"{table}_{year}"),
        "name": sql.Identifier(f"{table}_{year}"),
        "index_new": sql.Identifier(f"ix_{table}_{year}_novo"),
        "index_ncm_new": sql.Identifier(f"ix_{table}_{year}_ncm_novo"),
        "index": sql.Identifier(f"ix_{table}_{year}"),
        "index_ncm": sql.Identifier(f"ix_{table}_{year}_ncm"),
    }


def _drop_partition(
    cur: psycopg2.extensions.cursor, parent: sql.Identifier, table: str, year: int
) -> int:
    """Detach and drop the year's partition, if it has one; its rows."""
    old = _partition_names(table, year)["old"]
    cur.execute(
        _compose("partition_rows", parent=parent), {"old": f"rpt.{table}_{year}", "ano": year}
    )
    row = cur.fetchone()
    if not row or row[0] is None:
        return 0
    cur.execute(_compose("partition_drop", parent=parent, old=old))
    return int(row[1])


def _compose(query: str, **identifiers: sql.Composable) -> sql.Composed:
    return sql.SQL(_QUERIES[query]).format(**identifiers)


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
