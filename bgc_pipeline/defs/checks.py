"""Asset checks: staging obeys the ingest rules; each view agrees with staging and is fresh."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

import dagster as dg
from psycopg2 import sql

from bgc_core import domain, sqlfiles, views
from bgc_pipeline.defs.keys import STAGING_RULES, STG_KEY, VIEW_CONSISTENT, VIEW_KEYS
from bgc_pipeline.defs.resources import BgcDatabase

SHARE_TOLERANCE_PER_ROW = Decimal("0.005")
"""Each ``participacao_pct`` is rounded to 0.01, so n rows may miss 100 by n x 0.005."""


class Violations(NamedTuple):
    bad_rows: int


class ViewConsistency(NamedTuple):
    total_usd: Decimal
    total_kg: Decimal
    staging_usd: Decimal
    staging_kg: Decimal
    share_sum: Decimal | None
    row_count: int
    updated_at: dt.datetime | None
    latest_load: dt.datetime | None

    def problems(self) -> list[str]:
        """What is wrong with the view, in words (empty when nothing is)."""
        found = []
        if (self.total_usd, self.total_kg) != (self.staging_usd, self.staging_kg):
            found.append("totals differ from stg.exportacao")
        tolerance = SHARE_TOLERANCE_PER_ROW * self.row_count
        if self.share_sum is not None and self.row_count and abs(self.share_sum - 100) > tolerance:
            found.append(f"participacao_pct sums to {self.share_sum}, not 100")
        if self.latest_load is not None and (
            self.updated_at is None or self.updated_at < self.latest_load
        ):
            found.append("refreshed before the latest load")
        return found


@dg.asset_check(
    asset=STG_KEY,
    name=STAGING_RULES,
    blocking=True,
    description="No row of staging breaks the ingest rules (years, months, signs, NCM).",
)
def staging_rules(database: BgcDatabase) -> dg.AssetCheckResult:
    params = {"first_year": domain.FIRST_YEAR, "last_year": domain.last_year()}
    found = database.fetch_row(sqlfiles.queries("checks")["staging_violations"], Violations, params)
    return dg.AssetCheckResult(passed=found.bad_rows == 0, metadata={"bad_rows": found.bad_rows})


def _consistency_query(view: str) -> sql.Composed:
    share = "SUM(participacao_pct)" if view in views.SHARE_VIEWS else "NULL::numeric"
    return sql.SQL(sqlfiles.queries("checks")["view_consistency"]).format(
        view=sql.Identifier("rpt", view), share=sql.SQL(share)
    )


def _consistency_check(view: str) -> dg.AssetChecksDefinition:
    query = _consistency_query(view)

    @dg.asset_check(
        asset=VIEW_KEYS[view],
        name=VIEW_CONSISTENT,
        description="Totals (USD to the cent, kg to the gram) equal SUM over stg.exportacao, "
        "shares sum to 100 within rounding, and the view was refreshed after the latest load.",
    )
    def _check(database: BgcDatabase) -> dg.AssetCheckResult:
        found = database.fetch_row(query, ViewConsistency)
        problems = found.problems()
        return dg.AssetCheckResult(
            passed=not problems,
            description="; ".join(problems) or None,
            metadata={
                "view_total_usd": float(found.total_usd),
                "staging_total_usd": float(found.staging_usd),
                "usd_difference": float(found.total_usd - found.staging_usd),
                "kg_difference": float(found.total_kg - found.staging_kg),
                "sum_pct": None if found.share_sum is None else float(found.share_sum),
                "view_updated_at": str(found.updated_at),
                "latest_load_at": str(found.latest_load),
            },
        )

    return _check


asset_checks = [staging_rules, *(_consistency_check(view) for view in views.VIEWS_IN_ORDER)]
