"""The registry of report views, and their refresh (``REFRESH ... CONCURRENTLY``).

Readers keep seeing the previous contents during a refresh (no exclusive lock).
The pipeline refreshes them; the API reads them and follows their refreshes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg2
from psycopg2 import sql

from bgc_core import db

REFRESH_CHANNEL = "bgc_views_refreshed"
"""NOTIFY channel: the API drops its response cache when a refresh commits."""
BASE_VIEW = "mv_exportacao_mensal"
SUMMARY_VIEWS = (
    "mv_resumo_pais",
    "mv_resumo_setor",
    "mv_resumo_geral",
    "mv_exportacao_anual",
    "mv_serie_mensal",
)
VIEWS_IN_ORDER = (BASE_VIEW, *SUMMARY_VIEWS)
"""Dependency order: the summaries read the base aggregate."""
SHARE_VIEWS = ("mv_resumo_pais", "mv_resumo_setor")
"""The views with a ``participacao_pct`` column."""
DESCRIPTIONS = {
    "mv_exportacao_mensal": "Base aggregate by ano, mes, pais and setor, summed over the per-file "
    "aggregates kept at load time (rpt.agg_mensal): it reads no staging row.",
    "mv_resumo_pais": "Totals per destination country with its share of the total.",
    "mv_resumo_setor": "Totals per sector with its share of the total.",
    "mv_resumo_geral": "One row: grand totals, country and sector counts, years.",
    "mv_exportacao_anual": "Rollup by ano, pais and setor, with the value through each month "
    "(growth over the same months): the API's rankings read it.",
    "mv_serie_mensal": "Monthly totals for all, per country and per sector ('' = all): the "
    "API's series read it.",
}
TOTAL_ROWS = {"mv_serie_mensal": "pais = '' AND setor = ''"}
"""Views whose rows hold the total more than once: the rows that hold it once."""


@dataclass(frozen=True)
class ViewRefresh:
    view: str
    rows: int
    seconds: float


def upstream_of(view: str) -> str | None:
    """The view a view is built from; ``None`` for the base aggregate (it reads the
    aggregates the staging loads keep)."""
    return None if view == BASE_VIEW else BASE_VIEW


def refresh_view(url: str, view: str) -> ViewRefresh:
    """Refresh one ``rpt`` view concurrently and count its rows."""
    if view not in VIEWS_IN_ORDER:
        raise ValueError(f"unknown view {view!r}; known: {', '.join(VIEWS_IN_ORDER)}")
    name = sql.Identifier("rpt", view)
    started = time.perf_counter()
    with db.transaction(url) as conn, conn.cursor() as cur:
        try:
            cur.execute(sql.SQL("REFRESH MATERIALIZED VIEW CONCURRENTLY {}").format(name))
        except (psycopg2.errors.UndefinedTable, psycopg2.errors.InvalidSchemaName):
            raise db.DatabaseUnavailable(
                f"rpt.{view} does not exist at {db.describe_target(url)}: run `bgc db migrate`"
            ) from None
        # Fresh statistics, or the planner sees an empty view and picks nested loops.
        cur.execute(sql.SQL("ANALYZE {}").format(name))
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(name))
        row = cur.fetchone()
        cur.execute("SELECT pg_notify(%s, %s)", (REFRESH_CHANNEL, view))  # delivered on commit
    return ViewRefresh(view, int(row[0]) if row else 0, round(time.perf_counter() - started, 3))


def refresh_all(url: str) -> list[ViewRefresh]:
    """Refresh every view in dependency order."""
    return [refresh_view(url, view) for view in VIEWS_IN_ORDER]
