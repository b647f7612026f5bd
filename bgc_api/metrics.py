"""The metrics endpoints: answers from the ``rpt`` views, cached per data version.

Each answer is a Struct of :mod:`bgc_api.schemas`, encoded once per data version and
kept as bytes; the ETag is the hash of those bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import anyio
import msgspec
from litestar import Request, Response, Router, get
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, Schema
from litestar.params import Parameter, QueryParameter

from bgc_api import balance
from bgc_api.cache import Cached, DataVersion, ResponseCache, etag_matches, etag_of
from bgc_api.parameters import (
    CSV,
    JSON,
    Format,
    Lang,
    Limit,
    MoversLimit,
    Offset,
    PeriodoParam,
    language,
    scope_dependency,
    serie_filters,
    wants_csv,
)
from bgc_api.repository import Dimension, Freshness, Repository, Scope, UnknownCode
from bgc_api.schemas import (
    ENCODER,
    Balanca,
    BalancaPage,
    ConcentracaoBody,
    DimensaoPage,
    PaisPage,
    Serie,
    SetorPage,
    Variacao,
    answers,
)
from bgc_api.schemas import Resumo as ResumoBody
from bgc_core.domain import EXPORTS, IMPORTS

RANKING_CSV = [
    "totalUsd", "totalKg", "participacaoPct", "variacaoPct", "usdPorKg", "anos", "codigo", "nome",
]  # fmt: skip
SERIE_CSV = ["ano", "mes", "totalUsd", "totalKg"]
DIMENSION_CSV = [
    "codigo", "nome", "totalUsd", "totalKg", "participacaoPct", "variacaoPct", "usdPorKg",
]  # fmt: skip
RESUMO_CSV = ["totalUsd", "totalKg", "paisesCount", "setoresCount", "anos", "dataThrough"]
COSTS_CSV = ["freteUsd", "seguroUsd", "cifUsd"]
"""The columns an import answer adds (``fluxo=importacao``)."""
BALANCA_CSV = [
    "ano", "mes", "exportacaoUsd", "importacaoUsd", "saldoUsd", "correnteUsd",
    "exportacaoVariacaoPct", "importacaoVariacaoPct", "saldoVariacaoPct", "correnteVariacaoPct",
]  # fmt: skip
BALANCA_RANKING_CSV = [
    "codigo", "nome", "exportacaoUsd", "importacaoUsd", "saldoUsd", "correnteUsd",
]  # fmt: skip
BALANCE_DIMENSIONS = ("pais", "uf", "ncm", "sh4")
CONCENTRACAO_CSV = ["grupo", "hhi", "top1Pct", "top5Pct", "itens", "de", "ate"]
VARIACAO_CSV = [
    "sentido", "codigo", "nome", "totalUsd", "totalUsdAnterior", "diferencaUsd", "variacaoPct",
]  # fmt: skip
OFFICIAL_DIMENSIONS = {
    "uf": "States of origin (UF)",
    "via": "Transport modes (via)",
    "urf": "Customs units of clearance (URF)",
    "ncm": "Products at NCM level (8 digits)",
    "sh6": "HS subheadings (SH6, the first 6 digits of the NCM)",
    "sh4": "HS headings (SH4)",
    "sh2": "HS chapters (SH2)",
    "fator": "Products by fator agregado (basic, semi-manufactured, manufactured)",
    "cgce": "Products by broad economic category (CGCE level 1)",
    "cuci": "Products by SITC section (CUCI)",
}
"""Dimensions ranked from the per-year sums by official code (rpt.mv_exportacao_dimensao)."""
RANKED_DIMENSIONS = {
    **OFFICIAL_DIMENSIONS,
    "bloco": "Economic blocs (a country counts in each of its blocs, so shares overlap)",
}

Build = Callable[[Repository, Freshness], tuple[bytes, str]]


@dataclass
class CsvOperation(Operation):
    """An operation whose 200 answer is JSON or, with ``format=csv``, CSV text.

    ``ResponseSpec`` declares one media type per status; this adds the second.
    """

    def __post_init__(self) -> None:
        answer = (self.responses or {}).get("200")
        content = getattr(answer, "content", None)
        if content is not None:
            content[CSV] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))


def to_csv(columns: Sequence[str], items: Sequence[msgspec.Struct]) -> bytes:
    """The items as CSV with the given (camelCase) columns."""
    rows = []
    for item in items:
        fields = {f.encode_name: f.name for f in msgspec.structs.fields(item)}
        rows.append([getattr(item, fields[column]) for column in columns])
    return csv_text(columns, rows)


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """CSV with a header line; ``None`` is an empty field, a list its values joined by ``;``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for values in rows:
        writer.writerow(
            [";".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v)
             for v in values]
        )  # fmt: skip
    return buffer.getvalue().encode("utf-8")


