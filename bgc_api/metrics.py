"""The metrics endpoints: answers from the ``rpt`` views, cached per data version."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Annotated, Any, Literal

import anyio
import msgspec
from litestar import Controller, Request, Response, get
from litestar.exceptions import ValidationException
from litestar.openapi.spec import Example
from litestar.params import QueryParameter

from bgc_api.cache import Cached, DataVersion, ResponseCache, etag_of
from bgc_api.repository import Filters, Repository
from bgc_api.schemas import PaisPage, Resumo, Serie, SetorPage, answers

MIN_YEAR = 1997
MAX_YEAR_AT_START = dt.date.today().year + 1
"""Documented and checked by the parameter schema; ``check_years`` re-checks against today."""
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"
JSON = "application/json"
CSV = "text/csv"  # Litestar adds "; charset=utf-8"
_encoder = msgspec.json.Encoder(decimal_format="number")  # 1250000.50 stays a number, to the cent

Ano = Annotated[
    int | None,
    QueryParameter(
        ge=MIN_YEAR,
        le=MAX_YEAR_AT_START,
        description="Year, from 1997 to next year.",
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
        ge=MIN_YEAR,
        le=MAX_YEAR_AT_START,
        description="First year (inclusive), not after ano_ate.",
        examples=[Example(value=2023)],
    ),
]
AnoAte = Annotated[
    int | None,
    QueryParameter(
        name="ano_ate",
        ge=MIN_YEAR,
        le=MAX_YEAR_AT_START,
        description="Last year (inclusive).",
        examples=[Example(value=2025)],
    ),
]


def check_years(**years: int | None) -> None:
    """Upper bound of year parameters: next year (it moves with the calendar)."""
    high = dt.date.today().year + 1
    for name, value in years.items():
        if value is not None and value > high:
            raise ValidationException(
                extra=[{"key": name, "message": f"must be at most {high}", "source": "query"}]
            )


def wants_csv(request: Request[Any, Any, Any], fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "csv"
    return "text/csv" in request.headers.get("accept", "")


def to_csv(columns: list[str], items: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for item in items:
        writer.writerow(
            [
                ";".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v)
                for v in (item[c] for c in columns)
            ]
        )
    return buffer.getvalue().encode("utf-8")


class MetricsController(Controller):
    path = "/metrics"
    tags = ("metrics",)

    async def _answer(
        self,
        request: Request[Any, Any, Any],
        csv_wanted: bool,
        build: Callable[[Repository, dict[str, str | None]], tuple[bytes, str]],
    ) -> Response[bytes]:
        state = request.app.state
        version: DataVersion = state.version
        cache: ResponseCache = state.cache
        snapshot = version.snapshot
        key = (request.url.path.removeprefix("/v1"), request.url.query, csv_wanted)
        cached = cache.get(snapshot.version, key)
        if cached is None:
            freshness = {"updatedAt": snapshot.version, "dataThrough": snapshot.data_through}
            body, media = await anyio.to_thread.run_sync(build, state.repository, freshness)
            cached = Cached(body, media, etag_of(body))
            if version.current == snapshot.version:  # a refresh during the query: do not keep it
                cache.put(snapshot.version, key, cached)
        headers = {"ETag": cached.etag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == cached.etag:
            return Response(b"", status_code=304, headers=headers)
        return Response(cached.body, media_type=cached.media_type, headers=headers)

    @get(
        "/resumo",
        operation_id="getResumo",
        responses=answers(Resumo, "Totals for the scope."),
        summary="Totals for the filtered scope",
        description="Total FOB value (USD) and net weight (kg), countries and sectors counted, "
        "years present. Filters are optional and combine.",
    )
    async def resumo(
        self, request: Request[Any, Any, Any], ano: Ano = None, setor: Setor = None
    ) -> Response[bytes]:
        check_years(ano=ano)
        filters = Filters(ano=ano, setor=setor)

        def build(repo: Repository, freshness: dict[str, str | None]) -> tuple[bytes, str]:
            body = {
                **repo.resumo(filters),
                **freshness,
                "filters": filters.present(),
            }
            return _encoder.encode(body), JSON

        return await self._answer(request, False, build)

    async def _ranking(
        self,
        request: Request[Any, Any, Any],
        dimension: str,
        filters: Filters,
        limit: int,
        offset: int,
        fmt: str | None,
    ) -> Response[bytes]:
        csv_wanted = wants_csv(request, fmt)

        def build(repo: Repository, freshness: dict[str, str | None]) -> tuple[bytes, str]:
            items, total = repo.ranking(dimension, filters, limit, offset)
            if csv_wanted:
                columns = [
                    dimension,
                    "totalUsd",
                    "totalKg",
                    "participacaoPct",
                    "variacaoPct",
                    "usdPorKg",
                    "anos",
                ]
                return to_csv(columns, items), CSV
            body = {
                "items": items,
                "total": total,
                "limit": limit,
                "offset": offset,
                **freshness,
                "filters": filters.present(),
            }
            return _encoder.encode(body), JSON

        return await self._answer(request, csv_wanted, build)

    @get(
        "/pais",
        operation_id="getPais",
        responses=answers(PaisPage, "One page of countries (`format=csv`: the items as CSV)."),
        summary="Destination countries ranked by FOB value",
        description="Each country's totals, its share of the filtered total (`participacaoPct`, "
        "the full list sums to 100), year-over-year growth of the reference year (`ano`, else "
        "the latest) over the same months (`variacaoPct`) and unit value (`usdPorKg`).",
    )
    async def pais(
        self,
        request: Request[Any, Any, Any],
        ano: Ano = None,
        setor: Setor = None,
        limit: Limit = 10,
        offset: Offset = 0,
        fmt: Format = None,
    ) -> Response[bytes]:
        check_years(ano=ano)
        return await self._ranking(
            request, "pais", Filters(ano=ano, setor=setor), limit, offset, fmt
        )

    @get(
        "/setor",
        operation_id="getSetor",
        responses=answers(SetorPage, "One page of sectors (`format=csv`: the items as CSV)."),
        summary="Sectors ranked by FOB value",
        description="The same figures as /pais, by sector (ISIC section of the NCM).",
    )
    async def setor(
        self,
        request: Request[Any, Any, Any],
        ano: Ano = None,
        pais: Pais = None,
        limit: Limit = 10,
        offset: Offset = 0,
        fmt: Format = None,
    ) -> Response[bytes]:
        check_years(ano=ano)
        return await self._ranking(
            request, "setor", Filters(ano=ano, pais=pais), limit, offset, fmt
        )

    @get(
        "/serie",
        operation_id="getSerie",
        responses=answers(Serie, "The monthly series (`format=csv`: the items as CSV)."),
        summary="Monthly series",
        description="FOB value and net weight per month (annual-only figures are left out).",
    )
    async def serie(
        self,
        request: Request[Any, Any, Any],
        pais: Pais = None,
        setor: Setor = None,
        ano_de: AnoDe = None,
        ano_ate: AnoAte = None,
        fmt: Format = None,
    ) -> Response[bytes]:
        check_years(ano_de=ano_de, ano_ate=ano_ate)
        if ano_de is not None and ano_ate is not None and ano_de > ano_ate:
            raise ValidationException(
                extra=[{"key": "ano_de", "reason": "must not be after ano_ate", "source": "query"}]
            )
        filters = Filters(pais=pais, setor=setor, ano_de=ano_de, ano_ate=ano_ate)
        csv_wanted = wants_csv(request, fmt)

        def build(repo: Repository, freshness: dict[str, str | None]) -> tuple[bytes, str]:
            items = repo.serie(filters)
            if csv_wanted:
                return to_csv(["ano", "mes", "totalUsd", "totalKg"], items), CSV
            body = {
                "items": items,
                **freshness,
                "filters": filters.present(),
            }
            return _encoder.encode(body), JSON

        return await self._answer(request, csv_wanted, build)
