"""Refresh the report views, base aggregate first, with ``REFRESH ... CONCURRENTLY``.

Readers keep seeing the previous contents during a refresh (no exclusive lock).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg2
from psycopg2 import sql

from bgc_pipeline import db

REFRESH_CHANNEL = "bgc_views_refreshed"
"""NOTIFY channel: the API drops its response cache when a refresh commits."""
BASE_VIEW = "mv_exportacao_mensal"
SUMMARY_VIEWS = ("mv_resumo_pais", "mv_resumo_setor", "mv_resumo_geral")
VIEWS_IN_ORDER = (BASE_VIEW, *SUMMARY_VIEWS)
"""Dependency order: the summaries read the base aggregate."""


@dataclass(frozen=True)
class ViewRefresh:
    view: str
    rows: int
    seconds: float


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
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(name))
        rows = int(cur.fetchone()[0])
        cur.execute("SELECT pg_notify(%s, %s)", (REFRESH_CHANNEL, view))  # delivered on commit
    return ViewRefresh(view, rows, round(time.perf_counter() - started, 3))


def refresh_all(url: str) -> list[ViewRefresh]:
    """Refresh every view in dependency order."""
    return [refresh_view(url, view) for view in VIEWS_IN_ORDER]
