"""The landing-folder sensor: each new or changed file becomes one run of ``stg/exportacao``.

The cursor (JSON) remembers, per file name, the size, mtime and sha256 last seen, so
an unchanged file never runs twice, daemon restarts included. A file must keep the
same size over two ticks before it is hashed and loaded: it may still be copying.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from bgc_core.files import file_sha256
from bgc_pipeline.defs.keys import STG_KEY
from bgc_pipeline.defs.partitions import landing_files
from bgc_pipeline.defs.resources import LandingFolder

SUPPORTED_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")
IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".swp")
SENSOR_INTERVAL_S = 15


@dataclass
class LandingCursor:
    """What the sensor knows: settled files (size, mtime, sha256) and files seen growing."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: dict[str, int] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: str | None) -> "LandingCursor":
        if not raw:
            return cls()
        data = json.loads(raw)
        return cls(files=data.get("files", {}), pending=data.get("pending", {}))

    def dump(self) -> str:
        return json.dumps({"files": self.files, "pending": self.pending}, sort_keys=True)


@dataclass
class Scan:
    requests: list[dg.RunRequest] = field(default_factory=list)
    new_keys: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


def _candidates(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in IGNORED_SUFFIXES
    )


def scan_landing(folder: Path, cursor: LandingCursor, known_keys: set[str]) -> Scan:
    """Decide, for every file in ``folder``, whether to load it now, wait, or skip it."""
    scan = Scan()
    present = set()
    for path in _candidates(folder):
        present.add(path.name)
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            scan.unsupported.append(path.name)
            continue
        stat = path.stat()
        known = cursor.files.get(path.name)
        if known and known["size"] == stat.st_size and known["mtime"] == stat.st_mtime:
            continue
        if cursor.pending.get(path.name) != stat.st_size:
            cursor.pending[path.name] = stat.st_size
            scan.waiting.append(path.name)
            continue
        del cursor.pending[path.name]
        sha = file_sha256(path)
        cursor.files[path.name] = {"size": stat.st_size, "mtime": stat.st_mtime, "sha256": sha}
        if known and known["sha256"] == sha:
            continue
        if path.name not in known_keys:
            scan.new_keys.append(path.name)
        scan.requests.append(
            dg.RunRequest(
                run_key=f"{path.name}:{sha}",
                partition_key=path.name,
                asset_selection=[STG_KEY],
                tags={"bgc/source_file": path.name, "bgc/sha256": sha},
            )
        )
    cursor.pending = {name: size for name, size in cursor.pending.items() if name in present}
    return scan


def _skip_reason(scan: Scan) -> str:
    parts = []
    if scan.waiting:
        parts.append(f"waiting for {', '.join(scan.waiting)} to stop growing")
    if scan.unsupported:
        parts.append(f"unsupported file type skipped: {', '.join(scan.unsupported)}")
    return "; ".join(parts) or "no new or changed files"


@dg.sensor(
    name="landing_sensor",
    target=[STG_KEY],
    minimum_interval_seconds=SENSOR_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Loads every new or changed file of the landing folder (BGC_LANDING_DIR).",
)
def landing_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder) -> dg.SensorResult:
    cursor = LandingCursor.parse(context.cursor)
    known = set(context.instance.get_dynamic_partitions(landing_files.name or ""))
    scan = scan_landing(landing.folder(), cursor, known)
    return dg.SensorResult(
        run_requests=scan.requests,
        dynamic_partitions_requests=(
            [landing_files.build_add_request(scan.new_keys)] if scan.new_keys else []
        ),
        cursor=cursor.dump(),
        skip_reason=None if scan.requests else _skip_reason(scan),
    )


automation_sensor = dg.AutomationConditionSensorDefinition(
    name="view_refresh_automation",
    target=dg.AssetSelection.groups("rpt"),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=SENSOR_INTERVAL_S,
    description="Refreshes the rpt views after each successful load.",
)