PAGES: dict[Dimension, Callable[..., msgspec.Struct]] = {"pais": PaisPage, "setor": SetorPage}


def columns_for(scope: Scope, columns: Sequence[str]) -> list[str]:
    """A CSV's columns, with freight, insurance and CIF for imports."""
    return [*columns, *(COSTS_CSV if scope.fluxo == IMPORTS else [])]


def ranking(
    dimension: Dimension, scope: Scope, limit: int, offset: int, csv_wanted: bool, lang: str
) -> Build:
    """How to build one page of a ranking: its items as CSV, or the page as JSON."""

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        items, total = repo.ranked_items(dimension, repo.resolve(scope), limit, offset, lang)
        if csv_wanted:
            return to_csv(columns_for(scope, [dimension, *RANKING_CSV]), items), CSV
        page = PAGES[dimension](
            items, total, limit, offset, freshness.updated_at, freshness.data_through,
            scope.present(),
        )  # fmt: skip
        return ENCODER.encode(page), JSON

    return build


async def answer(
    request: Request[Any, Any, Any],
    csv_wanted: bool,
    build: Build,
    variant: str = "",
    fluxo: str = EXPORTS,
) -> Response[bytes]:
    """The cached bytes for this request and data version, or new ones built in a thread
    (``variant``: what else the answer depends on, such as the language of names;
    ``fluxo``: the flow whose latest month the answer names).

    The data version, the cache and the repository come from the app's state rather than
    as injected dependencies: with the scope as a handler's only dependency, Litestar
    resolves it without a task group, which measurably slowed every cached answer
    (docs/benchmarks.md)."""
    state = request.app.state
    data_version: DataVersion = state.data_version
    cache: ResponseCache = state.cache
    repository: Repository = state.repository
    key = (request.url.path.removeprefix("/v1"), request.url.query, csv_wanted, variant)
    cached = cache.get(data_version.current, key)
    if cached is None:
        try:
            body, media, version = await anyio.to_thread.run_sync(
                _in_one_snapshot, build, repository, fluxo
            )
        except UnknownCode as exc:
            raise ValidationException(
                extra=[{"key": exc.parameter, "reason": f"unknown code {exc.value!r}",
                        "source": "query"}]
            ) from None  # fmt: skip
        cached = Cached(body, media, etag_of(body))
        if data_version.current == version:  # the listener has seen this version: kept
            cache.put(version, key, cached)
    headers = {"ETag": cached.etag, "Cache-Control": "no-cache"}
    if etag_matches(request.headers.get("if-none-match"), cached.etag):
        return Response(b"", status_code=304, headers=headers)
    return Response(cached.body, media_type=cached.media_type, headers=headers)


def _in_one_snapshot(
    build: Build, repository: Repository, fluxo: str = EXPORTS
) -> tuple[bytes, str, str | None]:
    """The answer built from one database snapshot, and the data version it names."""
    with repository.snapshot(fluxo) as freshness:
        body, media = build(repository, freshness)
    return body, media, freshness.updated_at


SCOPE_DESCRIPTION = (
    " Filters are optional and combine: `ano`, `mes_de`..`mes_ate` (months of each year), "
    "`pais` (name, Comex Stat or ISO3 code), `bloco`, `uf`, `via`, `urf`, `ncm` (a prefix of "
    "2, 4, 6 or 8 digits) and `setor`. A code no table knows is a 400 naming the parameter."
)
"""The filters of the balance, which covers both flows."""
FILTERS_DESCRIPTION = (
    SCOPE_DESCRIPTION + " `fluxo=importacao` answers for imports (default `exportacao`)."
)


