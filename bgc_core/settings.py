"""Every setting of BGC Analytics, read from the environment in one place.

Nothing reads ``os.environ`` at import time: call :func:`load_settings` when the
process starts (CLI, app factory, Dagster resource) and pass the result along.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    home: Path
    """``BGC_HOME``: local data folder (embedded PostgreSQL, Dagster home, landing folder)."""

    database_url: str | None
    """``BGC_DATABASE_URL``: PostgreSQL 15+ for the data; unset: embedded server in ``BGC_HOME``."""

    database_password: str | None
    """``BGC_DATABASE_PASSWORD``: password for ``BGC_DATABASE_URL``, kept out of the URL
    (Kubernetes injects it from a Secret; any character is allowed)."""

    dagster_database_url: str | None
    """``BGC_DAGSTER_DATABASE_URL``: Dagster instance storage; unset: the database
    ``<warehouse>_dagster`` on the warehouse's server (``bgc_dagster`` for ``bgc``), so an
    instance belongs to one warehouse."""

    landing_dir: Path
    """``BGC_LANDING_DIR``: folder watched by the file sensor."""

    api_host: str = "127.0.0.1"
    """``BGC_API_HOST``: interface the API binds to (``0.0.0.0`` in a container)."""

    api_port: int = 3000
    """``BGC_API_PORT``: API port."""

    dagster_port: int = 3001
    """``BGC_DAGSTER_PORT``: Dagster webserver port."""

    api_pool_size: int = 5
    """``BGC_API_POOL_SIZE``: database connections kept open by each API process."""

    api_workers: int = 1
    """``BGC_API_WORKERS``: API server processes."""

    api_statement_timeout_ms: int = 5000
    """``BGC_API_STATEMENT_TIMEOUT_MS``: the longest an API query may run; past it the
    answer is a 503 with ``Retry-After``, never a worker hung on the database."""

    api_rate_limit_per_minute: int = 0
    """``BGC_API_RATE_LIMIT_PER_MINUTE``: metrics requests per client address and minute,
    answered 429 past it; 0 turns the limit off (the default locally; the Helm chart
    turns it on)."""

    comexstat_max_rows: int = 500_000
    """``BGC_COMEXSTAT_MAX_ROWS``: the most rows one ``/comexstat/general`` answer holds;
    a larger one is a 413 that says how to narrow it (the answer is built in memory)."""

    comexstat_rate_limited: bool = False
    """``BGC_COMEXSTAT_RATE_LIMITED``: ``true`` counts the ``/comexstat`` routes in the
    rate limit; by default they have none (scripts written for MDIC's API run unthrottled)."""

    log_level: str = "INFO"
    """``BGC_LOG_LEVEL``: Python log level name."""

    max_concurrent_runs: int = 2
    """``BGC_MAX_CONCURRENT_RUNS``: Dagster runs at once under ``bgc up`` (different files
    load in parallel; one file never loads twice at once)."""

    refresh_work_mem_mb: int = 256
    """``BGC_REFRESH_WORK_MEM_MB``: PostgreSQL's ``work_mem`` for a view refresh's
    transaction. Each hash or sort of the refresh may take this much on the database
    server; at PostgreSQL's default (4 MB) they spill to disk."""

    cache_dir: Path | None = None
    """``BGC_CACHE_DIR``: where each API process keeps its local DuckDB copy of each
    snapshot it reads, by the file's content hash (default ``$BGC_HOME/cache``; an
    ``emptyDir`` in the Helm chart). Safe to delete: missing copies are built again from
    the files in the database."""

    api_duckdb_threads: int = 2
    """``BGC_API_DUCKDB_THREADS``: threads of the API's DuckDB (per process)."""

    api_duckdb_memory_mb: int = 1024
    """``BGC_API_DUCKDB_MEMORY_MB``: DuckDB's memory limit per API process; a query that
    needs more spills or fails (503) instead of growing the process."""

    @property
    def snapshot_cache(self) -> Path:
        """The API's snapshot cache folder."""
        return self.cache_dir or self.home / "cache"

    @property
    def dagster_home(self) -> Path:
        """``DAGSTER_HOME`` used locally: always under ``BGC_HOME``."""
        return self.home / "dagster"

    @property
    def pgdata(self) -> Path:
        """Data folder of the embedded PostgreSQL."""
        return self.home / "pgdata"


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not an integer") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={value} is outside {low}..{high}")
    return value


FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return False
    if raw not in FLAGS:
        raise SettingsError(f"{name}={raw!r} is not true or false")
    return FLAGS[raw]


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _path(env: Mapping[str, str], name: str) -> Path | None:
    value = _optional(env, name)
    return Path(value).expanduser().resolve() if value else None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    home = Path(env.get("BGC_HOME") or ".bgc").expanduser().resolve()
    landing = env.get("BGC_LANDING_DIR")
    return Settings(
        home=home,
        database_url=_optional(env, "BGC_DATABASE_URL"),
        database_password=env.get("BGC_DATABASE_PASSWORD") or None,
        dagster_database_url=_optional(env, "BGC_DAGSTER_DATABASE_URL"),
        landing_dir=Path(landing).expanduser().resolve() if landing else home / "landing",
        api_host=env.get("BGC_API_HOST") or "127.0.0.1",
        api_port=_int(env, "BGC_API_PORT", 3000, 1, 65535),
        dagster_port=_int(env, "BGC_DAGSTER_PORT", 3001, 1, 65535),
        api_pool_size=_int(env, "BGC_API_POOL_SIZE", 5, 1, 100),
        api_workers=_int(env, "BGC_API_WORKERS", 1, 1, 64),
        api_statement_timeout_ms=_int(env, "BGC_API_STATEMENT_TIMEOUT_MS", 5000, 1, 600_000),
        api_rate_limit_per_minute=_int(env, "BGC_API_RATE_LIMIT_PER_MINUTE", 0, 0, 1_000_000),
        comexstat_max_rows=_int(env, "BGC_COMEXSTAT_MAX_ROWS", 500_000, 1, 100_000_000),
        comexstat_rate_limited=_flag(env, "BGC_COMEXSTAT_RATE_LIMITED"),
        log_level=(env.get("BGC_LOG_LEVEL") or "INFO").upper(),
        max_concurrent_runs=_int(env, "BGC_MAX_CONCURRENT_RUNS", 2, 1, 32),
        refresh_work_mem_mb=_int(env, "BGC_REFRESH_WORK_MEM_MB", 256, 4, 65_536),
        cache_dir=Path(cache).expanduser().resolve()
        if (cache := _optional(env, "BGC_CACHE_DIR"))
        else None,
        api_duckdb_threads=_int(env, "BGC_API_DUCKDB_THREADS", 2, 1, 256),
        api_duckdb_memory_mb=_int(env, "BGC_API_DUCKDB_MEMORY_MB", 1024, 64, 1_048_576),
    )
