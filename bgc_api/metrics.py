"""The metrics endpoints: answers from the ``rpt`` views, cached per data version.

Each answer is a Struct of :mod:`bgc_api.schemas`, encoded once per data version and
kept as bytes; the ETag is the hash of those bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal

import anyio
import msgspec
from litestar import Request, Response, Router, get
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.openapi.spec import Example, OpenAPIMediaType, OpenAPIType, Operation, Schema
from litestar.params import Parameter, QueryParameter

from bgc_api.cache import Cached, DataVersion, ResponseCache, etag_matches, etag_of
from bgc_api.repository import Dimension, Filters, Freshness, Period, Repository
from bgc_api.schemas import (
    ENCODER,
    ConcentracaoBody,
    DimensaoPage,
    PaisPage,
    Serie,
    SetorPage,
    Variacao,
    answers,
)
from bgc_api.schemas import Resumo as ResumoBody
from bgc_core.domain import FIRST_YEAR, last_year

MAX_YEAR_AT_START = last_year()
"""Documented and checked by the parameter schema; ``check_years`` re-checks against today."""
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"
JSON = "application/json"
CSV = "text/csv"  # Litestar adds "; charset=utf-8"

Ano = Annotated[
    int | None,
    QueryParameter(
        ge=FIRST_YEAR,
        le=MAX_YEAR_AT_START,
        description=f"Year, from {FIRST_YEAR} to next year.",
        examples=[Example(value=2024)],
    ),
]
Setor = Annotated[
    str | None,
    QueryParameter(
        max_length=100,
        pattern=NO_CONTROL_CHARACTERS,
        description="Sector name, exactly as listed by /v1/metrics/setor.",
        examples=[Example(value="Agropecuária")],
    ),
]
Pais = Annotated[
    str | None,
    QueryParameter(
        max_length=100,
        pattern=NO_CONTROL_CHARACTERS,
        description="Destination country name (Portuguese, as in Comex Stat).",
        examples=[Example(value="China")],
    ),
]
Limit = Annotated[
    int,
    QueryParameter(
        ge=1, le=1000, description="Items per page, 1 to 1000.", examples=[Example(value=10)]
    ),
]
Offset = Annotated[
    int,
    QueryParameter(ge=0, le=1_000_000, description="Items to skip.", examples=[Example(value=0)]),
]
Format = Annotated[
    Literal["json", "csv"] | None,
    QueryParameter(
        name="format",
        description="`csv` for a spreadsheet-ready file (same as `Accept: text/csv`).",
        examples=[Example(value="csv")],
    ),
]
AnoDe = Annotated[
    int | None,
    QueryParameter(
        name="ano_de",
        ge=FIRST_YEAR,
        le=MAX_YEAR_AT_START,
        description="First year (inclusive), not after ano_ate.",
        examples=[Example(value=2023)],
    ),
]
AnoAte = Annotated[
    int | None,
    QueryParameter(
        name="ano_ate",
        ge=FIRST_YEAR,
        le=MAX_YEAR_AT_START,
        description="Last year (inclusive).",
        examples=[Example(value=2025)],
    ),
]

MesDe = Annotated[
    int | None,
    QueryParameter(
        name="mes_de",
        ge=1,
        le=12,
        description="First month of the span within the year (default 1).",
        examples=[Example(value=1)],
    ),
]
MesAte = Annotated[
    int | None,
    QueryParameter(
        name="mes_ate",
        ge=1,
        le=12,
        description="Last month of the span (default: the reference year's last month "
        "present), not before mes_de.",
        examples=[Example(value=6)],
    ),
]
Lang = Annotated[
    Literal["pt", "en"] | None,
    QueryParameter(
        description="Language of the names: `pt` (default) or `en` (also from "
        "`Accept-Language: en`); names without an English version stay in Portuguese.",
        examples=[Example(value="en")],
    ),
]

PeriodoParam = Annotated[
    Literal["mensal", "acumulado", "12meses"] | None,
    QueryParameter(
        name="periodo",
        description="`mensal` (default): each month; `acumulado`: year to date (from "
        "January of each year); `12meses`: the month and the 11 before it (months whose "
        "12 months are not all after the first month present are left out).",
        examples=[Example(value="12meses")],
    ),
]

RANKING_CSV = ["totalUsd", "totalKg", "participacaoPct", "variacaoPct", "usdPorKg", "anos"]
SERIE_CSV = ["ano", "mes", "totalUsd", "totalKg"]
DIMENSION_CSV = [
    "codigo", "nome", "totalUsd", "totalKg", "participacaoPct", "variacaoPct", "usdPorKg",
]  # fmt: skip
OFFICIAL_DIMENSIONS = {
    "uf": "States of origin (UF)",
    "via": "Transport modes (via)",
    "urf": "Customs units of clearance (URF)",
    "ncm": "Products at NCM level (8 digits)",
    "sh6": "HS subheadings (SH6, the first 6 digits of the NCM)",
    "sh4": "HS headings (SH4)",
    "sh2": "HS chapters (SH2)",
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


def check_years(**years: int | None) -> None:
    """Upper bound of year parameters: next year (it moves with the calendar)."""
    high = last_year()
    for name, value in years.items():
        if value is not None and value > high:
            raise ValidationException(
                extra=[{"key": name, "message": f"must be at most {high}", "source": "query"}]
            )


def wants_csv(request: Request[Any, Any, Any], fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "csv"
    return "text/csv" in request.headers.get("accept", "")


def to_csv(columns: Sequence[str], items: Sequence[msgspec.Struct]) -> bytes:
    """The items as CSV with the given (camelCase) columns; lists are joined with ``;``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for item in items:
        fields = {f.encode_name: f.name for f in msgspec.structs.fields(item)}
        values = (getattr(item, fields[column]) for column in columns)
        writer.writerow(
            [";".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v)
             for v in values]
        )  # fmt: skip
    return buffer.getvalue().encode("utf-8")