@get(
    "/resumo",
    dependencies={"asked": scope_dependency()},
    operation_id="getResumo",
    responses=answers(ResumoBody, "Totals for the scope (`format=csv`: one row of totals)."),
    operation_class=CsvOperation,
    summary="Totals for the filtered scope",
    description="Total FOB value (USD) and net weight (kg), countries and sectors counted, "
    "years present." + FILTERS_DESCRIPTION,
)
async def resumo(
    request: Request[Any, Any, Any],
    asked: NamedDependency[Scope],
    fmt: Format = None,
) -> Response[bytes]:
    scope = asked
    csv_wanted = wants_csv(request, fmt)

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        found = repo.resumo(repo.resolve(scope), freshness)
        if csv_wanted:
            return to_csv(columns_for(scope, RESUMO_CSV), [found]), CSV
        found.filters = scope.present()
        return ENCODER.encode(found), JSON

    return await answer(request, csv_wanted, build, fluxo=scope.fluxo)


@get(
    "/pais",
    dependencies={"asked": scope_dependency("pais")},
    operation_id="getPais",
    responses=answers(PaisPage, "One page of countries (`format=csv`: the items as CSV)."),
    operation_class=CsvOperation,
    summary="Destination countries ranked by FOB value",
    description="Each country's totals, its share of the filtered total (`participacaoPct`, "
    "the full list sums to 100), year-over-year growth of the reference year (`ano`, else "
    "the latest) over the same months (`variacaoPct`) and unit value (`usdPorKg`), with its "
    "Comex Stat code and its name in the language asked for." + FILTERS_DESCRIPTION,
)
async def pais(
    request: Request[Any, Any, Any],
    asked: NamedDependency[Scope],
    limit: Limit = 10,
    offset: Offset = 0,
    lang: Lang = None,
    fmt: Format = None,
) -> Response[bytes]:
    scope = asked
    csv_wanted = wants_csv(request, fmt)
    names = language(request, lang)
    build = ranking("pais", scope, limit, offset, csv_wanted, names)
    return await answer(request, csv_wanted, build, names, scope.fluxo)


@get(
    "/setor",
    dependencies={"asked": scope_dependency("setor")},
    operation_id="getSetor",
    responses=answers(SetorPage, "One page of sectors (`format=csv`: the items as CSV)."),
    operation_class=CsvOperation,
    summary="Sectors ranked by FOB value",
    description="The same figures as /pais, by sector (ISIC section of the NCM)."
    + FILTERS_DESCRIPTION,
)
async def setor(
    request: Request[Any, Any, Any],
    asked: NamedDependency[Scope],
    limit: Limit = 10,
    offset: Offset = 0,
    lang: Lang = None,
    fmt: Format = None,
) -> Response[bytes]:
    scope = asked
    csv_wanted = wants_csv(request, fmt)
    names = language(request, lang)
    build = ranking("setor", scope, limit, offset, csv_wanted, names)
    return await answer(request, csv_wanted, build, names, scope.fluxo)


@get(
    "/serie",
    dependencies={"asked": scope_dependency(provider=serie_filters)},
    operation_id="getSerie",
    responses=answers(Serie, "The monthly series (`format=csv`: the items as CSV)."),
    operation_class=CsvOperation,
    summary="Monthly series: monthly, year to date or rolling 12 months",
    description="FOB value and net weight per month (annual-only figures are left out), "
    "or summed from January (`periodo=acumulado`) or over the last 12 months "
    "(`periodo=12meses`). `ano` is one year (`ano_de` = `ano_ate`)." + FILTERS_DESCRIPTION,
)
async def serie(
    request: Request[Any, Any, Any],
    asked: NamedDependency[Scope],
    periodo: PeriodoParam = None,
    fmt: Format = None,
) -> Response[bytes]:
    scope = asked
    csv_wanted = wants_csv(request, fmt)
    echoed = {**scope.present(), **({"periodo": periodo} if periodo else {})}

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        items = repo.serie(repo.resolve(scope), periodo or "mensal")
        if csv_wanted:
            return to_csv(SERIE_CSV, items), CSV
        body = Serie(items, freshness.updated_at, freshness.data_through, echoed)
        return ENCODER.encode(body), JSON

    return await answer(request, csv_wanted, build, fluxo=scope.fluxo)


