"""Request observability: one JSON log line per request, Prometheus metrics, trace ids.

Built on Litestar's own hooks: ``before_request`` notes when a routed request starts,
and ``before_send`` sees every answer, routed or not (404, 405), so each is counted,
tagged with its ``X-Request-ID`` and logged exactly once. HEAD answers lose their body
here (the GET handler answers them).
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
from typing import Any, cast
from urllib.parse import parse_qsl

from litestar import Request
from litestar.types import HTTPScope, Message, Scope
from prometheus_client import CollectorRegistry, Counter, Histogram

SERVICE = "bgc-api"
REQUEST_ID_HEADER = b"x-request-id"
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_QUERY_VALUE_MAX = 100
_STARTED = "bgc.started"
_STATUS = "bgc.status"
_REQUEST_ID = "bgc.request_id"


class Metrics:
    """The API's metric names, in a registry of the app's own (no global state)."""

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


class Observability:
    """The two hooks, sharing the metrics, the known routes and the access log."""

    def __init__(self, metrics: Metrics, known_paths: set[str], access_log: bool = True) -> None:
        self.metrics = metrics
        self.known_paths = known_paths
        self.log = access_logger() if access_log else None

    async def before_request(self, request: Request[Any, Any, Any]) -> None:
        """Async, as a sync hook would run in a worker thread for every request."""
        request.scope["state"][_STARTED] = time.perf_counter()

    async def before_send(self, message: Message, scope: Scope) -> None:
        if scope["type"] != "http":
            return
        self._on_http_message(message, cast("HTTPScope", scope))

    def _on_http_message(self, message: Message, scope: HTTPScope) -> None:
        state = scope["state"]
        method = scope["method"]
        if message["type"] == "http.response.start":
            state.setdefault(_STARTED, time.perf_counter())  # unrouted: no before_request
            state[_STATUS] = message["status"]
            state[_REQUEST_ID] = trace_id(scope["headers"])
            message["headers"] = [
                *message.get("headers", []),
                (REQUEST_ID_HEADER, state[_REQUEST_ID].encode()),
            ]
        elif message["type"] == "http.response.body":
            if method == "HEAD":
                message["body"] = b""
            if not message.get("more_body", False):
                self._record(scope, state)

    def _record(self, scope: HTTPScope, state: dict[str, Any]) -> None:
        path = scope["path"]
        endpoint = path if path in self.known_paths else "unmatched"
        status = state.get(_STATUS, 500)
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
                    "duration_ms": round((time.perf_counter() - state[_STARTED]) * 1000, 3),
                    "status": status,
                    "user_agent": headers.get(b"user-agent", b"").decode("latin-1")[:200],
                    "query_params": query,
                    "trace_id": state[_REQUEST_ID],
                },
                ensure_ascii=False,
            )
        )