PAGES: dict[Dimension, Callable[..., msgspec.Struct]] = {"pais": PaisPage, "setor": SetorPage}


def ranking(
    dimension: Dimension, filters: Filters, limit: int, offset: int, csv_wanted: bool
) -> Build:
    """How to build one page of a ranking: its items as CSV, or the page as JSON."""

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        items, total = repo.ranked_items(dimension, filters, limit, offset)
        if csv_wanted:
            return to_csv([dimension, *RANKING_CSV], items), CSV
        page = PAGES[dimension](
            items, total, limit, offset, freshness.updated_at, freshness.data_through,
            filters.present(),
        )  # fmt: skip
        return ENCODER.encode(page), JSON

    return build


async def answer(
    request: Request[Any, Any, Any],
    data_version: DataVersion,
    cache: ResponseCache,
    repository: Repository,
    csv_wanted: bool,
    build: Build,
    variant: str = "",
) -> Response[bytes]:
    """The cached bytes for this request and data version, or new ones built in a thread
    (``variant``: what else the answer depends on, such as the language of names)."""
    snapshot = data_version.snapshot
    key = (request.url.path.removeprefix("/v1"), request.url.query, csv_wanted, variant)
    cached = cache.get(snapshot.version, key)
    if cached is None:
        freshness = Freshness(snapshot.version, snapshot.data_through)
        body, media = await anyio.to_thread.run_sync(build, repository, freshness)
        cached = Cached(body, media, etag_of(body))
        if data_version.current == snapshot.version:  # a refresh during the query: not kept
            cache.put(snapshot.version, key, cached)
    headers = {"ETag": cached.etag, "Cache-Control": "no-cache"}
    if etag_matches(request.headers.get("if-none-match"), cached.etag):
        return Response(b"", status_code=304, headers=headers)
    return Response(cached.body, media_type=cached.media_type, headers=headers)


@get(
    "/resumo",
    operation_id="getResumo",
    responses=answers(ResumoBody, "Totals for the scope."),
    summary="Totals for the filtered scope",
    description="Total FOB value (USD) and net weight (kg), countries and sectors counted, "
    "years present. Filters are optional and combine.",
)
async def resumo(
    request: Request[Any, Any, Any],
    data_version: NamedDependency[DataVersion],
    cache: NamedDependency[ResponseCache],
    repository: NamedDependency[Repository],
    ano: Ano = None,
    setor: Setor = None,
    pais: Pais = None,
) -> Response[bytes]:
    check_years(ano=ano)
    filters = Filters(ano=ano, setor=setor, pais=pais)

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        return ENCODER.encode(repo.resumo(filters, freshness)), JSON

    return await answer(request, data_version, cache, repository, False, build)


