"""The bodies of the API's answers: each shape defined once, as a msgspec Struct.

Handlers build these Structs and the encoder writes them, so the OpenAPI document
(generated from the same classes) cannot drift from what clients receive. Field order
is the order of the JSON keys.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.plugins import OpenAPISchemaPlugin

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition

PROBLEM_MEDIA_TYPE = "application/problem+json"
ENCODER = msgspec.json.Encoder(decimal_format="number")
"""Money and weights are Decimal end to end: ``1250000.50`` is written as a number, to the cent."""

Filters = dict[str, Any]
"""The filters the client gave, echoed in answers."""


class Conferencia(msgspec.Struct, rename="camel"):
    """One year present against MDIC's published totals (EXP_TOTAIS_CONFERENCIA.csv;
    IMP_TOTAIS_CONFERENCIA.csv for imports)."""

    ano: int
    status: str
    """``ok``, ``divergente`` (with the differences) or ``pendente`` (no totals yet, totals
    older than the data, or no official yearly file for the year)."""
    arquivo: str | None
    diferenca_registros: int | None
    diferenca_usd: Decimal | None
    diferenca_kg: Decimal | None


class Resumo(msgspec.Struct, rename="camel", omit_defaults=True):
    total_usd: Decimal
    total_kg: Decimal
    paises_count: int
    setores_count: int
    anos: list[int]
    updated_at: str | None
    """When the views were last refreshed (ISO 8601)."""
    data_through: str | None
    """Latest year-month present, ``YYYY-MM``."""
    filters: Filters
    conferencia: list[Conferencia]
    """Per year present (unfiltered), its reconciliation with MDIC's totals."""
    frete_usd: Decimal | None = None
    """Imports only (``fluxo=importacao``): freight, insurance and CIF (FOB + freight +
    insurance), in USD; absent from export answers."""
    seguro_usd: Decimal | None = None
    cif_usd: Decimal | None = None


class PaisItem(msgspec.Struct, rename="camel", omit_defaults=True):
    pais: str
    total_usd: Decimal
    total_kg: Decimal
    participacao_pct: Decimal | None
    anos: list[int]
    variacao_pct: Decimal | None
    usd_por_kg: Decimal | None
    codigo: str | None
    """The Comex Stat code (a country) or ISIC section letter (a sector); ``null`` for a
    name no code table knows (a file in the project layout may use any)."""
    nome: str | None
    """The name in the language asked for (``lang``), Portuguese when there is no other."""
    frete_usd: Decimal | None = None
    """Imports only (``fluxo=importacao``): freight, insurance and CIF (FOB + freight +
    insurance), in USD; absent from export answers."""
    seguro_usd: Decimal | None = None
    cif_usd: Decimal | None = None


class SetorItem(msgspec.Struct, rename="camel", omit_defaults=True):
    setor: str
    total_usd: Decimal
    total_kg: Decimal
    participacao_pct: Decimal | None
    anos: list[int]
    variacao_pct: Decimal | None
    usd_por_kg: Decimal | None
    codigo: str | None
    """The Comex Stat code (a country) or ISIC section letter (a sector); ``null`` for a
    name no code table knows (a file in the project layout may use any)."""
    nome: str | None
    """The name in the language asked for (``lang``), Portuguese when there is no other."""
    frete_usd: Decimal | None = None
    """Imports only (``fluxo=importacao``): freight, insurance and CIF (FOB + freight +
    insurance), in USD; absent from export answers."""
    seguro_usd: Decimal | None = None
    cif_usd: Decimal | None = None


class PaisPage(msgspec.Struct, rename="camel"):
    items: list[PaisItem]
    total: int
    limit: int
    offset: int
    updated_at: str | None
    data_through: str | None
    filters: Filters


class SetorPage(msgspec.Struct, rename="camel"):
    items: list[SetorItem]
    total: int
    limit: int
    offset: int
    updated_at: str | None
    data_through: str | None
    filters: Filters


class DimensaoItem(msgspec.Struct, rename="camel", omit_defaults=True):
    codigo: str
    nome: str | None
    """From the official code tables; ``null`` for a code they do not list."""
    total_usd: Decimal
    total_kg: Decimal
    participacao_pct: Decimal | None
    """Share of the scope's whole value, codes or not."""
    variacao_pct: Decimal | None
    """Against the same months of the year before."""
    usd_por_kg: Decimal | None
    frete_usd: Decimal | None = None
    """Imports only (``fluxo=importacao``): freight, insurance and CIF (FOB + freight +
    insurance), in USD; absent from export answers."""
    seguro_usd: Decimal | None = None
    cif_usd: Decimal | None = None


class Periodo(msgspec.Struct):
    """The months summed, ``YYYY-MM``; growth compares the same months a year earlier."""

    de: str
    ate: str


