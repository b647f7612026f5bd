"""The landing-folder sensor: each file the warehouse has not loaded becomes one run of
its flow's staging asset, ``stg/exportacao`` or ``stg/importacao`` (``ingest.flow_of``:
the file's name, else its header).

The warehouse decides (``cfg.ingest_batches``): a file needs a load until an attempt
of its current content is recorded there. Run keys are not used, so a new or restored
warehouse gets its files loaded again however much the Dagster instance remembers.
The cursor (JSON) only caches each file's size, mtime and sha256, so unchanged files
are not hashed again, and a file must keep the same size over two ticks before it is
hashed: it may still be copying.
"""

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from bgc_core import sqlfiles
from bgc_core.domain import EXPORTS
from bgc_core.files import file_sha256
from bgc_pipeline.defs.keys import STAGING_KEYS
from bgc_pipeline.defs.partitions import landing_files
from bgc_pipeline.defs.resources import BgcDatabase, LandingFolder

SUPPORTED_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")
IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".swp")
SENSOR_INTERVAL_S = 5
"""The landing sensor's tick: a file is loaded once its size held over two ticks, so this
bounds the wait before a dropped file starts loading (15 s left `make up`'s first data
past a minute of the banner; a tick lists the folder and hashes new files only)."""
AUTOMATION_INTERVAL_S = 10
"""The view refresh's tick after a load: each evaluates every rpt asset's condition."""
RETRY_AFTER_S = 60
"""A run of a file that failed before the warehouse recorded it is retried after this."""
SOURCE_TAG = "bgc/source_file"
SHA_TAG = "bgc/sha256"
FLOW_TAG = "bgc/fluxo"
REFRESH_FIRST = "dagster/priority"
"""The queue's priority tag (higher runs first; loads have the default, 0)."""


@dataclass
class LandingCursor:
    """What the sensor caches: settled files (size, mtime, sha256) and files seen growing."""

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
    settled: dict[str, str] = field(default_factory=dict)
    """Files whose size held still: name -> sha256."""
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


def scan_landing(folder: Path, cursor: LandingCursor) -> Scan:
    """Every file of ``folder``: settled (with its hash), still growing, or unsupported."""
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
            scan.settled[path.name] = known["sha256"]
            continue
        if cursor.pending.get(path.name) != stat.st_size:
            cursor.pending[path.name] = stat.st_size
            scan.waiting.append(path.name)
            continue
        del cursor.pending[path.name]
        sha = file_sha256(path)
        cursor.files[path.name] = {"size": stat.st_size, "mtime": stat.st_mtime, "sha256": sha}
        scan.settled[path.name] = sha
    cursor.pending = {name: size for name, size in cursor.pending.items() if name in present}
    cursor.files = {name: seen for name, seen in cursor.files.items() if name in present}
    return scan


def undecided_files(database: BgcDatabase, settled: dict[str, str]) -> dict[str, str]:
    """The settled files whose current content the warehouse has no decided attempt of."""
    if not settled:
        return {}
    names = sorted(settled)
    with database.connection() as conn, conn.cursor() as cur:
        cur.execute(
            sqlfiles.queries("landing")["decided_files"],
            {"names": names, "shas": [settled[n] for n in names]},
        )
        decided = {name for (name,) in cur.fetchall()}
    return {name: settled[name] for name in names if name not in decided}


def run_in_the_way(instance: dg.DagsterInstance, name: str, sha: str) -> str | None:
    """Why no run should be requested for this content now: one is queued or running, or
    the latest one failed moments ago. ``None``: request one."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(tags={SOURCE_TAG: name, SHA_TAG: sha}), limit=1
    )
    if not records:
        return None
    record = records[0]
    if not record.dagster_run.is_finished:
        return "in progress"
    failed = record.dagster_run.status in (
        dg.DagsterRunStatus.FAILURE,
        dg.DagsterRunStatus.CANCELED,
    )
    if failed and record.end_time and time.time() - record.end_time < RETRY_AFTER_S:
        return f"failed; retried after {RETRY_AFTER_S} s"
    return None


def _skip_reason(scan: Scan, held: list[str]) -> str:
    parts = []
    if scan.waiting:
        parts.append(f"waiting for {', '.join(scan.waiting)} to stop growing")
    if held:
        parts.append(f"not requested again: {', '.join(held)}")
    if scan.unsupported:
        parts.append(f"unsupported file type skipped: {', '.join(scan.unsupported)}")
    return "; ".join(parts) or "no new or changed files"


def imports_last(request: dg.RunRequest) -> bool:
    """Exports queue first (each flow by name): the summaries, the dashboard's default
    and most questions read them, so a folder of both flows answers them sooner."""
    return request.tags[FLOW_TAG] != EXPORTS


@dg.sensor(
    name="landing_sensor",
    target=list(STAGING_KEYS.values()),
    minimum_interval_seconds=SENSOR_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Loads every file of the landing folder (BGC_LANDING_DIR) whose current "
    "content the warehouse has not loaded (cfg.ingest_batches decides), into its flow's "
    "staging (exports or imports, from the file's name or header).",
)
def landing_sensor(
    context: dg.SensorEvaluationContext, landing: LandingFolder, database: BgcDatabase
) -> dg.SensorResult:
    from bgc_pipeline.ingest.flows import flow_of  # a tick that requests a run only

    cursor = LandingCursor.parse(context.cursor)
    folder = landing.folder()
    scan = scan_landing(folder, cursor)
    known = set(context.instance.get_dynamic_partitions(landing_files.name or ""))
    requests, held = [], []
    for name, sha in undecided_files(database, scan.settled).items():
        why_not = run_in_the_way(context.instance, name, sha)
        if why_not:
            held.append(f"{name} ({why_not})")
            continue
        flow = flow_of(folder / name)
        requests.append(
            dg.RunRequest(
                partition_key=name,
                asset_selection=[STAGING_KEYS[flow]],
                tags={SOURCE_TAG: name, SHA_TAG: sha, FLOW_TAG: flow},
            )
        )
    requests.sort(key=imports_last)
    new_keys = sorted({r.partition_key for r in requests if r.partition_key} - known)
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=(
            [landing_files.build_add_request(new_keys)] if new_keys else []
        ),
        cursor=cursor.dump(),
        skip_reason=None if requests else _skip_reason(scan, held),
    )


automation_sensor = dg.AutomationConditionSensorDefinition(
    name="view_refresh_automation",
    target=dg.AssetSelection.groups("rpt"),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=AUTOMATION_INTERVAL_S,
    run_tags={REFRESH_FIRST: "1"},
    description="Refreshes the rpt views and snapshots after each successful load; a "
    "refresh queues ahead of the loads still waiting, so loaded data shows sooner.",
)
