"""Request observability: one JSON log line per request, Prometheus metrics, trace ids.

Implemented as an ASGI wrapper around the whole app so that every answer, routed
or not (404, 405), is counted and logged exactly once.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from litestar.types import ASGIApp, Message, Receive, Send
from prometheus_client import CollectorRegistry, Counter, Histogram

SERVICE = "bgc-api"
REQUEST_ID_HEADER = b"x-request-id"
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_QUERY_VALUE_MAX = 100


class Metrics:
    """The seed's metric names, in a registry of the app's own (no global state)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "bgc_http_requests_total",
            "HTTP requests answered, by route template, method and status.",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.query_duration = Histogram(
            "bgc_query_duration_seconds",
            "Duration of database queries, by query name.",
            ["query_type"],
            registry=self.registry,
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )

    def observe_query(self, name: str, seconds: float) -> None:
        self.query_duration.labels(name).observe(seconds)


def access_logger() -> logging.Logger:
    """A logger writing the JSON lines as they are, to standard output."""
    logger = logging.getLogger("bgc.api.access")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def trace_id(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """From ``traceparent`` (W3C), else ``X-Request-ID`` when well-formed, else a new id."""
    found = dict(headers)
    parent = _TRACEPARENT.match(found.get(b"traceparent", b"").decode("latin-1"))
    if parent:
        return parent.group(1)
    given = found.get(REQUEST_ID_HEADER, b"").decode("latin-1")
    return given if _SAFE_ID.match(given) else uuid.uuid4().hex


class ObservedApp:
    """Wraps the Litestar app: times, counts and logs each HTTP request."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, known_paths: set[str], access_log: bool = True
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.known_paths = known_paths
        self.log = access_logger() if access_log else None

    def __getattr__(self, name: str) -> Any:  # the test client and servers see the Litestar app
        return getattr(self.app, name)

    async def __call__(self, scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = trace_id(scope["headers"])
        head = scope["method"] == "HEAD"
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER, request_id.encode()),
                ]
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}  # HEAD: the GET answer's headers, no body
            await send(message)

        try:
            routed: Any = {**scope, "method": "GET"} if head else scope
            await self.app(routed, receive, send_with_id)
        finally:
            self._record(scope, status, started, request_id)

    def _record(self, scope: Any, status: int, started: float, request_id: str) -> None:
        path = scope["path"]  # the original scope: HEAD is logged as HEAD
        endpoint = path if path in self.known_paths else "unmatched"
        self.metrics.requests.labels(endpoint, scope["method"], str(status)).inc()
        if self.log is None:
            return
        headers = dict(scope["headers"])
        query = {
            k: v[:_QUERY_VALUE_MAX]
            for k, v in parse_qsl(
                scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
            )
        }
        self.log.info(
            json.dumps(
                {
                    "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "level": "INFO" if status < 500 else "ERROR",
                    "service": SERVICE,
                    "endpoint": endpoint,
                    "method": scope["method"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                    "status": status,
                    "user_agent": headers.get(b"user-agent", b"").decode("latin-1")[:200],
                    "query_params": query,
                    "trace_id": request_id,
                },
                ensure_ascii=False,
            )
        )
