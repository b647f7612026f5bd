"""The query parameters of the metrics endpoints, each declared once with its schema,
and the checks the schema cannot express."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any, Literal

from litestar import Request
from litestar.di import Provide
from litestar.exceptions import ValidationException
from litestar.openapi.spec import Example
from litestar.params import QueryParameter

from bgc_api.repository import Scope
from bgc_core.domain import EXPORTS, FIRST_YEAR, last_year

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
        description="Sector, by its name as listed by /v1/metrics/setor or its ISIC section "
        "letter.",
        examples=[Example(value="Agropecuária")],
    ),
]
Pais = Annotated[
    str | None,
    QueryParameter(
        max_length=100,
        pattern=NO_CONTROL_CHARACTERS,
        description="Destination country: its Portuguese name (as in Comex Stat), its "
        "Comex Stat code or its ISO3 code.",
        examples=[Example(value="China")],
    ),
]
Bloco = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^[0-9]{1,3}$",
        description="Economic bloc, by its Comex Stat code (see /v1/codigos/bloco): every "
        "country of the bloc.",
        examples=[Example(value="22")],
    ),
]
Uf = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^[A-Za-z]{2}$",
        description="State of origin, by its two-letter code (sigla).",
        examples=[Example(value="SP")],
    ),
]
Via = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^[0-9]{2}$",
        description="Transport mode, by its two-digit Comex Stat code.",
        examples=[Example(value="01")],
    ),
]
Urf = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^[0-9]{7}$",
        description="Customs unit of clearance, by its seven-digit code.",
        examples=[Example(value="0817800")],
    ),
]
Ncm = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{8})$",
        description="Product: an NCM code (8 digits) or an HS chapter (2), heading (4) or "
        "subheading (6), matching every NCM that starts with it.",
        examples=[Example(value="1201")],
    ),
]
Fluxo = Annotated[
    Literal["exportacao", "importacao"] | None,
    QueryParameter(
        description="Trade flow: `exportacao` (default) or `importacao`. For imports `pais` "
        "is the country of origin and `uf` the state of destination, and totals and items "
        "also carry `freteUsd`, `seguroUsd` and `cifUsd`.",
        examples=[Example(value="importacao")],
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

MoversLimit = Annotated[
    int,
    QueryParameter(
        ge=1, le=100, description="Items each way, 1 to 100.", examples=[Example(value=5)]
    ),
]


def check_years(**years: int | None) -> None:
    """Upper bound of year parameters: next year (it moves with the calendar)."""
    high = last_year()
    for name, value in years.items():
        if value is not None and value > high:
            raise ValidationException(
                extra=[{"key": name, "message": f"must be at most {high}", "source": "query"}]
            )


def check_months(mes_de: int | None, mes_ate: int | None) -> None:
    if mes_de is not None and mes_ate is not None and mes_de > mes_ate:
        raise ValidationException(
            extra=[{"key": "mes_de", "reason": "must not be after mes_ate", "source": "query"}]
        )


def filters(
    ano: Ano = None,
    mes_de: MesDe = None,
    mes_ate: MesAte = None,
    pais: Pais = None,
    bloco: Bloco = None,
    uf: Uf = None,
    via: Via = None,
    urf: Urf = None,
    ncm: Ncm = None,
    setor: Setor = None,
    fluxo: Fluxo = None,
) -> Scope:
    """The filters every metrics endpoint takes, checked, as one scope."""
    check_years(ano=ano)
    check_months(mes_de, mes_ate)
    return Scope(ano=ano, mes_de=mes_de, mes_ate=mes_ate, pais=pais, bloco=bloco, uf=uf,
                 via=via, urf=urf, ncm=ncm, setor=setor, fluxo=fluxo or EXPORTS)  # fmt: skip


def serie_filters(
    ano: Ano = None,
    ano_de: AnoDe = None,
    ano_ate: AnoAte = None,
    mes_de: MesDe = None,
    mes_ate: MesAte = None,
    pais: Pais = None,
    bloco: Bloco = None,
    uf: Uf = None,
    via: Via = None,
    urf: Urf = None,
    ncm: Ncm = None,
    setor: Setor = None,
    fluxo: Fluxo = None,
) -> Scope:
    """The series' filters: one year (``ano``) or a span of years, not both."""
    check_years(ano_de=ano_de, ano_ate=ano_ate)
    if ano is not None and (ano_de is not None or ano_ate is not None):
        raise ValidationException(
            extra=[{"key": "ano", "reason": "one year or a span (ano_de, ano_ate), not both",
                    "source": "query"}]
        )  # fmt: skip
    if ano_de is not None and ano_ate is not None and ano_de > ano_ate:
        raise ValidationException(
            extra=[{"key": "ano_de", "reason": "must not be after ano_ate", "source": "query"}]
        )
    scope = filters(ano, mes_de, mes_ate, pais, bloco, uf, via, urf, ncm, setor, fluxo)
    return Scope(**{**scope.as_params(), "ano_de": ano_de, "ano_ate": ano_ate})


def scope_dependency(
    without: str | None = None, provider: Callable[..., Scope] = filters
) -> Provide:
    """The ``asked`` dependency: the request's filters as a scope. ``without`` names a
    filter the endpoint does not take (a ranking takes none of its own dimension): it is
    left out of the signature, so the OpenAPI document does not list it and the guard
    refuses it."""
    signature = inspect.signature(provider)

    def provide(**given: Any) -> Scope:
        return provider(**given)

    kept = [p for p in signature.parameters.values() if p.name != without]
    provide.__signature__ = signature.replace(parameters=kept)  # type: ignore[attr-defined]
    provide.__annotations__ = {k: v for k, v in provider.__annotations__.items() if k != without}
    return Provide(provide, sync_to_thread=False)


def wants_csv(request: Request[Any, Any, Any], fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "csv"
    return "text/csv" in request.headers.get("accept", "")


def language(request: Request[Any, Any, Any], lang: str | None) -> str:
    """``lang`` when given, else ``en`` when the client prefers English, else ``pt``."""
    if lang is not None:
        return lang
    preferred = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return "en" if preferred.startswith("en") else "pt"
