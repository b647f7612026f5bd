"""Software-defined assets: landing files -> ``stg/exportacao`` -> each ``rpt`` view, and
landing files -> ``stg/importacao`` beside them."""

import time
from collections.abc import Iterator
from typing import Any

import dagster as dg

from bgc_core import views
from bgc_core.domain import EXPORTS, IMPORTS
from bgc_pipeline.defs.keys import (
    PARTITION_ROW_COUNT,
    RAW_KEY,
    ROW_COUNT,
    STAGING_KEYS,
    STG_KEY,
    TABLE_NAME,
    VIEW_KEYS,
)
from bgc_pipeline.defs.partitions import landing_files
from bgc_pipeline.defs.resources import BgcDatabase, LandingFolder
from bgc_pipeline.ingest import IngestError, load_sources

OWNERS = ["team:data-engineering"]

_DEPS_UPDATED = dg.AutomationCondition.any_deps_updated()
_HANDLED = (
    dg.AutomationCondition.newly_requested() | dg.AutomationCondition.initial_evaluation()
) & ~_DEPS_UPDATED
VIEW_REFRESH = (
    _DEPS_UPDATED.since(_HANDLED)
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("refresh after upstream update")
"""Like ``eager()``, with two differences that matter for a stream of files:

- a file that failed to load (a missing partition) does not block the views;
- a load that lands in the same tick as the previous refresh request or update is
  not forgotten: the trigger resets only on a tick without new upstream data.
"""

raw_landing_files = dg.AssetSpec(
    key=RAW_KEY,
    description="Files dropped into the landing folder (BGC_LANDING_DIR), one partition each.",
    group_name="raw",
    kinds={"file"},
    owners=OWNERS,
    partitions_def=landing_files,
)


def _load_metadata(name: str, table: str, results: list[Any]) -> dict[str, Any]:
    """What the UI shows of one landing file's load: rows, hashes, layout, timings."""
    loaded = sum(r.rows_loaded for r in results)
    return {
        PARTITION_ROW_COUNT: loaded,
        TABLE_NAME: table,
        "source_file": name,
        "sources": ", ".join(r.source for r in results),
        "sha256": ", ".join(r.sha256 for r in results),
        "status": ", ".join(sorted({r.status for r in results})),
        "layout": ", ".join(sorted({r.layout for r in results if r.layout})),
        "sheet": ", ".join(r.sheet for r in results if r.sheet),
        "rows_loaded": loaded,
        "rows_rejected": sum(r.rows_rejected for r in results),
        "rows_replaced": sum(r.rows_replaced for r in results),
        "blank_lines": sum(r.blank_lines for r in results),
        "batch_id": ", ".join(r.batch_id for r in results),
        "duration_s": round(sum(r.seconds for r in results), 3),
    }


def _load(
    context: dg.AssetExecutionContext, database: BgcDatabase, landing: LandingFolder, flow: str
) -> dg.MaterializeResult:
    name = context.partition_key
    try:
        results = load_sources(database.dsn, landing.file(name), source_name=name, flow=flow)
    except IngestError as exc:
        raise dg.Failure(description=str(exc), metadata={"source_file": name}) from None
    for result in results:
        context.log.info(result.summary())
    return dg.MaterializeResult(metadata=_load_metadata(name, f"stg.{flow}", results))


@dg.asset(
    key=STG_KEY,
    deps=[RAW_KEY],
    partitions_def=landing_files,
    group_name="stg",
    kinds={"postgres", "polars"},
    owners=OWNERS,
)
def stg_exportacao(
    context: dg.AssetExecutionContext, database: BgcDatabase, landing: LandingFolder
) -> dg.MaterializeResult:
    """Export records of one landing file, validated and loaded into ``stg.exportacao``.

    One transaction per source (the file, or each loadable sheet of a workbook): an
    unchanged source loads nothing, a changed one replaces its earlier rows, rejected
    rows go to ``cfg.ingest_rejects``.
    """
    return _load(context, database, landing, EXPORTS)


@dg.asset(
    key=STAGING_KEYS[IMPORTS],
    deps=[RAW_KEY],
    partitions_def=landing_files,
    group_name="stg",
    kinds={"postgres", "polars"},
    owners=OWNERS,
)
def stg_importacao(
    context: dg.AssetExecutionContext, database: BgcDatabase, landing: LandingFolder
) -> dg.MaterializeResult:
    """Import records of one landing file (``IMP_YYYY.csv``, or a web download with freight
    and insurance), validated and loaded into ``stg.importacao``: the same rules and
    transaction per source as the exports, with VL_FRETE and VL_SEGURO.
    """
    return _load(context, database, landing, IMPORTS)


def _how_refreshed(view: str) -> str:
    if view in views.SNAPSHOT_RELATIONS:
        return "The files of the years whose data changed are written again"
    if view in views.YEARLY_TABLES:
        return "A plain view over a table whose changed years are recomputed"
    return "Refreshed with REFRESH MATERIALIZED VIEW CONCURRENTLY"


def _view_spec(view: str) -> dg.AssetSpec:
    upstream = views.upstream_of(view)
    staging = STAGING_KEYS[views.flow_of(view)]
    return dg.AssetSpec(
        key=VIEW_KEYS[view],
        deps=[staging if upstream is None else VIEW_KEYS[upstream]],
        group_name="rpt",
        kinds={"postgres", "parquet"} if view in views.SNAPSHOT_RELATIONS else {"postgres"},
        owners=OWNERS,
        description=f"{views.DESCRIPTIONS[view]} {_how_refreshed(view)} "
        "after each load and daily at 01:00 São Paulo, with every other report view in one "
        "transaction.",
        # The views that read staging follow its loads; the others come along (the
        # asset cannot be subset), so none is requested twice.
        automation_condition=VIEW_REFRESH if upstream is None else None,
    )


@dg.multi_asset(
    name="rpt_views",
    specs=[_view_spec(view) for view in views.VIEWS_IN_ORDER],
    can_subset=False,
)
def rpt_views(
    context: dg.AssetExecutionContext, database: BgcDatabase
) -> Iterator[dg.MaterializeResult]:
    """Every report view refreshed in one transaction: the API's readers see the new data
    version in all of them at once, never a version where a ranking holds a load that
    the summary does not yet (a refresh per view committed view by view)."""
    started = time.perf_counter()
    done = views.refresh_all(database.dsn)
    elapsed = round(time.perf_counter() - started, 3)
    for refresh in done:
        context.log.info(
            "refreshed rpt.%s: %s rows in %.2f s", refresh.view, refresh.rows, refresh.seconds
        )
        metadata: dict[str, dg.RawMetadataValue] = {
            ROW_COUNT: refresh.rows,
            TABLE_NAME: f"rpt.{refresh.view}",
            "refresh_duration_s": refresh.seconds,
            "duration_s": elapsed,
        }
        if refresh.years is not None:
            metadata["years_recomputed"] = ", ".join(map(str, refresh.years)) or "none"
        if refresh.view in views.SNAPSHOT_RELATIONS:
            metadata |= _snapshot_metadata(refresh)
        yield dg.MaterializeResult(asset_key=VIEW_KEYS[refresh.view], metadata=metadata)


def _snapshot_metadata(refresh: views.ViewRefresh) -> dict[str, Any]:
    """What the UI shows of the files a refresh wrote: per year its rows, bytes and hash."""
    written = refresh.files
    return {
        "files_written": len(written),
        "rows_written": sum(f.linhas for f in written),
        "bytes_written": sum(f.bytes for f in written),
        "files": "\n".join(
            f"{f.ano}: {f.file_name} ({f.linhas:,} rows, {f.bytes:,} bytes)" for f in written
        )
        or "none changed",
    }


view_assets = [rpt_views]
