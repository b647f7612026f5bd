"""Asset checks: staging obeys the ingest rules; each view reconciles with staging."""

from decimal import Decimal

import dagster as dg

from bgc_pipeline import db, refresh
from bgc_pipeline.assets import STG_KEY, VIEW_KEYS
from bgc_pipeline.resources import BgcDatabase
from bgc_pipeline.settings import SQL_DIR

QUERIES = db.load_queries(SQL_DIR / "queries" / "checks.sql")
STAGING_RULES = "staging_rules"
RECONCILES = "reconciles_with_staging"
SHARES_SUM_TO_100 = "participacao_sums_to_100"
FRESHER_THAN_LOAD = "fresher_than_latest_load"
SHARE_VIEWS = ("mv_resumo_pais", "mv_resumo_setor")


@dg.asset_check(
    asset=STG_KEY,
    name=STAGING_RULES,
    blocking=True,
    description="No row of staging breaks the ingest rules (years, months, signs, NCM).",
)
def staging_rules(database: BgcDatabase) -> dg.AssetCheckResult:
    (bad,) = database.fetch_one(QUERIES["staging_violations"])
    return dg.AssetCheckResult(passed=bad == 0, metadata={"bad_rows": int(bad)})  # type: ignore[call-overload]


def _reconcile_check(view: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=VIEW_KEYS[view],
        name=RECONCILES,
        description="Totals (USD to the cent, kg to the gram) equal SUM over stg.exportacao.",
    )
    def _check(database: BgcDatabase) -> dg.AssetCheckResult:
        staging = database.fetch_one(QUERIES["staging_totals"])
        view_totals = database.fetch_one(QUERIES[f"{view}_totals"])
        usd_gap = Decimal(view_totals[0]) - Decimal(staging[0])  # type: ignore[arg-type]
        kg_gap = Decimal(view_totals[1]) - Decimal(staging[1])  # type: ignore[arg-type]
        return dg.AssetCheckResult(
            passed=usd_gap == 0 and kg_gap == 0,
            metadata={
                "view_total_usd": float(view_totals[0]),  # type: ignore[arg-type]
                "staging_total_usd": float(staging[0]),  # type: ignore[arg-type]
                "usd_difference": float(usd_gap),
                "kg_difference": float(kg_gap),
            },
        )

    return _check


def _share_check(view: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=VIEW_KEYS[view],
        name=SHARES_SUM_TO_100,
        description="participacao_pct sums to 100 within rounding (0.005 per row).",
    )
    def _check(database: BgcDatabase) -> dg.AssetCheckResult:
        total, rows = database.fetch_one(QUERIES[f"{view}_share"])
        total_pct, count = Decimal(total), int(rows)  # type: ignore[arg-type, call-overload]
        tolerance = Decimal("0.005") * count
        passed = count == 0 or abs(total_pct - 100) <= tolerance
        return dg.AssetCheckResult(
            passed=passed, metadata={"sum_pct": float(total_pct), "rows": count}
        )

    return _check


def _freshness_check(view: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=VIEW_KEYS[view],
        name=FRESHER_THAN_LOAD,
        description="The view was refreshed after the latest successful load.",
    )
    def _check(database: BgcDatabase) -> dg.AssetCheckResult:
        (updated,) = database.fetch_one(QUERIES[f"{view}_updated"])
        (loaded,) = database.fetch_one(QUERIES["latest_load"])
        passed = loaded is None or (updated is not None and updated >= loaded)  # type: ignore[operator]
        return dg.AssetCheckResult(
            passed=bool(passed),
            metadata={"view_updated_at": str(updated), "latest_load_at": str(loaded)},
        )

    return _check


asset_checks = [
    staging_rules,
    *(_reconcile_check(view) for view in refresh.VIEWS_IN_ORDER),
    *(_share_check(view) for view in SHARE_VIEWS),
    *(_freshness_check(view) for view in refresh.SUMMARY_VIEWS),
]