class DimensaoPage(msgspec.Struct, rename="camel"):
    items: list[DimensaoItem]
    total: int
    limit: int
    offset: int
    updated_at: str | None
    data_through: str | None
    filters: Filters
    periodo: Periodo | None
    """``null`` while no data is loaded."""
    cobertura: Decimal | None
    """Percent of the scope's value that carries this dimension's code (files in the
    project layout have no state, route or customs unit)."""


class Concentracao(msgspec.Struct, rename="camel"):
    """How concentrated a scope's value is among its items."""

    hhi: Decimal | None
    """Herfindahl-Hirschman index: the sum of the squared percentage shares, 0 to 10,000."""
    top1_pct: Decimal | None
    top5_pct: Decimal | None
    itens: int
    """Items with a positive value."""


class ConcentracaoBody(msgspec.Struct, rename="camel"):
    paises: Concentracao
    """By destination country."""
    produtos: Concentracao
    """By product heading (SH4)."""
    periodo: Periodo | None
    updated_at: str | None
    data_through: str | None
    filters: Filters


class Movimento(msgspec.Struct, rename="camel"):
    codigo: str
    """The official code; for countries and sectors, their name."""
    nome: str | None
    total_usd: Decimal
    """In the months of ``periodo``."""
    total_usd_anterior: Decimal
    """In the same months of the year before."""
    diferenca_usd: Decimal
    variacao_pct: Decimal | None
    """``null`` when the year before had no value."""


class Variacao(msgspec.Struct, rename="camel"):
    altas: list[Movimento]
    """The biggest gains in USD, largest first."""
    quedas: list[Movimento]
    """The biggest losses in USD, largest first."""
    periodo: Periodo | None
    comparado: Periodo | None
    """The same months of the year before."""
    updated_at: str | None
    data_through: str | None
    filters: Filters


class Codigo(msgspec.Struct):
    codigo: str
    nome: str


class Codigos(msgspec.Struct):
    items: list[Codigo]
    total: int
    limit: int
    offset: int


class SerieItem(msgspec.Struct, rename="camel"):
    ano: int
    mes: int
    total_usd: Decimal
    total_kg: Decimal


class Serie(msgspec.Struct, rename="camel"):
    items: list[SerieItem]
    updated_at: str | None
    data_through: str | None
    filters: Filters


class BalancaItem(msgspec.Struct, rename="camel"):
    """One year (or one month, within ``ano``) of the trade balance."""

    ano: int
    mes: int | None
    """``null`` on a yearly item."""
    exportacao_usd: Decimal
    importacao_usd: Decimal
    saldo_usd: Decimal
    """Exports minus imports (FOB)."""
    corrente_usd: Decimal
    """Exports plus imports: the trade flow."""
    exportacao_variacao_pct: Decimal | None
    """Each figure against the same months of the year before, in percent of the
    previous figure's size (a deficit that shrinks is a rise); ``null`` without one."""
    importacao_variacao_pct: Decimal | None
    saldo_variacao_pct: Decimal | None
    corrente_variacao_pct: Decimal | None


class Balanca(msgspec.Struct, rename="camel"):
    exportacao_usd: Decimal
    """The scope's exports (FOB, USD): every year, or the months of ``ano``."""
    importacao_usd: Decimal
    saldo_usd: Decimal
    corrente_usd: Decimal
    items: list[BalancaItem]
    """Per year; with ``ano``, per month of that year."""
    updated_at: str | None
    data_through: str | None
    """The latest year-month of either flow."""
    filters: Filters


class BalancaRankItem(msgspec.Struct, rename="camel"):
    codigo: str
    """The official code (a country: its Comex Stat code, or its name where no table
    knows it)."""
    nome: str | None
    exportacao_usd: Decimal
    importacao_usd: Decimal
    saldo_usd: Decimal
    corrente_usd: Decimal


class BalancaPage(msgspec.Struct, rename="camel"):
    items: list[BalancaRankItem]
    total: int
    limit: int
    offset: int
    updated_at: str | None
    data_through: str | None
    filters: Filters
    periodo: Periodo | None
    """The months of the reference year summed (``ano``, else the latest)."""


class InvalidParam(msgspec.Struct):
    name: str
    reason: str
    value: str | None


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    invalid_params: list[InvalidParam] | None = None


def problem_answer(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        description=description,
        media_type=PROBLEM_MEDIA_TYPE,
        generate_examples=False,
    )


def answers(ok: type, description: str) -> dict[int, ResponseSpec]:
    """The documented answers of a metrics route: the body, and its problem documents."""
    return {
        200: ResponseSpec(data_container=ok, description=description, generate_examples=False),
        400: problem_answer(
            "A parameter is invalid: the document names it and its allowed values."
        ),
        503: problem_answer("The database is unreachable or not migrated; retry later."),
    }


class DecimalAsNumber(OpenAPISchemaPlugin):
    """Documents ``Decimal`` fields as JSON numbers, which is how :data:`ENCODER` writes them
    (Litestar's default documents them as strings, msgspec's default encoding)."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value is Decimal

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        return Schema(type=OpenAPIType.NUMBER)
