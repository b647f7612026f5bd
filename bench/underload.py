"""Under load: concurrent clients on a mix of endpoints while a yearly file is reloaded
and the views refresh, over and over.

Every answer is kept as the figures needed to check it: its status, the data version it
names (``updatedAt``) and its total (a ranking's items summed, a summary's total, a
series' months summed). The result counts 5xx answers and, for every data version that
both a complete ranking and the matching ``/resumo`` were answered at, whether the
ranking's items sum to that total. A load and a refresh change the totals (each reload
alternates two versions of the year), so an answer built from one version's figures and
named after another shows up as a mismatch.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.history import revise
from bgc_core import views
from bgc_pipeline.ingest.history import Dimensions, write_year

YEARS = (2023, 2024, 2025)
RELOADED = 2024
MIN_CYCLES = 2
"""Reload-and-refresh cycles the clients outlast, however short ``seconds`` is: each
commits a new data version while they ask. A cycle took about a minute under 50 clients
(docs/benchmarks.md), so a 60-second run saw the first version only."""
LIMIT_S = 900.0
"""The clients stop by then even if the cycles have not finished (the result says how
many did)."""


@dataclass(frozen=True)
class Check:
    """A ranking whose items sum to a summary's total at the same data version."""

    ranking: str
    summary: str


CHECKS = [
    Check(f"/v1/metrics/pais?ano={RELOADED}&limit=1000", f"/v1/metrics/resumo?ano={RELOADED}"),
    Check(f"/v1/metrics/setor?ano={RELOADED}&limit=1000", f"/v1/metrics/resumo?ano={RELOADED}"),
    Check(f"/v1/metrics/sh2?ano={RELOADED}&mes_ate=12&limit=1000",
          f"/v1/metrics/resumo?ano={RELOADED}"),
    Check(f"/v1/metrics/uf?ano={RELOADED}&mes_ate=12&limit=1000",
          f"/v1/metrics/resumo?ano={RELOADED}"),
    Check(f"/v1/metrics/serie?ano={RELOADED}", f"/v1/metrics/resumo?ano={RELOADED}"),
    Check("/v1/metrics/pais?limit=1000", "/v1/metrics/resumo"),
    Check("/v1/metrics/setor?limit=1000", "/v1/metrics/resumo"),
    Check(f"/v1/metrics/uf?ano={RELOADED}&pais=China&mes_ate=12&limit=1000",
          f"/v1/metrics/resumo?ano={RELOADED}&pais=China"),
]  # fmt: skip
OTHERS = [
    f"/v1/metrics/concentracao?ano={RELOADED}",
    f"/v1/metrics/variacao/sh4?ano={RELOADED}&limit=5",
    "/v1/metrics/serie?periodo=12meses",
    "/v1/metrics/ncm?limit=20",
]
MIX = sorted({*(c.ranking for c in CHECKS), *(c.summary for c in CHECKS), *OTHERS})


def total_of(body: dict[str, Any]) -> Decimal | None:
    """The total an answer carries: a summary's, or its items' sum."""
    if "totalUsd" in body:
        return Decimal(str(body["totalUsd"]))
    if "items" in body and "totalUsd" in (body["items"] or [{}])[0]:
        return sum((Decimal(str(i["totalUsd"])) for i in body["items"]), Decimal(0))
    return None


@dataclass
class Seen:
    statuses: dict[int, int]
    latencies_ms: list[float]
    totals: dict[tuple[str, str], set[Decimal]]
    """(path, version) -> the totals answered for it (one, when consistent)."""


async def _client(host: str, port: int, offset: int, done: Callable[[], bool], seen: Seen) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    turn = offset
    try:
        while not done():
            path = MIX[turn % len(MIX)]
            turn += 1
            request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bgc-bench\r\n\r\n"
            started = time.perf_counter()
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length) if length else b""
            seen.latencies_ms.append((time.perf_counter() - started) * 1000)
            seen.statuses[status] = seen.statuses.get(status, 0) + 1
            if status == 200:
                answer = json.loads(body)
                total = total_of(answer)
                if total is not None:
                    seen.totals[(path, answer["updatedAt"])].add(total)
    finally:
        writer.close()


