"""The official Comex Stat API's query shape, served from this instance's own data.

Scripts and packages written against MDIC's public API (``api-comexstat.mdic.gov.br``)
point their base URL here: ``POST /comexstat/general`` takes the same body and answers
in the same envelope, every value a string, with no rate limit and no row cap beyond
``BGC_COMEXSTAT_MAX_ROWS``. It reads the same DuckDB copies of the snapshots and the
same PostgreSQL code tables as the rest of the API, and names the same data version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.exceptions import HTTPException
from litestar.params import JSONBody, Parameter, QueryParameter

from bgc_api.analytics import facts_table
from bgc_api.codes import Busca, like_literal
from bgc_api.metrics import Build, answer
from bgc_api.parameters import JSON
from bgc_api.repository import Freshness, Repository
from bgc_api.schemas import ENCODER, answers
from bgc_core.domain import EXPORTS, FIRST_YEAR, IMPORTS, last_year

# ---------------------------------------------------------------- the catalog


@dataclass(frozen=True)
class Detail:
    """One of the public API's details (and filters), and how this instance serves it."""

    column: str
    """The key column of the ``general`` query (and its ``$d_``/``$f_`` parameters)."""
    names: str
    """The dimension of its codes and names (``rpt.nomes``, ``pais``, ``setor``)."""
    name_key: str
    """The row key of its name (``ncm``)."""
    code_key: str | None
    """The row key of its code (``coNcm``); ``None``: the public API gives the name only."""
    width: int | None
    """Digits a numeric code is zero-padded to (an NCM: 8)."""
    pt: str
    en: str


DETAILS: dict[str, Detail] = {
    "country": Detail("pais", "pais", "country", None, 3, "País", "Country"),
    "economicBlock": Detail("bloco", "bloco", "economicBlock", "economicBlockCode", None,
                            "Bloco econômico", "Economic block"),
    "state": Detail("uf", "uf", "state", None, 2, "UF do produto", "State"),
    "via": Detail("via", "via", "via", "viaCode", 2, "Via", "Transport mode"),
    "urf": Detail("urf", "urf", "urf", "urfCode", 7, "URF", "Customs unit (URF)"),
    "ncm": Detail("ncm", "ncm", "ncm", "coNcm", 8, "NCM", "NCM"),
    "subHeading": Detail("sh6", "sh6", "subHeading", "subHeadingCode", 6,
                         "Subposição (SH6)", "Subheading (HS6)"),
    "heading": Detail("sh4", "sh4", "heading", "headingCode", 4, "Posição (SH4)",
                      "Heading (HS4)"),
    "chapter": Detail("sh2", "sh2", "chapter", "chapterCode", 2, "Capítulo (SH2)",
                      "Chapter (HS2)"),
    "BECLevel1": Detail("cgce", "cgce", "BECLevel1", "coBECLevel1", None,
                        "CGCE Nível 1", "BEC Level 1"),
    "SITCSection": Detail("cuci", "cuci", "SITCSection", "SITCSectionCode", None,
                          "CUCI Seção", "SITC Section"),
    "ISICSection": Detail("setor", "setor", "ISICSection", "ISICSectionCode", None,
                          "ISIC Seção", "ISIC Section"),
    "section": Detail("secao", "secao", "section", "sectionCode", None,
                      "Seção (SH)", "Section (HS)"),
    "BECLevel2": Detail("cgce_n2", "cgce_n2", "BECLevel2", "coBECLevel2", None,
                        "CGCE Nível 2", "BEC Level 2"),
    "BECLevel3": Detail("cgce_n3", "cgce_n3", "BECLevel3", "coBECLevel3", None,
                        "CGCE Nível 3", "BEC Level 3"),
    "SITCDivision": Detail("cuci_cap", "cuci_cap", "SITCDivision", "SITCDivisionCode", None,
                           "CUCI Capítulo", "SITC Division"),
    "SITCGroup": Detail("cuci_pos", "cuci_pos", "SITCGroup", "SITCGroupCode", None,
                        "CUCI Posição", "SITC Group"),
    "SITCSubGroup": Detail("cuci_sub", "cuci_sub", "SITCSubGroup", "SITCSubGroupCode", None,
                           "CUCI Subposição", "SITC Subgroup"),
    "SITCBasicHeading": Detail("cuci_item", "cuci_item", "SITCBasicHeading",
                               "SITCBasicHeadingCode", None, "CUCI Item", "SITC Basic Heading"),
    "ISICDivision": Detail("isic_divisao", "isic_divisao", "ISICDivision", "ISICDivisionCode",
                           None, "ISIC Divisão", "ISIC Division"),
    "ISICGroup": Detail("isic_grupo", "isic_grupo", "ISICGroup", "ISICGroupCode", None,
                        "ISIC Grupo", "ISIC Group"),
    "ISICClass": Detail("isic_classe", "isic_classe", "ISICClass", "ISICClassCode", None,
                        "ISIC Classe", "ISIC Class"),
}  # fmt: skip
"""The public API's 22 details and filters, by its names."""
LEVELS = frozenset({
    "section", "BECLevel2", "BECLevel3", "SITCDivision", "SITCGroup", "SITCSubGroup",
    "SITCBasicHeading", "ISICDivision", "ISICGroup", "ISICClass",
})  # fmt: skip
"""Levels of the classifications the facts do not hold: their NCMs' levels are joined."""
PRODUCTS = frozenset({"ncm", "subHeading", "heading", "chapter", "ISICSection"})
"""Filters the facts' product order prunes best."""


