"""``make bench``: ingest, refresh and API benchmarks on generated data.

Every figure is compared with a baseline measured in the same run on the same
machine (the machines are shared and noisy): raw ``COPY FROM STDIN`` for loads,
the first load for replacements, the no-database ``/health`` route for the API.
Results are printed and written to ``bench/results/latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.baselines import timed_copy
from bench.history import bench_history
from bench.httpload import load
from bench.painel import bench_painel
from bench.underload import bench_under_load
from bgc_core import db, migrate, views
from bgc_pipeline.ingest import load_file
from bgc_pipeline.ingest.history import parse_years
from bgc_pipeline.ingest.sample import write_sample

BIN = Path(sys.executable).parent
RESULTS = Path(__file__).parent / "results"


def _server(workdir: Path) -> tuple[Any, str]:
    import pgserver

    server = pgserver.get_server(workdir / "pg", cleanup_mode="delete")
    url = db.with_database(db.normalise_url(server.get_uri()), "bench")
    db.ensure_database(url)
    migrate.prepare_database(url)
    return server, url


ORIGINAL_STAGING = (Path(__file__).parent / "original_staging.sql").read_text(encoding="utf-8")


def raw_copy_seconds(url: str, path: Path) -> float:
    """Baseline: one COPY FROM STDIN of the file into a table shaped like the original
    design's stg.exportacao, with its three indexes (bench/original_staging.sql)."""
    return timed_copy(
        url, "public.bench_raw", ORIGINAL_STAGING,
        "COPY public.bench_raw (ano, mes, pais, setor, ncm, valor_usd, peso_kg) "
        "FROM STDIN WITH (FORMAT csv, HEADER true)",
        path,
    )  # fmt: skip


