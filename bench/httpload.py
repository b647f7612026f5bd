"""A small keep-alive HTTP/1.1 load generator on asyncio (no dependencies).

Each of ``concurrency`` connections sends GET requests back to back for
``seconds``; the result is throughput and latency percentiles. Requests are bounded
in count and time and go to loopback only.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

MAX_REQUESTS = 2_000_000


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


async def _worker(
    host: str, port: int, path: str, deadline: float, out: list[float], errors: list[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bgc-bench\r\n\r\n".encode()
    try:
        while time.perf_counter() < deadline and len(out) < MAX_REQUESTS:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            status = int(head[9:12])
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            out.append((time.perf_counter() - started) * 1000)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


async def _run(host: str, port: int, path: str, concurrency: int, seconds: float) -> LoadResult:
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(_worker(host, port, path, deadline, latencies, errors) for _ in range(concurrency))
    )
    return LoadResult(len(latencies), len(errors), time.perf_counter() - started, latencies)


def load(host: str, port: int, path: str, concurrency: int, seconds: float) -> LoadResult:
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the load generator only targets loopback")
    return asyncio.run(_run(host, port, path, concurrency, seconds))