@dataclass(frozen=True)
class Metric:
    column: str
    """The ``general`` query's sum (``cif``: FOB, freight and insurance added)."""
    imports_only: bool
    pt: str
    en: str


METRICS: dict[str, Metric] = {
    "metricFOB": Metric("usd", False, "Valor FOB (US$)", "FOB value (US$)"),
    "metricKG": Metric("kg", False, "Quilograma líquido", "Net weight (kg)"),
    "metricStatistic": Metric("qt", False, "Quantidade estatística", "Statistical quantity"),
    "metricFreight": Metric("frete", True, "Valor Frete (US$)", "Freight (US$)"),
    "metricInsurance": Metric("seguro", True, "Valor Seguro (US$)", "Insurance (US$)"),
    "metricCIF": Metric("cif", True, "Valor CIF (US$)", "CIF value (US$)"),
}
FLOWS = {"export": EXPORTS, "import": IMPORTS}
YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
GENERAL_QUERY_DEFAULTS = {
    **{f"d_{d.column}": False for d in DETAILS.values()},
    **{f"f_{d.column}": None for d in DETAILS.values() if d.column != "bloco"},
}

# ---------------------------------------------------------------- the shapes


class Period(msgspec.Struct, forbid_unknown_fields=True):
    from_: str = msgspec.field(name="from")
    """``YYYY-MM``: the first year, and the first month of every year."""
    to: str
    """``YYYY-MM``: the last year, and the last month of every year."""


class Filter(msgspec.Struct, forbid_unknown_fields=True):
    filter: str
    """A detail's name (``state``)."""
    values: list[str | int]
    """Its codes as the public API writes them (states by IBGE code: ``35`` is SP)."""


