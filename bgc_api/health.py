"""Liveness and readiness, as the Kubernetes probes expect them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec

from bgc_api.problems import PROBLEM_MEDIA_TYPE, problem
from bgc_api.repository import QUERIES
from bgc_api.schemas import Problem
from bgc_pipeline.refresh import VIEWS_IN_ORDER

REPORT_VIEWS = VIEWS_IN_ORDER


def readiness(engine: sa.Engine) -> str | None:
    """``None`` when the database answers and every report view is populated, else the reason."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(QUERIES["readiness"], {"names": list(REPORT_VIEWS)}).all()
    except sa.exc.SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        return f"database unreachable: {type(cause).__name__}"
    populated = {name for name, ok in rows if ok}
    missing = [name for name in REPORT_VIEWS if name not in populated]
    if missing:
        return f"report views not populated (run `bgc db migrate`): {', '.join(missing)}"
    return None


class HealthController(Controller):
    tags = ("health",)

    @get("/health", operation_id="health", summary="Liveness: the process answers")
    async def health(self) -> dict[str, str]:
        return {"status": "ok"}

    @get(
        "/ready",
        operation_id="ready",
        summary="Readiness: the database answers and the report views are populated",
        sync_to_thread=False,
        responses={
            200: ResponseSpec(data_container=dict[str, str], description="Ready to serve."),
            503: ResponseSpec(
                data_container=Problem,
                description="Not ready: the reason is in `detail`.",
                media_type=PROBLEM_MEDIA_TYPE,
                generate_examples=False,
            ),
        },
    )
    def ready(self, state: State) -> Response[Any]:
        reason = readiness(state.engine)
        if reason:
            return problem(503, reason)
        return Response({"status": "ready"})
