"""Automation: a load makes the condition request every report view."""

from pathlib import Path

import dagster as dg

from bgc_pipeline.defs.keys import VIEW_KEYS
from tests.support.dagster import bound_definitions, load_partition
from tests.support.paths import SAMPLES

SAMPLE = SAMPLES / "exportacao_2023_2024.csv"


def test_a_load_makes_automation_request_every_view(database_url: str, tmp_path: Path) -> None:
    instance = dg.DagsterInstance.ephemeral()
    bound = bound_definitions(database_url, tmp_path)
    first = dg.evaluate_automation_conditions(defs=bound, instance=instance)
    assert first.total_requested == 0
    (tmp_path / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    load_partition(instance, database_url, tmp_path, SAMPLE.name)
    after = dg.evaluate_automation_conditions(defs=bound, instance=instance, cursor=first.cursor)
    assert {key for key in VIEW_KEYS.values() if after.get_num_requested(key)} == set(
        VIEW_KEYS.values()
    )