@get(
    "/pais",
    operation_id="getPais",
    responses=answers(PaisPage, "One page of countries (`format=csv`: the items as CSV)."),
    operation_class=CsvOperation,
    summary="Destination countries ranked by FOB value",
    description="Each country's totals, its share of the filtered total (`participacaoPct`, "
    "the full list sums to 100), year-over-year growth of the reference year (`ano`, else "
    "the latest) over the same months (`variacaoPct`) and unit value (`usdPorKg`).",
)
async def pais(
    request: Request[Any, Any, Any],
    data_version: NamedDependency[DataVersion],
    cache: NamedDependency[ResponseCache],
    repository: NamedDependency[Repository],
    ano: Ano = None,
    setor: Setor = None,
    limit: Limit = 10,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response[bytes]:
    check_years(ano=ano)
    filters = Filters(ano=ano, setor=setor)
    csv_wanted = wants_csv(request, fmt)

    build = ranking("pais", filters, limit, offset, csv_wanted)
    return await answer(request, data_version, cache, repository, csv_wanted, build)


@get(
    "/setor",
    operation_id="getSetor",
    responses=answers(SetorPage, "One page of sectors (`format=csv`: the items as CSV)."),
    operation_class=CsvOperation,
    summary="Sectors ranked by FOB value",
    description="The same figures as /pais, by sector (ISIC section of the NCM).",
)
async def setor(
    request: Request[Any, Any, Any],
    data_version: NamedDependency[DataVersion],
    cache: NamedDependency[ResponseCache],
    repository: NamedDependency[Repository],
    ano: Ano = None,
    pais: Pais = None,
    limit: Limit = 10,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response[bytes]:
    check_years(ano=ano)
    filters = Filters(ano=ano, pais=pais)
    csv_wanted = wants_csv(request, fmt)

    build = ranking("setor", filters, limit, offset, csv_wanted)
    return await answer(request, data_version, cache, repository, csv_wanted, build)


@get(
    "/serie",
    operation_id="getSerie",
    responses=answers(Serie, "The monthly series (`format=csv`: the items as CSV)."),
    operation_class=CsvOperation,
    summary="Monthly series: monthly, year to date or rolling 12 months",
    description="FOB value and net weight per month (annual-only figures are left out), "
    "or summed from January (`periodo=acumulado`) or over the last 12 months "
    "(`periodo=12meses`).",
)
async def serie(
    request: Request[Any, Any, Any],
    data_version: NamedDependency[DataVersion],
    cache: NamedDependency[ResponseCache],
    repository: NamedDependency[Repository],
    pais: Pais = None,
    setor: Setor = None,
    ano_de: AnoDe = None,
    ano_ate: AnoAte = None,
    periodo: PeriodoParam = None,
    fmt: Format = None,
) -> Response[bytes]:
    check_years(ano_de=ano_de, ano_ate=ano_ate)
    if ano_de is not None and ano_ate is not None and ano_de > ano_ate:
        raise ValidationException(
            extra=[{"key": "ano_de", "reason": "must not be after ano_ate", "source": "query"}]
        )
    filters = Filters(pais=pais, setor=setor, ano_de=ano_de, ano_ate=ano_ate)
    csv_wanted = wants_csv(request, fmt)

    echoed = {**filters.present(), **({"periodo": periodo} if periodo else {})}

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        items = repo.serie(filters, periodo or "mensal")
        if csv_wanted:
            return to_csv(SERIE_CSV, items), CSV
        body = Serie(items, freshness.updated_at, freshness.data_through, echoed)
        return ENCODER.encode(body), JSON

    return await answer(request, data_version, cache, repository, csv_wanted, build)


def check_months(mes_de: int | None, mes_ate: int | None) -> None:
    if mes_de is not None and mes_ate is not None and mes_de > mes_ate:
        raise ValidationException(
            extra=[{"key": "mes_de", "reason": "must not be after mes_ate", "source": "query"}]
        )


@get(
    "/concentracao",
    operation_id="getConcentracao",
    responses=answers(ConcentracaoBody, "Concentration by country and by product (SH4)."),
    summary="Concentration of the value: HHI and top shares",
    description="The Herfindahl-Hirschman index (sum of the squared percentage shares, 0 to "
    "10,000) and the shares of the first and of the first five items, by destination country "
    "and by product heading (SH4), over the months of the reference year (`ano`, else the "
    "latest; `mes_de`..`mes_ate`).",
)
async def concentracao(
    request: Request[Any, Any, Any],
    data_version: NamedDependency[DataVersion],
    cache: NamedDependency[ResponseCache],
    repository: NamedDependency[Repository],
    ano: Ano = None,
    mes_de: MesDe = None,
    mes_ate: MesAte = None,
) -> Response[bytes]:
    check_years(ano=ano)
    check_months(mes_de, mes_ate)
    period = Period(ano=ano, mes_de=mes_de, mes_ate=mes_ate)

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        found, periodo = repo.concentracao(period)
        body = ConcentracaoBody(
            found["pais"], found["sh4"], periodo, freshness.updated_at, freshness.data_through,
            period.present(),
        )  # fmt: skip
        return ENCODER.encode(body), JSON

    return await answer(request, data_version, cache, repository, False, build)


def language(request: Request[Any, Any, Any], lang: str | None) -> str:
    """``lang`` when given, else ``en`` when the client prefers English, else ``pt``."""
    if lang is not None:
        return lang
    preferred = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return "en" if preferred.startswith("en") else "pt"


def _dimension_route(dimension: str, title: str) -> HTTPRouteHandler:
    async def handler(
        request: Request[Any, Any, Any],
        data_version: NamedDependency[DataVersion],
        cache: NamedDependency[ResponseCache],
        repository: NamedDependency[Repository],
        ano: Ano = None,
        mes_de: MesDe = None,
        mes_ate: MesAte = None,
        limit: Limit = 10,
        offset: Offset = 0,
        lang: Lang = None,
        fmt: Format = None,
    ) -> Response[bytes]:
        check_years(ano=ano)
        check_months(mes_de, mes_ate)
        period = Period(ano=ano, mes_de=mes_de, mes_ate=mes_ate)
        names = language(request, lang)
        csv_wanted = wants_csv(request, fmt)

        def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
            items, total, periodo, cobertura = repo.dimension_page(
                dimension, period, limit, offset, names
            )
            if csv_wanted:
                return to_csv(DIMENSION_CSV, items), CSV
            page = DimensaoPage(
                items, total, limit, offset, freshness.updated_at, freshness.data_through,
                period.present(), periodo, cobertura,
            )  # fmt: skip
            return ENCODER.encode(page), JSON

        return await answer(request, data_version, cache, repository, csv_wanted, build, names)

    handler.__name__ = handler.__qualname__ = dimension
    return get(
        f"/{dimension}",
        operation_id=f"get{dimension.capitalize()}",
        responses=answers(DimensaoPage, f"One page of {title.lower()} (`format=csv`: the items)."),
        operation_class=CsvOperation,
        summary=f"{title} ranked by FOB value",
        description="Each code's value over the months of the reference year (`ano`, else "
        "the latest; `mes_de`..`mes_ate`, by default from January to the latest month "
        "present), its share of the scope's whole value, growth over the same months of the "
        "year before and unit value. `periodo` names the months; `cobertura` is the share of "
        "the value that carries this code.",
    )(handler)


MoversLimit = Annotated[
    int,
    QueryParameter(
        ge=1, le=100, description="Items each way, 1 to 100.", examples=[Example(value=5)]
    ),
]
MOVER_DIMENSIONS = ("pais", "setor", *OFFICIAL_DIMENSIONS)


@get(
    "/variacao/{dimension:str}",
    operation_id="getVariacao",
    responses=answers(Variacao, "The biggest gains and losses."),
    summary="Biggest movers: gains and losses in USD over the same months",
    description="For one dimension (pais, setor, uf, via, urf, ncm, sh6, sh4, sh2), the "
    "`limit` items whose value grew most and fell most in USD between the months of the "
    "reference year (`ano`, else the latest; `mes_de`..`mes_ate`) and the same months of "
    "the year before.",
)
async def variacao(
    request: Request[Any, Any, Any],
    data_version: NamedDependency[DataVersion],
    cache: NamedDependency[ResponseCache],
    repository: NamedDependency[Repository],
    dimension: Annotated[
        Literal["pais", "setor", "uf", "via", "urf", "ncm", "sh6", "sh4", "sh2"],
        Parameter(description="The dimension ranked."),
    ],
    ano: Ano = None,
    mes_de: MesDe = None,
    mes_ate: MesAte = None,
    limit: MoversLimit = 10,
    lang: Lang = None,
) -> Response[bytes]:
    check_years(ano=ano)
    check_months(mes_de, mes_ate)
    period = Period(ano=ano, mes_de=mes_de, mes_ate=mes_ate)
    names = language(request, lang)

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        altas, quedas, current, before = repo.variacao(dimension, period, limit, names)
        body = Variacao(
            altas, quedas, current, before, freshness.updated_at, freshness.data_through,
            period.present(),
        )  # fmt: skip
        return ENCODER.encode(body), JSON

    return await answer(request, data_version, cache, repository, False, build, names)


DIMENSION_HANDLERS = [_dimension_route(d, title) for d, title in RANKED_DIMENSIONS.items()]
HANDLERS: list[HTTPRouteHandler] = [
    resumo, pais, setor, serie, concentracao, variacao, *DIMENSION_HANDLERS,
]  # fmt: skip
ROUTES = (
    "resumo", "pais", "setor", "serie", "concentracao",
    *(f"variacao/{d}" for d in MOVER_DIMENSIONS), *RANKED_DIMENSIONS,
)  # fmt: skip


@cache
def query_names(handler: BaseRouteHandler) -> tuple[str, ...]:
    """The query parameters a handler declares, as clients spell them."""
    parameters = handler.parsed_fn_signature.parameters.items()
    return tuple(
        field.kwarg_definition.name or name
        for name, field in parameters
        if isinstance(field.kwarg_definition, QueryParameter)
    )


def only_known_parameters(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """A guard: a parameter the endpoint does not know (a typo such as ``anoDe``) is a 400
    naming it, never an unfiltered answer that looks like the filtered one."""
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
