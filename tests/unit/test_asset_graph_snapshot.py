"""The asset graph, frozen: keys, deps, groups, kinds, partitions, automation and checks.

An accidental change to lineage or automation fails here; an intended one is a reviewed
diff of tests/snapshots/asset_graph.json (``BGC_UPDATE_SNAPSHOTS=1`` rewrites it).
"""

from typing import Any

from bgc_pipeline.definitions import defs
from tests.support.snapshots import matches_snapshot


def describe_graph() -> dict[str, Any]:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        condition = node.automation_condition
        assets[key.to_user_string()] = {
            "deps": sorted(parent.to_user_string() for parent in node.parent_keys),
            "group": node.group_name,
            "kinds": sorted(node.kinds),
            "partitions": repr(node.partitions_def) if node.partitions_def else None,
            "automation": condition.get_label() if condition else None,
            "checks": sorted(check.name for check in node.check_keys),
            "materializable": node.is_materializable,
        }
    return {
        "assets": assets,
        "jobs": sorted(job.name for job in defs.resolve_all_job_defs()),
        "sensors": sorted(sensor.name for sensor in defs.sensors or []),
        "schedules": sorted(
            f"{schedule.name} {schedule.cron_schedule} {schedule.execution_timezone}"
            for schedule in defs.schedules or []
        ),
    }


def test_asset_graph_is_the_snapshot() -> None:
    assert matches_snapshot("asset_graph.json", describe_graph()), "asset graph changed"