async def _clients(port: int, clients: int, done: Callable[[], bool]) -> Seen:
    seen = Seen({}, [], defaultdict(set))
    await asyncio.gather(*(_client("127.0.0.1", port, i, done, seen) for i in range(clients)))
    return seen


def _until(seconds: float, cycles: list[float]) -> Callable[[], bool]:
    """Done once ``seconds`` have passed and ``MIN_CYCLES`` cycles have finished, or at
    ``LIMIT_S``."""
    started = time.perf_counter()

    def done() -> bool:
        elapsed = time.perf_counter() - started
        return elapsed >= LIMIT_S or (elapsed >= seconds and len(cycles) >= MIN_CYCLES)

    return done


def _reloads(
    url: str, path: Path, cli_load: Callable[[str, Path], tuple[float, float]],
    stop: threading.Event, done: list[float],
) -> None:  # fmt: skip
    """Revise and reload the year, then refresh every view, until told to stop."""
    while not stop.is_set():
        started = time.perf_counter()
        revise(path)
        cli_load(url, path)
        views.refresh_all(url)
        done.append(round(time.perf_counter() - started, 2))


def consistency(seen: Seen) -> dict[str, Any]:
    """Rankings against summaries at each version both were answered at."""
    compared = mismatched = 0
    examples: list[str] = []
    versions = {version for _, version in seen.totals}
    for check in CHECKS:
        for version in versions:
            ranking = seen.totals.get((check.ranking, version))
            summary = seen.totals.get((check.summary, version))
            if not ranking or not summary:
                continue
            compared += 1
            if len(ranking) > 1 or len(summary) > 1 or ranking != summary:
                mismatched += 1
                if len(examples) < 5:
                    examples.append(f"{check.ranking} at {version}: {ranking} vs {summary}")
    unstable = sum(1 for totals in seen.totals.values() if len(totals) > 1)
    return {
        "versions_seen": len(versions),
        "pairs_compared": compared,
        "pairs_mismatched": mismatched,
        "answers_with_two_totals_at_one_version": unstable,
        "examples": examples,
    }


def bench_under_load(
    url: str,
    work: Path,
    rows_per_year: int,
    clients: int,
    seconds: float,
    cli_load: Callable[[str, Path], tuple[float, float]],
    api_port: Callable[[], int],
) -> dict[str, Any]:
    dims = Dimensions.official()
    reloaded = None
    for year in YEARS:
        made = write_year(work, year, rows_per_year, dims, seed=7)
        cli_load(url, made.path)
        if year == RELOADED:
            reloaded = made.path
        else:
            made.path.unlink()
    views.refresh_all(url)
    assert reloaded is not None
    stop = threading.Event()
    cycles: list[float] = []
    reloader = threading.Thread(target=_reloads, args=(url, reloaded, cli_load, stop, cycles))
    reloader.start()
    started = time.perf_counter()
    try:
        seen = asyncio.run(_clients(api_port(), clients, _until(seconds, cycles)))
    finally:
        elapsed = time.perf_counter() - started
        stop.set()
        reloader.join()
    ordered = sorted(seen.latencies_ms)
    server_errors = sum(n for status, n in seen.statuses.items() if status >= 500)
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "min_seconds": seconds,
        "rows_per_year": rows_per_year,
        "requests": len(ordered),
        "rps": round(len(ordered) / elapsed),
        "p50_ms": round(ordered[len(ordered) // 2], 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)], 1),
        "statuses": {str(k): v for k, v in sorted(seen.statuses.items())},
        "server_errors": server_errors,
        "reload_and_refresh_cycles_s": cycles,
        "consistency": consistency(seen),
    }
