"""Asset checks: each file's partition obeys the ingest rules and matches its aggregates;
each view agrees with staging and is fresh."""

import datetime as dt
import tempfile
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import dagster as dg
import duckdb
from psycopg2 import sql

from bgc_core import domain, reconciliation, snapshots, sqlfiles, views
from bgc_core.domain import EXPORTS, IMPORTS
from bgc_pipeline.defs.keys import (
    MDIC_TOTALS,
    SNAPSHOTS_MATCH_STAGING,
    STAGING_RULES,
    STG_IMPORT_KEY,
    STG_KEY,
    VIEW_CONSISTENT,
    VIEW_KEYS,
    VIEWS_MATCH_SNAPSHOTS,
)
from bgc_pipeline.defs.partitions import landing_files
from bgc_pipeline.defs.resources import BgcDatabase

SHARE_TOLERANCE_PER_ROW = Decimal("0.005")
"""Each ``participacao_pct`` is rounded to 0.01, so n rows may miss 100 by n x 0.005."""


def _staging_problems(bad_rows: int, differ: bool, kept: str) -> list[str]:
    """What is wrong with a file's partition, in words: rows against the rules, and the
    ``kept`` sums (aggregates, totals) against its rows."""
    found = []
    if bad_rows:
        found.append(f"{bad_rows} row(s) break the ingest rules")
    if differ:
        found.append(f"the {kept} kept at load time differ from the partition's rows")
    return found


class Violations(NamedTuple):
    bad_rows: int
    row_count: int
    aggregate_rows_difference: int
    aggregate_usd_difference: Decimal
    aggregate_kg_difference: Decimal
    dimension_usd_difference: Decimal

    def problems(self) -> list[str]:
        return _staging_problems(self.bad_rows, any(self[2:]), "aggregates")


class ImportViolations(NamedTuple):
    bad_rows: int
    row_count: int
    aggregate_rows_difference: int
    aggregate_usd_difference: Decimal
    aggregate_kg_difference: Decimal
    aggregate_frete_difference: Decimal
    aggregate_seguro_difference: Decimal

    def problems(self) -> list[str]:
        return _staging_problems(self.bad_rows, any(self[2:]), "totals")


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


def _staging_rules(
    context: dg.AssetCheckExecutionContext, database: BgcDatabase
) -> dg.AssetCheckResult:
    sources, params = _file_sources(context, database)
    found = database.fetch_row(sqlfiles.queries("checks")["staging_violations"], Violations, params)
    problems = found.problems()
    return dg.AssetCheckResult(
        passed=not problems,
        description="; ".join(problems) or None,
        metadata={
            "bad_rows": found.bad_rows,
            "rows": found.row_count,
            "aggregate_usd_difference": float(found.aggregate_usd_difference),
            "sources": ", ".join(sources),
        },
    )


def _import_staging_rules(
    context: dg.AssetCheckExecutionContext, database: BgcDatabase
) -> dg.AssetCheckResult:
    sources, params = _file_sources(context, database)
    found = database.fetch_row(
        sqlfiles.queries("checks")["staging_violations_importacao"], ImportViolations, params
    )
    problems = found.problems()
    return dg.AssetCheckResult(
        passed=not problems,
        description="; ".join(problems) or None,
        metadata={
            "bad_rows": found.bad_rows,
            "rows": found.row_count,
            "aggregate_usd_difference": float(found.aggregate_usd_difference),
            "aggregate_freight_difference": float(found.aggregate_frete_difference),
            "aggregate_insurance_difference": float(found.aggregate_seguro_difference),
            "sources": ", ".join(sources),
        },
    )


def _file_sources(
    context: dg.AssetCheckExecutionContext, database: BgcDatabase
) -> tuple[list[str], dict[str, Any]]:
    """The sources the check's landing file was loaded as, and the rules' parameters."""
    queries = sqlfiles.queries("checks")
    with database.connection() as conn, conn.cursor() as cur:
        cur.execute(queries["landing_sources"], {"name": context.partition_key})
        sources = [source for (source,) in cur.fetchall()]
    params = {
        "first_year": domain.FIRST_YEAR,
        "last_year": domain.last_year(),
        "sources": sources,
    }
    return sources, params


def _mdic_totals(
    context: dg.AssetCheckExecutionContext, database: BgcDatabase
) -> dg.AssetCheckResult:
    return _against_mdic(context, database, EXPORTS)


def _mdic_import_totals(
    context: dg.AssetCheckExecutionContext, database: BgcDatabase
) -> dg.AssetCheckResult:
    return _against_mdic(context, database, IMPORTS)