class GeneralQuery(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    """The body of ``POST /comexstat/general``, as MDIC's public API takes it."""

    flow: Literal["export", "import"]
    period: Period
    metrics: list[str]
    month_detail: bool = False
    filters: list[Filter] = []
    details: list[str] = []


class GeneralList(msgspec.Struct):
    list_: list[dict[str, str]] = msgspec.field(name="list")
    """One row per year (and month) and detail values: codes, names and metrics as text."""


class Envelope(msgspec.Struct):
    """The public API's envelope around every answer."""

    data: Any
    success: bool = True
    message: str | None = None
    processo_info: None = None
    language: str = "pt"


class GeneralAnswer(Envelope):
    data: GeneralList


class Updated(msgspec.Struct):
    updated: str | None
    """The day of the last refresh (``YYYY-MM-DD``)."""
    year: str | None
    month_number: str | None = msgspec.field(name="monthNumber")


class UpdatedAnswer(Envelope):
    data: Updated


class Years(msgspec.Struct):
    min: str | None
    max: str | None


class YearsAnswer(Envelope):
    data: Years


class Item(msgspec.Struct):
    filter: str
    text: str


class ItemsAnswer(Envelope):
    data: list[Item]


class MetricItem(msgspec.Struct):
    id: str
    text: str


class MetricsAnswer(Envelope):
    data: list[MetricItem]


class Value(msgspec.Struct):
    id: str
    text: str | None


class ValuesAnswer(Envelope):
    data: list[Value]


Language = Annotated[
    Literal["pt", "en"],
    QueryParameter(description="Language of the names: `pt` (default) or `en`."),
]

# ---------------------------------------------------------------- checking a body


class BadBody(HTTPException):
    """A body this instance cannot answer: a 400 problem naming the item."""

    status_code = 400


class TooLarge(HTTPException):
    status_code = 413


@dataclass(frozen=True)
class Asked:
    """A checked body: what the query reads and how the rows are written."""

    fluxo: str
    years: list[int]
    de: int
    ate: int
    by_month: bool
    details: list[str]
    metrics: list[str]
    filters: dict[str, list[str]]


def checked(query: GeneralQuery) -> Asked:
    """The body's period, details, metrics and filters, or a ``BadBody`` naming the first
    item that is wrong."""
    first_year, first_month = _year_month(query.period.from_, "period.from")
    last_year_, last_month = _year_month(query.period.to, "period.to")
    if first_year > last_year_:
        raise BadBody(f"period: from {query.period.from_} is after to {query.period.to}")
    fluxo = FLOWS[query.flow]
    return Asked(
        fluxo=fluxo,
        years=list(range(first_year, last_year_ + 1)),
        de=first_month,
        ate=last_month,
        by_month=query.month_detail,
        details=_details(query.details),
        metrics=_metrics(query.metrics, query.flow),
        filters=_filters(query.filters),
    )


def _year_month(text: str, where: str) -> tuple[int, int]:
    found = YEAR_MONTH.match(text)
    if not found:
        raise BadBody(f"{where}: {text!r} is not a year and month (YYYY-MM)")
    year, month = int(found[1]), int(found[2])
    if not FIRST_YEAR <= year <= last_year():
        raise BadBody(f"{where}: {text!r}: the year must be from {FIRST_YEAR} to {last_year()}")
    if not 1 <= month <= 12:
        raise BadBody(f"{where}: {text!r}: the month must be from 01 to 12")
    return year, month


def _known(name: str, where: str) -> str:
    if name in DETAILS:
        return name
    raise BadBody(f"{where}: unknown {name!r}; known: {', '.join(DETAILS)}")


def _details(names: list[str]) -> list[str]:
    return list(dict.fromkeys(_known(name, f"details[{i}]") for i, name in enumerate(names)))


def _metrics(names: list[str], flow: str) -> list[str]:
    if not names:
        raise BadBody("metrics: name at least one of " + ", ".join(METRICS))
    for i, name in enumerate(names):
        if name not in METRICS:
            raise BadBody(f"metrics[{i}]: unknown {name!r}; known: {', '.join(METRICS)}")
        if METRICS[name].imports_only and flow != "import":
            raise BadBody(f"metrics[{i}]: {name!r} exists for imports only (flow: import)")
    return list(dict.fromkeys(names))


def _filters(given: list[Filter]) -> dict[str, list[str]]:
    """Each filter's codes as text, zero-padded as the files write them."""
    found: dict[str, list[str]] = {}
    for i, item in enumerate(given):
        name = _known(item.filter, f"filters[{i}].filter")
        if not item.values:
            raise BadBody(f"filters[{i}].values: give at least one code of {name!r}")
        width = DETAILS[name].width
        codes = [str(v).strip() for v in item.values]
        if width:
            wrong = [c for c in codes if not c.isdigit() or len(c) > width]
            if wrong:
                raise BadBody(f"filters[{i}].values: {wrong[0]!r} is not a code of {name!r} "
                              f"(up to {width} digits)")  # fmt: skip
            codes = [c.zfill(width) for c in codes]
        found[name] = [*found.get(name, []), *codes]
    return found


# ---------------------------------------------------------------- answering


def general_rows(repo: Repository, asked: Asked, lang: str, max_rows: int) -> list[dict[str, str]]:
    """The rows of a checked body, in the public API's shape."""
    if asked.de > asked.ate:  # the public API's months cross every year: none in between
        return []
    params: dict[str, Any] = {
        **GENERAL_QUERY_DEFAULTS,
        "anos": asked.years, "de": asked.de, "ate": asked.ate, "por_mes": asked.by_month,
        "limite": max_rows + 1, "bloco_pais": [], "bloco_codigo": [],
    }  # fmt: skip
    for name in asked.details:
        params[f"d_{DETAILS[name].column}"] = True
    used = set(asked.details) | set(asked.filters)
    blocs = repo.blocs() if "economicBlock" in used else []
    _filter_params(_filter_keys(repo, asked.filters), blocs, params)
    if "economicBlock" in asked.details:
        wanted = asked.filters.get("economicBlock")
        pairs = [(p, b) for p, b in blocs if wanted is None or b in wanted]
        params["bloco_pais"] = [p for p, _ in pairs]
        params["bloco_codigo"] = [b for _, b in pairs]
    rows = repo.general(asked.fluxo, asked.years, _table(asked), params, bool(used & LEVELS))
    if len(rows) > max_rows:
        raise TooLarge(
            f"the answer has more than {max_rows:,} rows (BGC_COMEXSTAT_MAX_ROWS): narrow "
            "the period, the details or the filters"
        )
    labels = {name: _labels(repo, name, rows, lang) for name in asked.details}
    return [_row(r, asked, labels) for r in rows]


def _filter_keys(repo: Repository, filters: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each filter's codes as the keys the facts hold (a country's name, a state's
    abbreviation), every filter in one query; an unknown code is a ``BadBody``."""
    asked = [(DETAILS[name].names, code) for name, codes in filters.items() for code in codes]
    found = repo.filter_keys(asked) if asked else {}
    keys = {}
    for name, codes in filters.items():
        dimension = DETAILS[name].names
        unknown = [code for code in codes if not found.get((dimension, code))]
        if unknown:
            raise BadBody(f"filters: unknown code {unknown[0]!r} of {name!r}")
        keys[name] = list(dict.fromkeys(str(found[dimension, code]) for code in codes))
    return keys


def _filter_params(
    keys: dict[str, list[str]], blocs: list[tuple[str, str]], params: dict[str, Any]
) -> None:
    """The general query's filter parameters: countries and blocs meet in one list of
    countries (``blocs``: every country and bloc pair); products as integers."""
    countries: set[str] | None = None
    for name, found in keys.items():
        column = DETAILS[name].column
        if name in ("country", "economicBlock"):
            chosen = set(found) if name == "country" else {p for p, b in blocs if b in found}
            countries = chosen if countries is None else countries & chosen
        elif column in ("ncm", "sh6", "sh4", "sh2"):
            params[f"f_{column}"] = [int(k) for k in found]
        else:
            params[f"f_{column}"] = found
    if countries is not None:
        params["f_pais"] = sorted(countries)


def _table(asked: Asked) -> str:
    """The copies' table that answers fastest (the same choice as the other answers): a
    level of the classifications is read through its NCM."""
    used = set(asked.details) | set(asked.filters)
    codes = {"ncm" if name in LEVELS else DETAILS[name].column for name in used}
    return facts_table(codes, by_product=bool(set(asked.filters) & PRODUCTS))


@dataclass(frozen=True)
class Labels:
    codes: dict[str, str]
    names: dict[str, str | None]


def _labels(repo: Repository, name: str, rows: list[Any], lang: str) -> Labels:
    """The code and name of every key of one detail in the rows."""
    detail = DETAILS[name]
    keys = sorted({_key(detail, getattr(r, detail.column)) for r in rows} - {""})
    if not keys:
        return Labels({}, {})
    codes, names = repo.keyed_names(detail.names, keys, lang)
    if name == "state":
        names = {k: names.get(k) or k for k in keys}
    return Labels(codes, names)


def _key(detail: Detail, value: Any) -> str:
    """A key as the code tables write it (an NCM from its integer: ``02023000``)."""
    if value is None:
        return ""
    if detail.column in ("ncm", "sh6", "sh4", "sh2"):
        return str(value).zfill(detail.width or 0)
    return str(value)


def _row(r: Any, asked: Asked, labels: dict[str, Labels]) -> dict[str, str]:
    row: dict[str, str] = {}
    for name in asked.details:
        detail = DETAILS[name]
        key = _key(detail, getattr(r, detail.column))
        if detail.code_key:
            row[detail.code_key] = labels[name].codes.get(key, key)
        row[detail.name_key] = labels[name].names.get(key) or key
    row["year"] = str(r.ano)
    if asked.by_month:
        row["monthNumber"] = f"{r.mes:02d}"
    for metric in asked.metrics:
        row[metric] = decimal_text(_metric(r, METRICS[metric].column))
    return row


def _metric(r: Any, column: str) -> Decimal:
    if column == "cif":
        return sum((getattr(r, c) or Decimal(0) for c in ("usd", "frete", "seguro")), Decimal(0))
    return getattr(r, column) or Decimal(0)


def decimal_text(value: Decimal) -> str:
    """A metric as the public API writes it: ``428582214``, or ``12.5`` with decimals."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def encoded(data: Any, lang: str) -> bytes:
    return ENCODER.encode(Envelope(data, language=lang))


# ---------------------------------------------------------------- routes


@post(
    "/general",
    operation_id="postComexstatGeneral",
    status_code=200,
    summary="Comex Stat API: the general query",
    description="The body of MDIC's public API (`flow`, `period`, `monthDetail`, `filters`, "
    "`details`, `metrics`): years `from`..`to` crossed with months `from`..`to`, summed by "
    "year (and month) and each detail. Values are strings; names in `language`. A detail, "
    "filter, metric, code or period this instance cannot serve is a 400 naming it; an answer "
    "past `BGC_COMEXSTAT_MAX_ROWS` rows is a 413.",
    responses=answers(GeneralAnswer, "The rows, in the public API's envelope."),
)
async def general(
    request: Request[Any, Any, Any],
    data: JSONBody[GeneralQuery],
    language: Language = "pt",
) -> Response[bytes]:
    asked = checked(data)
    max_rows: int = request.app.state.comexstat_max_rows

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        rows = general_rows(repo, asked, language, max_rows)
        return ENCODER.encode(GeneralAnswer(GeneralList(rows), language=language)), JSON

    variant = f"{language}:{msgspec.json.encode(data).decode()}"
    return await answer(request, False, build, variant, asked.fluxo)


@get("/general/dates/updated", operation_id="getComexstatUpdated",
     responses=answers(UpdatedAnswer, "The latest data month and the refresh's day."),
     summary="Comex Stat API: the latest data month and the day of the last refresh")  # fmt: skip
async def dates_updated(request: Request[Any, Any, Any]) -> Response[bytes]:
    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        through = repo.latest_month(freshness)
        year, month = through.split("-") if through else (None, None)
        day = freshness.updated_at[:10] if freshness.updated_at else None
        return ENCODER.encode(UpdatedAnswer(Updated(day, year, month))), JSON

    return await answer(request, False, build)


@get("/general/dates/years", operation_id="getComexstatYears",
     responses=answers(YearsAnswer, "The first and last years."),
     summary="Comex Stat API: the first and last years of either flow")  # fmt: skip
async def dates_years(request: Request[Any, Any, Any]) -> Response[bytes]:
    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        years = sorted({y for fluxo in FLOWS.values() for y in repo.years_held(fluxo)})
        found = Years(str(years[0]), str(years[-1])) if years else Years(None, None)
        return ENCODER.encode(YearsAnswer(found)), JSON

    return await answer(request, False, build)


@get("/general/filters", operation_id="getComexstatFilters",
     responses=answers(ItemsAnswer, "The filters."),
     summary="Comex Stat API: the filters this instance serves")  # fmt: skip
async def filters(language: Language = "pt") -> Response[bytes]:
    return _catalog(language)


@get("/general/details", operation_id="getComexstatDetails",
     responses=answers(ItemsAnswer, "The details."),
     summary="Comex Stat API: the details this instance serves")  # fmt: skip
async def details(language: Language = "pt") -> Response[bytes]:
    return _catalog(language)


def _catalog(language: str) -> Response[bytes]:
    """The details, which are also the filters, named in ``language``."""
    items = [Item(name, getattr(d, language)) for name, d in DETAILS.items()]
    return Response(ENCODER.encode(ItemsAnswer(items, language=language)), media_type=JSON)


@get("/general/metrics", operation_id="getComexstatMetrics",
     responses=answers(MetricsAnswer, "The metrics."),
     summary="Comex Stat API: the metrics (freight, insurance and CIF: imports only)")  # fmt: skip
async def metrics(language: Language = "pt") -> Response[bytes]:
    items = [MetricItem(name, getattr(m, language)) for name, m in METRICS.items()]
    return Response(ENCODER.encode(MetricsAnswer(items, language=language)), media_type=JSON)


@get("/general/filters/{name:str}", operation_id="getComexstatFilterValues",
     responses=answers(ValuesAnswer, "The codes (`id`) and names (`text`)."),
     summary="Comex Stat API: the codes and names of one filter")  # fmt: skip
async def filter_values(
    request: Request[Any, Any, Any],
    name: Annotated[str, Parameter(description="A filter's name (`state`).")],
    language: Language = "pt",
) -> Response[bytes]:
    return await answer(request, False, _values(_known(name, "filter"), language), language)


TABLES = {"countries": "country", "uf": "state", "ncm": "ncm", "economic-blocks": "economicBlock",
          "ways": "via", "urf": "urf"}  # fmt: skip
"""The public API's code tables, by the filter whose codes each lists."""


@get("/tables/{table:str}", operation_id="getComexstatTable",
     responses=answers(ValuesAnswer, "The codes (`id`) and names (`text`)."),
     summary="Comex Stat API: a code table (countries, states, NCMs, blocs, routes, "
     "customs units), searchable")  # fmt: skip
async def table(
    request: Request[Any, Any, Any],
    table: Annotated[
        Literal["countries", "uf", "ncm", "economic-blocks", "ways", "urf"],
        Parameter(description="The table: its codes are the filter values of the same name."),
    ],
    search: Busca = None,
    language: Language = "pt",
) -> Response[bytes]:
    found = like_literal(search.strip()) if search and search.strip() else None
    return await answer(request, False, _values(TABLES[table], language, found), language)


def _values(name: str, language: str, search: str | None = None) -> Build:
    """The codes a filter takes (as the public API writes them) and their names, those
    whose code starts with ``search`` or whose name holds it."""
    detail = DETAILS[name]

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        items, _ = repo.codigos(detail.names, search, 100_000, 0, language)
        if name == "ISICSection":  # listed by name: the code is the section's letter
            letters, _ = repo.keyed_names("setor", [c.codigo for c in items], language)
            values = [Value(letters[c.codigo], c.nome) for c in items if c.codigo in letters]
        else:
            ibge = repo.states_by_ibge() if name == "state" else {}
            values = [Value(ibge.get(c.codigo, c.codigo), c.nome) for c in items]
        values.sort(key=lambda v: v.id)
        return ENCODER.encode(ValuesAnswer(values, language=language)), JSON

    return build


ROUTES = (
    "/general", "/general/dates/updated", "/general/dates/years", "/general/filters",
    "/general/details", "/general/metrics", *(f"/tables/{name}" for name in TABLES),
)  # fmt: skip
"""The fixed paths (for the request metrics' route label)."""


def comexstat_router() -> Router:
    return Router(
        path="/comexstat",
        route_handlers=[general, dates_updated, dates_years, filters, details, metrics,
                        filter_values, table],
        tags=["Comex Stat API"],
    )  # fmt: skip
