"""Read queries over the ``rpt`` views (``sql/queries/metrics.sql``); the only SQL the API runs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bgc_pipeline import db
from bgc_pipeline.settings import SQL_DIR

QUERIES = {
    name: sa.text(sql) for name, sql in db.load_queries(SQL_DIR / "queries" / "metrics.sql").items()
}

Observe = Callable[[str, float], None]
SCHEMA_MISSING = ("42P01", "3F000")
"""undefined_table, invalid_schema_name: the database was never migrated."""


class DatabaseDown(RuntimeError):
    """The database did not answer; the API replies 503."""


@dataclass(frozen=True)
class Filters:
    ano: int | None = None
    pais: str | None = None
    setor: str | None = None
    ano_de: int | None = None
    ano_ate: int | None = None

    def as_params(self) -> dict[str, Any]:
        return {
            "ano": self.ano,
            "pais": self.pais,
            "setor": self.setor,
            "ano_de": self.ano_de,
            "ano_ate": self.ano_ate,
        }

    def present(self) -> dict[str, Any]:
        """The filters the client gave, echoed in answers."""
        return {k: v for k, v in self.as_params().items() if v is not None}


class Repository:
    def __init__(self, engine: sa.Engine, observe: Observe | None = None) -> None:
        self.engine = engine
        self.observe = observe

    def _rows(
        self, name: str, params: dict[str, Any], label: str | None = None
    ) -> list[sa.Row[Any]]:
        """Run a named query; its duration is observed under ``label`` (default: its name)."""
        started = time.perf_counter()
        try:
            with self.engine.connect() as conn:
                rows = list(conn.execute(QUERIES[name], params))
        except sa.exc.OperationalError as exc:
            raise DatabaseDown(f"database unavailable: {type(exc.orig).__name__}") from exc
        except sa.exc.ProgrammingError as exc:
            if getattr(exc.orig, "pgcode", None) in SCHEMA_MISSING:
                raise DatabaseDown("report views missing: run `bgc db migrate`") from exc
            raise
        except sa.exc.TimeoutError as exc:
            raise DatabaseDown("database unavailable: connection pool exhausted") from exc
        finally:
            if self.observe:
                self.observe(label or name, time.perf_counter() - started)
        return rows

    def version(self) -> str | None:
        """When the views were last refreshed (ISO text), ``None`` before any refresh."""
        [row] = self._rows("version", {})
        return row.updated_at.isoformat() if row.updated_at else None

    def resumo(self, filters: Filters) -> dict[str, Any]:
        [row] = self._rows("resumo", filters.as_params())
        return {
            "totalUsd": row.total_usd,
            "totalKg": row.total_kg,
            "paisesCount": row.paises_count,
            "setoresCount": row.setores_count,
            "anos": list(row.anos),
        }

    def ranking(
        self, dimension: str, filters: Filters, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Items of ``pais`` or ``setor`` ordered by value, and how many match in all."""
        if dimension not in ("pais", "setor"):
            raise ValueError(f"unknown dimension {dimension!r}")
        params = {**filters.as_params(), "dimension": dimension, "limit": limit, "offset": offset}
        rows = self._rows("ranking", params, label=dimension)
        total = (
            rows[0].total
            if rows
            else self._rows("ranking_count", params, f"{dimension}_count")[0][0]
        )
        items = [
            {
                dimension: row.name,
                "totalUsd": row.total_usd,
                "totalKg": row.total_kg,
                "participacaoPct": row.participacao_pct,
                "anos": list(row.anos),
                "variacaoPct": row.variacao_pct,
                "usdPorKg": row.usd_por_kg,
            }
            for row in rows
        ]
        return items, int(total)

    def serie(self, filters: Filters) -> list[dict[str, Any]]:
        return [
            {"ano": r.ano, "mes": r.mes, "totalUsd": r.total_usd, "totalKg": r.total_kg}
            for r in self._rows("serie", filters.as_params())
        ]