def _against_mdic(
    context: dg.AssetCheckExecutionContext, database: BgcDatabase, fluxo: str
) -> dg.AssetCheckResult:
    """An official yearly file against MDIC's totals: ERROR when they differ, WARN when the
    totals have no row for it, are older than it, or its name and CO_ANO disagree."""
    name = context.partition_key
    if not reconciliation.is_official_name(name, fluxo):
        example = "IMP_YYYY.csv" if fluxo == IMPORTS else "EXP_YYYY.csv"
        return dg.AssetCheckResult(
            passed=True, description=f"{name} is not an official yearly file ({example})"
        )
    found = reconciliation.reconcile(database.dsn, name, fluxo)
    if not found:
        return dg.AssetCheckResult(passed=True, description=f"{name} holds no loaded rows")
    [row] = found
    error = row.status == reconciliation.DIVERGENT
    passed = row.status == reconciliation.OK and not row.year_mismatch
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.ERROR if error else dg.AssetCheckSeverity.WARN,
        description=row.explain(),
        metadata={
            "status": row.status,
            "rows": row.registros,
            "mdic_rows": row.numero_linhas,
            "vl_fob": float(row.total_usd),
            "mdic_vl_fob": None if row.vl_fob is None else float(row.vl_fob),
            "difference": row.differences() or None,
        },
    )


def _consistency_query(view: str) -> sql.Composed:
    share = "SUM(participacao_pct)" if view in views.SHARE_VIEWS else "NULL::numeric"
    return sql.SQL(sqlfiles.queries("checks")["view_consistency"]).format(
        view=sql.Identifier("rpt", view),
        share=sql.SQL(share),
        total_rows=sql.SQL(views.TOTAL_ROWS.get(view, "true")),
    )