@get(
    "/concentracao",
    dependencies={"asked": scope_dependency()},
    operation_id="getConcentracao",
    responses=answers(
        ConcentracaoBody,
        "Concentration by country and by product (SH4) (`format=csv`: a row for each).",
    ),
    operation_class=CsvOperation,
    summary="Concentration of the value: HHI and top shares",
    description="The Herfindahl-Hirschman index (sum of the squared percentage shares, 0 to "
    "10,000) and the shares of the first and of the first five items, by destination country "
    "and by product heading (SH4), over the months of the reference year (`ano`, else the "
    "latest; `mes_de`..`mes_ate`)." + FILTERS_DESCRIPTION,
)
async def concentracao(
    request: Request[Any, Any, Any],
    asked: NamedDependency[Scope],
    fmt: Format = None,
) -> Response[bytes]:
    scope = asked
    csv_wanted = wants_csv(request, fmt)

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        found, periodo = repo.concentracao(repo.resolve(scope))
        if csv_wanted:
            de, ate = (periodo.de, periodo.ate) if periodo else (None, None)
            rows = [
                [grupo, c.hhi, c.top1_pct, c.top5_pct, c.itens, de, ate]
                for grupo, c in (("paises", found["pais"]), ("produtos", found["sh4"]))
            ]
            return csv_text(CONCENTRACAO_CSV, rows), CSV
        body = ConcentracaoBody(
            found["pais"], found["sh4"], periodo, freshness.updated_at, freshness.data_through,
            scope.present(),
        )  # fmt: skip
        return ENCODER.encode(body), JSON

    return await answer(request, csv_wanted, build, fluxo=scope.fluxo)


@get(
    "/balanca",
    dependencies={"asked": scope_dependency("fluxo")},
    operation_id="getBalanca",
    responses=answers(Balanca, "The trade balance (`format=csv`: the items as CSV)."),
    operation_class=CsvOperation,
    summary="Trade balance: exports, imports, balance and trade flow",
    description="Exports (`exportacaoUsd`), imports (`importacaoUsd`), the balance "
    "(`saldoUsd`, exports minus imports) and the trade flow (`correnteUsd`, exports plus "
    "imports), FOB in USD, for the scope; `items` per year, or per month of `ano`, each "
    "figure with its change over the same months of the year before. Sums the months of "
    "each flow's /serie for the same scope." + SCOPE_DESCRIPTION,
)
async def balanca(
    request: Request[Any, Any, Any],
    asked: NamedDependency[Scope],
    fmt: Format = None,
) -> Response[bytes]:
    scope = asked
    csv_wanted = wants_csv(request, fmt)

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        items = repo.balanca(repo.resolve(scope))
        if csv_wanted:
            return to_csv(BALANCA_CSV, items), CSV
        body = Balanca(
            *balance.totals(items), items, freshness.updated_at, repo.latest_month(freshness),
            scope.present(),
        )  # fmt: skip
        return ENCODER.encode(body), JSON

    return await answer(request, csv_wanted, build)


