"""Liveness and readiness, as the Kubernetes probes expect them."""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from bgc_api.problems import problem
from bgc_api.repository import DatabaseDown, Repository
from bgc_api.schemas import problem_answer
from bgc_core.views import READ_VIEWS

READY_TIMEOUT_S = 3.0
"""A probe answers within this, whatever the database does (its timeout is usually 1-5 s)."""


def readiness(repository: Repository) -> str | None:
    """``None`` when the database answers and every report view is populated, else the reason."""
    try:
        missing = repository.unpopulated_views(READ_VIEWS)
    except DatabaseDown as exc:
        cause = exc.__cause__
        origin = getattr(cause, "orig", None) or cause or exc
        return f"database unreachable: {type(origin).__name__}"
    if missing:
        return f"report views not populated (run `bgc db migrate`): {', '.join(missing)}"
    return None


@get("/health", operation_id="health", summary="Liveness: the process answers", tags=["health"])
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get(
    "/ready",
    operation_id="ready",
    summary="Readiness: the database answers and the report views are populated",
    tags=["health"],
    responses={
        200: ResponseSpec(
            data_container=dict[str, str], description="Ready to serve.", generate_examples=False
        ),
        503: problem_answer("Not ready: the reason is in `detail`."),
    },
)
async def ready(repository: NamedDependency[Repository]) -> Response[Any]:
    """The query runs in a worker thread: a slow database never holds up the event loop."""
    reason: str | None = f"database did not answer within {READY_TIMEOUT_S:g} s"
    with anyio.move_on_after(READY_TIMEOUT_S):
        reason = await anyio.to_thread.run_sync(readiness, repository, abandon_on_cancel=True)
    if reason:
        return problem(503, reason)
    return Response({"status": "ready"})