def _consistency_check(view: str) -> dg.AssetChecksDefinition:
    query = _consistency_query(view)

    @dg.asset_check(
        asset=VIEW_KEYS[view],
        name=VIEW_CONSISTENT,
        description="Totals (USD to the cent, kg to the gram) equal staging's, as kept per "
        "file at load time (rpt.agg_arquivo), "
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


def _snapshot_totals(
    database: BgcDatabase, *queries: str, kind: snapshots.Kind = snapshots.EXPORT_SNAPSHOTS
) -> list[list[tuple[Any, ...]]]:
    """The rows of DuckDB queries (sql/queries/snapshots.sql) over every stored snapshot
    of a flow, the files written out of the database once for all of them, each checked
    against its hash on the way."""
    with tempfile.TemporaryDirectory(prefix="bgc-check-") as folder:
        with database.connection() as conn, conn.cursor() as cur:
            paths = snapshots.export(cur, Path(folder), kind)
        if not paths:
            return [[] for _ in queries]
        files = {"files": [str(p) for p in paths]}
        with duckdb.connect(config={"autoinstall_known_extensions": False}) as duck:
            return [duck.execute(_SNAPSHOT_QUERIES[query], files).fetchall() for query in queries]


_SNAPSHOT_QUERIES = sqlfiles.queries("snapshots")
SNAPSHOTS_KEY = VIEW_KEYS[views.SNAPSHOTS]


@dg.asset_check(
    asset=SNAPSHOTS_KEY,
    name=SNAPSHOTS_MATCH_STAGING,
    blocking=True,
    description="Each year's snapshot, read back with DuckDB, holds staging's rows of that "
    "year: USD to the cent, kg to the gram and the number of records, as kept per file at "
    "load time (rpt.agg_arquivo). Every year staging holds has a file, and no other.",
)
def snapshots_match_staging(database: BgcDatabase) -> dg.AssetCheckResult:
    return _files_match_staging(database, snapshots.EXPORT_SNAPSHOTS)


@dg.asset_check(
    asset=VIEW_KEYS[views.IMPORT_SNAPSHOTS],
    name=SNAPSHOTS_MATCH_STAGING,
    blocking=True,
    description="Each year's import snapshot, read back with DuckDB, holds stg.importacao's "
    "rows of that year: USD, freight and insurance to the cent, kg to the gram and the "
    "number of records, as kept per file at load time (rpt.agg_arquivo_importacao). Every "
    "year the imports' staging holds has a file, and no other.",
)
def import_snapshots_match_staging(database: BgcDatabase) -> dg.AssetCheckResult:
    return _files_match_staging(database, snapshots.IMPORT_SNAPSHOTS)


def _files_match_staging(database: BgcDatabase, kind: snapshots.Kind) -> dg.AssetCheckResult:
    """Each year's figures in the flow's files against its per-file totals."""
    [per_year] = _snapshot_totals(database, f"totais_por_ano{kind.suffix}", kind=kind)
    files = {int(row[0]): (*row[1:3], int(row[3]), *row[4:]) for row in per_year}
    with database.connection() as conn, conn.cursor() as cur:
        cur.execute(sqlfiles.queries("checks")[f"staging_per_year{kind.suffix}"])
        staged = {int(row[0]): (*row[1:3], int(row[3]), *row[4:]) for row in cur.fetchall()}
    differing = sorted(y for y in files.keys() | staged.keys() if files.get(y) != staged.get(y))
    return dg.AssetCheckResult(
        passed=not differing,
        description=f"years whose snapshot differs from staging: {differing}"
        if differing
        else None,
        metadata={
            "years": ", ".join(map(str, sorted(files))) or "none",
            "differing_years": ", ".join(map(str, differing)) or "none",
            "snapshot_total_usd": float(sum((v[0] for v in files.values()), Decimal(0))),
            "staging_total_usd": float(sum((v[0] for v in staged.values()), Decimal(0))),
        },
    )


@dg.asset_check(
    asset=SNAPSHOTS_KEY,
    name=VIEWS_MATCH_SNAPSHOTS,
    additional_deps=[VIEW_KEYS["mv_resumo_pais"], VIEW_KEYS["mv_resumo_setor"]],
    description="The answers the API gives from the materialized views without a filter "
    "(/metrics/pais, /metrics/setor, and /metrics/resumo, their sum) equal DuckDB's answer "
    "over the snapshots for the same scope: each country's and each sector's value and "
    "weight.",
)
def views_match_snapshots(database: BgcDatabase) -> dg.AssetCheckResult:
    differing = []
    dimensions = ("pais", "setor")
    totals = _snapshot_totals(database, *(f"totais_por_{d}" for d in dimensions))
    for dimension, rows in zip(dimensions, totals, strict=True):
        from_files = {code: (usd, kg) for code, usd, kg in rows}
        with database.connection() as conn, conn.cursor() as cur:
            cur.execute(sqlfiles.queries("checks")[f"resumo_por_{dimension}"])
            from_views = {code: (usd, kg) for code, usd, kg in cur.fetchall()}
        differing += sorted(f"{dimension} {code}" for code in from_files.keys() | from_views.keys()
                            if from_files.get(code) != from_views.get(code))  # fmt: skip
    return dg.AssetCheckResult(
        passed=not differing,
        description=f"differ: {', '.join(differing[:10])}" if differing else None,
        metadata={"differing": len(differing)},
    )


with warnings.catch_warnings():
    # Partitioned asset checks are a Dagster preview; one check per file is the point.
    warnings.simplefilter("ignore", dg.PreviewWarning)
    staging_rules = dg.asset_check(
        asset=STG_KEY,
        name=STAGING_RULES,
        blocking=True,
        partitions_def=landing_files,
        description="No row of the file's partition breaks the ingest rules (years, months, "
        "signs, NCM), and the aggregates kept at load time equal its rows. Reads that file only.",
    )(_staging_rules)
    mdic_totals = dg.asset_check(
        asset=STG_KEY,
        name=MDIC_TOTALS,
        partitions_def=landing_files,
        description="An official yearly file (EXP_YYYY.csv) equals MDIC's published totals "
        "(EXP_TOTAIS_CONFERENCIA.csv): rows and the sums of VL_FOB, KG_LIQUIDO and QT_ESTAT. "
        "WARN while the totals lack the file or are older than it.",
    )(_mdic_totals)
    import_staging_rules = dg.asset_check(
        asset=STG_IMPORT_KEY,
        name=STAGING_RULES,
        blocking=True,
        partitions_def=landing_files,
        description="No row of the import file's partition breaks the ingest rules (years, "
        "months, signs of FOB, freight and insurance, NCM), and the totals kept at load time "
        "equal its rows. Reads that file only.",
    )(_import_staging_rules)
    mdic_import_totals = dg.asset_check(
        asset=STG_IMPORT_KEY,
        name=MDIC_TOTALS,
        partitions_def=landing_files,
        description="An official yearly import file (IMP_YYYY.csv) equals MDIC's published "
        "totals (IMP_TOTAIS_CONFERENCIA.csv): rows and the sums of VL_FOB, KG_LIQUIDO and "
        "QT_ESTAT, and VL_FRETE and VL_SEGURO where the totals carry them. WARN while the "
        "totals lack the file or are older than it.",
    )(_mdic_import_totals)


asset_checks = [
    staging_rules,
    mdic_totals,
    import_staging_rules,
    mdic_import_totals,
    *(_consistency_check(view) for view in views.READ_VIEWS),
    snapshots_match_staging,
    import_snapshots_match_staging,
    views_match_snapshots,
]