@get(
    "/balanca/{dimension:str}",
    dependencies={"asked": scope_dependency("fluxo")},
    operation_id="getBalancaRanking",
    responses=answers(BalancaPage, "Codes ranked by balance (`format=csv`: the items)."),
    operation_class=CsvOperation,
    summary="Partners, states and products ranked by trade balance or trade flow",
    description="Each country (`pais`: the partner, destination of exports and origin of "
    "imports), state (`uf`), NCM (`ncm`) or heading (`sh4`) with its exports, imports, "
    "balance and trade flow over the months of the reference year (`ano`, else the latest; "
    "`mes_de`..`mes_ate`), ranked by balance (`saldoUsd`, largest surplus first) or, with "
    "`ordem=corrente`, by trade flow." + SCOPE_DESCRIPTION,
)
async def balanca_ranking(
    request: Request[Any, Any, Any],
    dimension: Annotated[
        Literal["pais", "uf", "ncm", "sh4"], Parameter(description="The dimension ranked.")
    ],
    asked: NamedDependency[Scope],
    ordem: Annotated[
        Literal["saldo", "corrente"] | None,
        QueryParameter(description="`saldo` (default): by balance; `corrente`: by trade flow."),
    ] = None,
    limit: Limit = 10,
    offset: Offset = 0,
    lang: Lang = None,
    fmt: Format = None,
) -> Response[bytes]:
    scope = asked
    names = language(request, lang)
    csv_wanted = wants_csv(request, fmt)

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        items, total, periodo = repo.balanca_ranking(
            dimension, repo.resolve(scope), ordem or "saldo", limit, offset, names
        )
        if csv_wanted:
            return to_csv(BALANCA_RANKING_CSV, items), CSV
        page = BalancaPage(
            items, total, limit, offset, freshness.updated_at, repo.latest_month(freshness),
            scope.present(), periodo,
        )  # fmt: skip
        return ENCODER.encode(page), JSON

    return await answer(request, csv_wanted, build, names)


SELF_FILTERED = frozenset({"uf", "via", "urf", "bloco"})
"""Dimensions that take no filter of their own name (``uf`` on /uf); the product levels
take ``ncm``, the prefix within which they rank."""


def _dimension_route(dimension: str, title: str) -> HTTPRouteHandler:
    async def handler(
        request: Request[Any, Any, Any],
        asked: NamedDependency[Scope],
        limit: Limit = 10,
        offset: Offset = 0,
        lang: Lang = None,
        fmt: Format = None,
    ) -> Response[bytes]:
        scope = asked
        names = language(request, lang)
        csv_wanted = wants_csv(request, fmt)

        def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
            items, total, periodo, cobertura = repo.dimension_page(
                dimension, repo.resolve(scope), limit, offset, names
            )
            if csv_wanted:
                return to_csv(columns_for(scope, DIMENSION_CSV), items), CSV
            page = DimensaoPage(
                items, total, limit, offset, freshness.updated_at, freshness.data_through,
                scope.present(), periodo, cobertura,
            )  # fmt: skip
            return ENCODER.encode(page), JSON

        return await answer(request, csv_wanted, build, names, scope.fluxo)

    handler.__name__ = handler.__qualname__ = dimension
    return get(
        f"/{dimension}",
        dependencies={"asked": scope_dependency(dimension if dimension in SELF_FILTERED else None)},
        operation_id=f"get{dimension.capitalize()}",
        responses=answers(DimensaoPage, f"One page of {title.lower()} (`format=csv`: the items)."),
        operation_class=CsvOperation,
        summary=f"{title} ranked by FOB value",
        description="Each code's value over the months of the reference year (`ano`, else "
        "the latest; `mes_de`..`mes_ate`, by default from January to the latest month "
        "present), its share of the scope's whole value, growth over the same months of the "
        "year before and unit value. `periodo` names the months; `cobertura` is the share of "
        "the value that carries this code." + FILTERS_DESCRIPTION,
    )(handler)


MOVER_DIMENSIONS = ("pais", "setor", *OFFICIAL_DIMENSIONS)


