"""The API's app factory: ``create_app()`` is what uvicorn, the tests and ``bgc api`` run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import get_args

from litestar import Litestar, Response, get, route
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.enums import HttpMethod
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler, Guard, Middleware
from litestar.utils import is_async_callable
from prometheus_client import generate_latest
from swagger_ui_bundle import swagger_ui_path

from bgc_api.analytics import SPILL, Analytics, Prefetcher, SnapshotCache
from bgc_api.cache import DataVersion, ResponseCache
from bgc_api.codes import CodeDimension, codes_router
from bgc_api.comexstat import ROUTES as COMEXSTAT_ROUTES
from bgc_api.comexstat import comexstat_router
from bgc_api.dashboard import assets, dashboard_router
from bgc_api.health import health, ready
from bgc_api.metrics import HANDLERS as METRIC_HANDLERS
from bgc_api.metrics import ROUTES as METRIC_ROUTES
from bgc_api.metrics import metrics_router, only_known_parameters
from bgc_api.observability import Metrics, Observability
from bgc_api.problems import handle_database_down, handle_http_exception, handle_unexpected
from bgc_api.repository import DatabaseDown, Repository
from bgc_api.schemas import DecimalAsNumber
from bgc_core import db
from bgc_core.settings import Settings, load_settings

SWAGGER_ASSETS = "/schema/assets"
PROMETHEUS_TEXT = "text/plain; version=0.0.4"


@get(
    "/prometheus",
    operation_id="prometheus",
    summary="Prometheus metrics (text exposition format)",
    tags=["operations"],
    sync_to_thread=False,
    media_type=PROMETHEUS_TEXT,
)
def prometheus(metrics: NamedDependency[Metrics]) -> Response[bytes]:
    return Response(generate_latest(metrics.registry), media_type=PROMETHEUS_TEXT)


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


def head_twin(
    handler: HTTPRouteHandler, prefix: str = "", guards: list[Guard] | None = None
) -> HTTPRouteHandler:
    """A HEAD route on the same paths, function and dependencies as a GET handler, left out
    of the OpenAPI document; the observability hook drops the body of its answers."""
    return route(
        [f"{prefix}{path}" for path in sorted(handler.paths)],
        http_method=HttpMethod.HEAD,
        include_in_schema=False,
        name=f"head:{prefix}{handler.handler_name}",
        sync_to_thread=None if is_async_callable(handler.fn) else False,
        guards=guards,
        dependencies=handler.dependencies,
    )(handler.fn)


def _head_routes(prefixes: Iterable[str]) -> list[HTTPRouteHandler]:
    twins = [head_twin(handler) for handler in (health, ready, prometheus)]
    for prefix in prefixes:
        twins += [
            head_twin(handler, f"{prefix}/metrics", guards=[only_known_parameters])
            for handler in METRIC_HANDLERS
        ]
    return twins


def _state_dependency(name: str) -> Provide:
    def provide(state: State) -> object:
        return state[name]

    return Provide(provide, sync_to_thread=False)


NOT_LIMITED = ["^/health$", "^/ready$", "^/prometheus$", "^/schema", "^/$", "^/painel"]
"""Probes, scrapes, docs and the dashboard's page: a busy API must still look alive to
Kubernetes (the dashboard's data calls count like any other client's)."""


def _rate_limit(settings: Settings) -> list[Middleware]:
    """Per client address, over the metrics routes; none when the setting is 0."""
    if not settings.api_rate_limit_per_minute:
        return []
    excluded = NOT_LIMITED if settings.comexstat_rate_limited else [*NOT_LIMITED, "^/comexstat"]
    config = RateLimitConfig(
        rate_limit=("minute", settings.api_rate_limit_per_minute), exclude=excluded
    )
    return [config.middleware]


def create_app(
    settings: Settings | None = None, database_url: str | None = None, access_log: bool = True
) -> Litestar:
    """Build the API. The pool and the data-version listener live from startup to shutdown."""
    settings = settings or load_settings()
    metrics = Metrics()
    prefixes = ("/v1", "")
    known = {"/health", "/ready", "/prometheus"}
    known |= {f"{p}/metrics/{r}" for p in prefixes for r in METRIC_ROUTES}
    known |= {f"/v1/codigos/{d}" for d in get_args(CodeDimension)}
    known |= {"/", "/painel"} | {f"/painel/assets/{name}" for name in assets()}
    known |= {f"/comexstat{route}" for route in COMEXSTAT_ROUTES}
    observability = Observability(metrics, known, access_log=access_log)

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        url = database_url or db.server_url(settings)
        engine = db.create_engine(
            url,
            pool_size=settings.api_pool_size,
            statement_timeout_ms=settings.api_statement_timeout_ms,
        )
        analytics = Analytics(
            settings.api_duckdb_threads,
            settings.api_duckdb_memory_mb,
            metrics.observe_query,
            timeout_ms=settings.api_statement_timeout_ms,
            spill=settings.snapshot_cache / SPILL,
        )
        repository = Repository(
            engine,
            analytics,
            SnapshotCache(settings.snapshot_cache),
            metrics.observe_query,
            timeout_ms=settings.api_statement_timeout_ms,
        )
        prefetch = Prefetcher(repository)
        version = DataVersion(url, on_change=prefetch.request)
        version.start()
        version.wait_until_read(timeout=1)
        app.state.update(
            comexstat_max_rows=settings.comexstat_max_rows,
            repository=repository,
            data_version=version,
            cache=ResponseCache(),
        )
        try:
            yield
        finally:
            version.stop()
            prefetch.stop()
            engine.dispose()
            analytics.close()

    handlers: list[ControllerRouterHandler] = [
        health,
        ready,
        prometheus,
        metrics_router("/v1"),
        metrics_router("/", include_in_schema=False),
        codes_router(),
        comexstat_router(),
        dashboard_router(),
        *_head_routes(prefixes),
        create_static_files_router(
            SWAGGER_ASSETS, directories=[swagger_ui_path], include_in_schema=False
        ),
    ]
    return Litestar(
        route_handlers=handlers,
        dependencies={
            "repository": _state_dependency("repository"),
            "data_version": _state_dependency("data_version"),
            "cache": _state_dependency("cache"),
            "metrics": _state_dependency("metrics"),
        },
        lifespan=[database],
        middleware=_rate_limit(settings),
        before_request=observability.before_request,
        before_send=[observability.before_send],
        exception_handlers={
            DatabaseDown: handle_database_down,
            HTTPException: handle_http_exception,
            Exception: handle_unexpected,
        },
        openapi_config=_openapi(),
        plugins=[DecimalAsNumber()],
        state=State({"metrics": metrics, "landing_dir": str(settings.landing_dir)}),
    )
