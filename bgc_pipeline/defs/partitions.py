"""Partitions: one dynamic partition per landing file, so each file shows in the UI."""

import dagster as dg

landing_files = dg.DynamicPartitionsDefinition(name="landing_files")
