"""The API's app factory: ``create_app()`` is what uvicorn, tests and ``bgc api`` run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig

from bgc_api.health import HealthController
from bgc_api.problems import handle_http_exception, handle_unexpected
from bgc_pipeline import db
from bgc_pipeline.settings import Settings, load_settings


def create_app(settings: Settings | None = None, database_url: str | None = None) -> Litestar:
    """Build the API. The pool opens at startup and closes at shutdown."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def database_pool(app: Litestar) -> AsyncIterator[None]:
        url = database_url or db.server_url(settings)
        app.state.engine = db.create_engine(url, pool_size=settings.api_pool_size)
        try:
            yield
        finally:
            app.state.engine.dispose()

    return Litestar(
        route_handlers=[HealthController],
        lifespan=[database_pool],
        exception_handlers={HTTPException: handle_http_exception, Exception: handle_unexpected},
        openapi_config=OpenAPIConfig(title="BGC Analytics API", version="1.0.0"),
    )
