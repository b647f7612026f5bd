"""Shapes of the JSON answers, for the OpenAPI document (answers are encoded elsewhere)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec

from bgc_api.problems import PROBLEM_MEDIA_TYPE


class Freshness(msgspec.Struct, rename="camel"):
    updated_at: str | None
    """When the views were last refreshed (ISO 8601)."""
    data_through: str | None
    """Latest year-month present, ``YYYY-MM``."""


class Resumo(Freshness, rename="camel"):
    total_usd: float
    total_kg: float
    paises_count: int
    setores_count: int
    anos: list[int]
    filters: dict[str, Any]


class _RankingItem(msgspec.Struct, rename="camel"):
    total_usd: float
    total_kg: float
    participacao_pct: float | None
    anos: list[int]
    variacao_pct: float | None
    usd_por_kg: float | None


class PaisItem(_RankingItem, rename="camel"):
    pais: str


class SetorItem(_RankingItem, rename="camel"):
    setor: str


class PaisPage(Freshness, rename="camel"):
    items: list[PaisItem]
    total: int
    limit: int
    offset: int
    filters: dict[str, Any]


class SetorPage(Freshness, rename="camel"):
    items: list[SetorItem]
    total: int
    limit: int
    offset: int
    filters: dict[str, Any]


class SerieItem(msgspec.Struct, rename="camel"):
    ano: int
    mes: int
    total_usd: float
    total_kg: float


class Serie(Freshness, rename="camel"):
    items: list[SerieItem]
    filters: dict[str, Any]


class InvalidParam(msgspec.Struct):
    name: str
    reason: str
    value: str | None


class Problem(msgspec.Struct):
    """RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    invalid_params: list[InvalidParam] | None = None


def answers(ok: type, description: str) -> dict[int, ResponseSpec]:
    """The documented answers of a metrics route: the body, and its problem documents."""
    return {
        200: ResponseSpec(data_container=ok, description=description, generate_examples=False),
        400: ResponseSpec(
            data_container=Problem,
            description="A parameter is invalid: the document names it and its allowed values.",
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        ),
        503: ResponseSpec(
            data_container=Problem,
            description="The database is unreachable or not migrated; retry later.",
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        ),
    }
