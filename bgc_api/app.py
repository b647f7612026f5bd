"""The API's app factory: ``create_app()`` is what uvicorn, the tests and ``bgc api`` run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Response, Router, get
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Schema
from litestar.static_files import create_static_files_router
from prometheus_client import generate_latest
from swagger_ui_bundle import swagger_ui_path

from bgc_api.cache import DataVersion, ResponseCache
from bgc_api.health import HealthController
from bgc_api.metrics import MetricsController
from bgc_api.observability import Metrics, ObservedApp
from bgc_api.problems import handle_database_down, handle_http_exception, handle_unexpected
from bgc_api.repository import DatabaseDown, Repository
from bgc_pipeline import db
from bgc_pipeline.settings import Settings, load_settings

SWAGGER_ASSETS = "/schema/assets"
METRIC_ROUTES = ("resumo", "pais", "setor", "serie")
CSV_ROUTES = ("pais", "setor", "serie")
PROMETHEUS_TEXT = "text/plain; version=0.0.4"


@get(
    "/prometheus",
    operation_id="prometheus",
    summary="Prometheus metrics (text exposition format)",
    tags=["operations"],
    sync_to_thread=False,
    media_type=PROMETHEUS_TEXT,
)
def prometheus(state: State) -> Response[bytes]:
    return Response(generate_latest(state.metrics.registry), media_type=PROMETHEUS_TEXT)


def _openapi() -> OpenAPIConfig:
    swagger = SwaggerRenderPlugin(
        js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
        css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
        path="/",
        favicon="<link rel='icon' href='data:,'>",  # the default points at a CDN
    )
    return OpenAPIConfig(
        title="BGC Analytics API",
        version="1.0.0",
        description="Brazilian export statistics (Comex Stat): FOB value in USD and net weight "
        "in kg by year, month, destination country and sector. JSON in camelCase; "
        "`?format=csv` on list endpoints.",
        path="/schema",
        render_plugins=[swagger],
    )


def document_csv_answers(app: Litestar) -> None:
    """Add ``text/csv`` to the 200 answer of the list routes in the OpenAPI document.

    ``ResponseSpec`` declares one media type per status; these routes answer two.
    """
    assert app.openapi_schema.paths is not None
    for route in CSV_ROUTES:
        operation = app.openapi_schema.paths[f"/v1/metrics/{route}"].get
        assert operation is not None and operation.responses is not None
        answer = operation.responses["200"]
        if isinstance(answer, OpenAPIResponse) and answer.content is not None:
            answer.content["text/csv"] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))


def create_app(
    settings: Settings | None = None, database_url: str | None = None, access_log: bool = True
) -> ObservedApp:
    """Build the API. The pool and the data-version listener live from startup to shutdown."""
    settings = settings or load_settings()
    metrics = Metrics()

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        url = database_url or db.server_url(settings)
        engine = db.create_engine(url, pool_size=settings.api_pool_size)
        version = DataVersion(url)
        version.start()
        version.wait_until_read(timeout=1)
        app.state.update(
            engine=engine,
            repository=Repository(engine, metrics.observe_query),
            version=version,
            cache=ResponseCache(),
            metrics=metrics,
        )
        try:
            yield
        finally:
            version.stop()
            engine.dispose()

    app = Litestar(
        route_handlers=[
            HealthController,
            prometheus,
            Router("/v1", route_handlers=[MetricsController]),
            Router("/", route_handlers=[MetricsController], include_in_schema=False),
            create_static_files_router(
                SWAGGER_ASSETS, directories=[swagger_ui_path], include_in_schema=False
            ),
        ],
        lifespan=[database],
        on_startup=[document_csv_answers],
        exception_handlers={
            DatabaseDown: handle_database_down,
            HTTPException: handle_http_exception,
            Exception: handle_unexpected,
        },
        openapi_config=_openapi(),
    )
    known = {
        "/health",
        "/ready",
        "/prometheus",
        *(f"{p}/metrics/{r}" for p in ("", "/v1") for r in METRIC_ROUTES),
    }
    return ObservedApp(app, metrics, known, access_log=access_log)