@get(
    "/variacao/{dimension:str}",
    dependencies={"asked": scope_dependency()},
    operation_id="getVariacao",
    responses=answers(Variacao, "The biggest gains and losses (`format=csv`: gains, then losses)."),
    operation_class=CsvOperation,
    summary="Biggest movers: gains and losses in USD over the same months",
    description="For one dimension (pais, setor, uf, via, urf, ncm, sh6, sh4, sh2, fator, "
    "cgce, cuci), the "
    "`limit` items whose value grew most and fell most in USD between the months of the "
    "reference year (`ano`, else the latest; `mes_de`..`mes_ate`) and the same months of "
    "the year before." + FILTERS_DESCRIPTION,
)
async def variacao(
    request: Request[Any, Any, Any],
    dimension: Annotated[
        Literal[
            "pais",
            "setor",
            "uf",
            "via",
            "urf",
            "ncm",
            "sh6",
            "sh4",
            "sh2",
            "fator",
            "cgce",
            "cuci",
        ],
        Parameter(description="The dimension ranked."),
    ],
    asked: NamedDependency[Scope],
    limit: MoversLimit = 10,
    lang: Lang = None,
    fmt: Format = None,
) -> Response[bytes]:
    scope = asked
    names = language(request, lang)
    csv_wanted = wants_csv(request, fmt)

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        altas, quedas, current, before = repo.variacao(dimension, repo.resolve(scope), limit, names)
        if csv_wanted:
            moves = [("alta", m) for m in altas] + [("queda", m) for m in quedas]
            rows = [
                [sentido, m.codigo, m.nome, m.total_usd, m.total_usd_anterior,
                 m.diferenca_usd, m.variacao_pct]
                for sentido, m in moves
            ]  # fmt: skip
            return csv_text(VARIACAO_CSV, rows), CSV
        body = Variacao(
            altas, quedas, current, before, freshness.updated_at, freshness.data_through,
            scope.present(),
        )  # fmt: skip
        return ENCODER.encode(body), JSON

    return await answer(request, csv_wanted, build, names, scope.fluxo)


DIMENSION_HANDLERS = [_dimension_route(d, title) for d, title in RANKED_DIMENSIONS.items()]
HANDLERS: list[HTTPRouteHandler] = [
    resumo, pais, setor, serie, concentracao, variacao, balanca, balanca_ranking,
    *DIMENSION_HANDLERS,
]  # fmt: skip
ROUTES = (
    "resumo", "pais", "setor", "serie", "concentracao", "balanca",
    *(f"balanca/{d}" for d in BALANCE_DIMENSIONS),
    *(f"variacao/{d}" for d in MOVER_DIMENSIONS), *RANKED_DIMENSIONS,
)  # fmt: skip


_QUERY_NAMES: dict[Callable[..., Any], tuple[str, ...]] = {}


def query_names(handler: BaseRouteHandler) -> tuple[str, ...]:
    """The query parameters a handler declares, its dependencies' first (the filters), as
    clients spell them. Kept per handler function: Litestar hands each guard call a new
    copy of the handler, so a cache keyed by the handler itself missed on every request
    and grew with each one."""
    found = _QUERY_NAMES.get(handler.fn)
    if found is None:
        found = _QUERY_NAMES[handler.fn] = _declared_query_names(handler)
    return found


def _declared_query_names(handler: BaseRouteHandler) -> tuple[str, ...]:
    providers = handler.resolve_dependencies().values()
    signatures = [*(p.parsed_fn_signature for p in providers), handler.parsed_fn_signature]
    return tuple(
        field.kwarg_definition.name or name
        for signature in signatures
        for name, field in signature.parameters.items()
        if isinstance(field.kwarg_definition, QueryParameter)
    )


async def only_known_parameters(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """A guard: a parameter the endpoint does not know (a typo such as ``anoDe``) is a 400
    naming it, never an unfiltered answer that looks like the filtered one. Async, so
    Litestar runs it on the event loop: a sync guard costs every request a hop to a worker
    thread, which halved the throughput of cached answers (docs/benchmarks.md)."""
    known = query_names(handler)
    unknown = [name for name in connection.query_params if name not in known]
    if unknown:
        takes = ", ".join(known)
        raise ValidationException(
            extra=[
                {"key": name, "reason": f"is not a parameter of this endpoint (it takes {takes})",
                 "source": "query"}
                for name in unknown
            ]
        )  # fmt: skip


def metrics_router(prefix: str, *, include_in_schema: bool = True) -> Router:
    """The metrics routes under ``prefix``/metrics: ``/v1`` documented, ``/`` for old links."""
    return Router(
        f"{prefix.rstrip('/')}/metrics",
        route_handlers=HANDLERS,
        tags=["metrics"],
        include_in_schema=include_in_schema,
        guards=[only_known_parameters],
    )
