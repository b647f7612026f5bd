"""Running the real Dagster definitions against a test database and landing folder."""

from pathlib import Path

import dagster as dg

from bgc_pipeline.definitions import make_definitions
from bgc_pipeline.defs.assets import (
    raw_landing_files,
    stg_exportacao,
    stg_importacao,
    view_assets,
)
from bgc_pipeline.defs.checks import asset_checks
from bgc_pipeline.defs.partitions import landing_files
from bgc_pipeline.defs.resources import BgcDatabase, LandingFolder
from bgc_pipeline.defs.sensors import landing_sensor


def resources(url: str, landing: Path) -> dict[str, object]:
    return {"database": BgcDatabase(url=url), "landing": LandingFolder(path=str(landing))}


def bound_definitions(url: str, landing: Path) -> dg.Definitions:
    """The project's Definitions with resources bound to the test database and folder."""
    return make_definitions(BgcDatabase(url=url), LandingFolder(path=str(landing)))


STAGING = [stg_exportacao, stg_importacao]


def load_partition(
    instance: dg.DagsterInstance,
    url: str,
    landing: Path,
    name: str,
    raise_on_error: bool = True,
    imports: bool = False,
) -> dg.ExecuteInProcessResult:
    """Materialize ``stg/exportacao`` (``stg/importacao`` with ``imports``) for one landing
    file (with its checks)."""
    if not instance.has_dynamic_partition(landing_files.name or "", name):
        instance.add_dynamic_partitions(landing_files.name or "", [name])
    return dg.materialize(
        [raw_landing_files, *STAGING, *asset_checks],  # type: ignore[list-item]
        instance=instance,
        resources=resources(url, landing),
        partition_key=name,
        selection=[stg_importacao if imports else stg_exportacao],
        raise_on_error=raise_on_error,
    )


def refresh_views(
    instance: dg.DagsterInstance, url: str, landing: Path
) -> dg.ExecuteInProcessResult:
    """Materialize every rpt view asset (with their checks)."""
    return dg.materialize(
        [*STAGING, *view_assets, *asset_checks],  # type: ignore[list-item]
        instance=instance,
        resources=resources(url, landing),
        selection=view_assets,
    )


def run_checks(
    instance: dg.DagsterInstance, url: str, landing: Path, *keys: dg.AssetKey
) -> dg.ExecuteInProcessResult:
    """Execute only the checks of the given (unpartitioned) view assets."""
    return dg.materialize(
        [*STAGING, *view_assets, *asset_checks],  # type: ignore[list-item]
        instance=instance,
        resources=resources(url, landing),
        selection=dg.AssetSelection.checks_for_assets(*keys),
        raise_on_error=False,
    )


def sensor_tick(
    instance: dg.DagsterInstance, url: str, landing: Path, cursor: str | None
) -> dg.SensorResult:
    """One tick of the landing sensor, applying its partition requests as the daemon would."""
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources=resources(url, landing)
    )
    result = landing_sensor(context)
    assert isinstance(result, dg.SensorResult)
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(
            request.partitions_def_name, list(request.partition_keys or [])
        )
    return result