def _peak_rss_kib(pid: int) -> int:
    """``VmHWM`` of a process: its peak resident set since its last exec."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next(
        (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0
    )


def cli_load(url: str, path: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``bgc-ingest load-csv`` in its own process.

    The peak is sampled from /proc (``getrusage`` of a child would also count the
    pages it shared with this process before ``exec``).
    """
    env = {**os.environ, "BGC_DATABASE_URL": url}
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "bgc-ingest"), "load-csv", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, _peak_rss_kib(process.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(process.stderr.read().decode() if process.stderr else "load failed")
    return seconds, peak / 1024


def bench_ingest(url: str, work: Path, rows: int, big_rows: int, pairs: int) -> dict[str, Any]:
    """The CLI against the raw COPY of the same file, in alternating pairs (median ratio)."""
    raw, cli, rss = [], [], []
    for pair in range(pairs):
        path = work / f"EXP_pair{pair}.csv"
        write_sample(path, rows=rows, seed=10 + pair)
        raw.append(raw_copy_seconds(url, path))
        cli_s, peak = cli_load(url, path)
        cli.append(cli_s)
        rss.append(peak)
        path.unlink()
    ratios = [c / r for c, r in zip(cli, raw, strict=True)]
    first = work / "EXP_republished.csv"
    write_sample(first, rows=rows, seed=1)
    started = time.perf_counter()
    loaded = load_file(url, first)
    in_process = time.perf_counter() - started
    write_sample(first, rows=rows, seed=2)  # same name, new content: a republished file
    started = time.perf_counter()
    replaced = load_file(url, first)
    replace_seconds = time.perf_counter() - started
    assert (loaded.rows_loaded, replaced.rows_replaced) == (rows, rows), replaced.summary()
    figures: dict[str, Any] = {
        "rows": rows,
        "pairs": pairs,
        "raw_copy_s": [round(r, 3) for r in raw],
        "cli_s": [round(c, 3) for c in cli],
        "cli_vs_raw_copy": [round(r, 2) for r in ratios],
        "cli_vs_raw_copy_median": round(statistics.median(ratios), 2),
        "cli_peak_rss_mib": round(max(rss), 1),
        "load_in_process_s": round(in_process, 3),
        "replace_s": round(replace_seconds, 3),
        "replace_vs_first_load": round(replace_seconds / in_process, 2),
    }
    if big_rows:
        big = work / "big" / f"EXP_{big_rows}.csv"
        big.parent.mkdir()
        write_sample(big, rows=big_rows, seed=5)
        figures["big_rows"] = big_rows
        big_seconds, big_rss = cli_load(url, big)
        figures["big_cli_s"] = round(big_seconds, 3)
        figures["big_cli_peak_rss_mib"] = round(big_rss, 1)
        big.unlink()
    return figures


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def api_server(url: str) -> Iterator[tuple[str, int, int]]:
    """``bgc api`` on a free port against ``url``, with an empty snapshot cache of its own:
    yields its base URL, port and process id."""
    port = _free_port()
    cache = tempfile.mkdtemp(prefix="bgc-bench-snapshots-")
    env = {
        **os.environ,
        "BGC_DATABASE_URL": url,
        "BGC_API_PORT": str(port),
        "BGC_LOG_LEVEL": "WARNING",
        "BGC_CACHE_DIR": cache,
    }
    server = subprocess.Popen(
        [str(BIN / "bgc"), "api"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base, port, server.pid
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(cache, ignore_errors=True)


def rss_mib(pid: int) -> dict[str, float]:
    """A process's resident memory now and at its peak (``VmRSS``, ``VmHWM``), in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = {}
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = round(int(value.split()[0]) / 1024, 1)
    return found


API_ROUNDS = 3
"""Rounds of /health and the cached answers, alternating; the median ratio is reported."""


def bench_api(url: str, seconds: float) -> dict[str, Any]:
    with api_server(url) as (base, port, pid):
        settled(pid)  # the local copies of the sample's years are built first
        routes = {
            "hello (/health)": "/health",
            "pais": "/v1/metrics/pais?ano=2024&limit=10",
            "resumo": "/v1/metrics/resumo?ano=2024",
        }
        figures: dict[str, Any] = {}
        for concurrency in (10, 50):
            for path in routes.values():
                load("127.0.0.1", port, path, concurrency, 1)  # warm-up (fills the cache)
            # Alternating rounds: a ratio compares runs seconds apart, not minutes (a
            # single round moved the cached answer between 0.58x and 0.70x of /health).
            rounds: dict[str, list[Any]] = {label: [] for label in routes}
            for _ in range(API_ROUNDS):
                for label, path in routes.items():
                    rounds[label].append(load("127.0.0.1", port, path, concurrency, seconds))
            for label, results in rounds.items():
                middle = sorted(results, key=lambda r: r.rps)[len(results) // 2]
                figures[f"{label} c={concurrency}"] = {
                    "rps": round(middle.rps),
                    "rps_rounds": [round(r.rps) for r in results],
                    "p50_ms": round(middle.percentile(0.50), 2),
                    "p95_ms": round(middle.percentile(0.95), 2),
                    "errors": sum(r.errors for r in results),
                }
            hello = rounds["hello (/health)"]
            for label in ("pais", "resumo"):
                ratios = sorted(r.rps / h.rps for r, h in zip(rounds[label], hello, strict=True))
                figures[f"{label} c={concurrency}"]["vs_hello"] = round(ratios[len(ratios) // 2], 2)
        misses = []
        for _ in range(10):
            views.refresh_view(url, "mv_resumo_geral")
            time.sleep(0.2)  # the NOTIFY reaches the API
            started = time.perf_counter()
            urllib.request.urlopen(f"{base}/v1/metrics/pais?ano=2024&limit=10").read()
            misses.append((time.perf_counter() - started) * 1000)
        figures["cache_miss_ms_median"] = round(sorted(misses)[len(misses) // 2], 2)
        figures["cache_miss_ms_max"] = round(max(misses), 2)
        return figures


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settled(pid: int, timeout_s: float = 600) -> float:
    """Wait until a process is idle (under 10% of a core for half a second): the API's
    background work after a refresh (building the new version's local copies) must not
    run inside the next timed step. The seconds waited."""
    started = time.perf_counter()
    last = cpu_seconds(pid)
    while time.perf_counter() - started < timeout_s:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - last < 0.05:
            break
        last = now
    return round(time.perf_counter() - started, 2)


def run_history(url: str, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    with api_server(url) as (base, _, pid):
        return bench_history(
            url, work, parse_years(args.years), args.rows_per_year, cli_load, lambda: base,
            lambda: rss_mib(pid), lambda: settled(pid),
            args.rows_per_year if args.import_rows_per_year is None else args.import_rows_per_year,
        )  # fmt: skip


def run_under_load(url: str, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    with api_server(url) as (_, port, _):
        return bench_under_load(
            url, work, args.load_rows_per_year, args.load_clients, args.load_seconds, cli_load,
            lambda: port,
        )  # fmt: skip


def run_painel(url: str, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    with api_server(url) as (base, _, _):
        return bench_painel(url, work, args.painel_rows_per_year, lambda: base)


PARTS = ("ingest", "api", "history", "underload", "painel")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=5, help="raw COPY / CLI load pairs")
    parser.add_argument(
        "--big-rows", type=int, default=5_000_000, help="0 skips the 5M-row memory run"
    )
    parser.add_argument("--api-seconds", type=float, default=5)
    parser.add_argument("--years", default="2001-2025", help="full history: one file per year")
    parser.add_argument("--rows-per-year", type=int, default=1_200_000)
    parser.add_argument(
        "--import-rows-per-year", type=int, default=None,
        help="imports beside the exports (default: --rows-per-year; 0: exports only)",
    )  # fmt: skip
    parser.add_argument("--load-clients", type=int, default=50)
    parser.add_argument(
        "--load-seconds", type=float, default=60,
        help="at least; the clients also outlast two reload-and-refresh cycles",
    )  # fmt: skip
    parser.add_argument("--load-rows-per-year", type=int, default=300_000)
    parser.add_argument("--painel-rows-per-year", type=int, default=200_000)
    parser.add_argument(
        "--only", choices=PARTS, action="append",
        help="run only these parts (repeatable); default: all",
    )  # fmt: skip
    args = parser.parse_args()
    parts = set(args.only or PARTS)
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    }
    for part in PARTS:
        if part not in parts:
            continue
        work = Path(tempfile.mkdtemp(prefix=f"bgc-bench-{part}-"))
        server, url = _server(work)
        try:
            if part == "ingest":
                results[part] = bench_ingest(url, work, args.rows, args.big_rows, args.pairs)
            elif part == "api":
                load_file(url, _api_sample(work))
                views.refresh_all(url)
                results[part] = bench_api(url, args.api_seconds)
            elif part == "history":
                results[part] = run_history(url, work, args)
            elif part == "painel":
                results[part] = run_painel(url, work, args)
            else:
                results[part] = run_under_load(url, work, args)
        finally:
            server.cleanup()
            shutil.rmtree(work, ignore_errors=True)
        print(json.dumps({part: results[part]}, indent=2), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def _api_sample(work: Path) -> Path:
    path = work / "EXP_api.csv"
    write_sample(path, rows=200_000, seed=4)
    return path


if __name__ == "__main__":
    sys.exit(main())
