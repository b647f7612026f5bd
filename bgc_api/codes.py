"""``/v1/codigos/{dimension}``: the codes and names of a dimension, searchable, for
building selectors (a dashboard's filters, a spreadsheet's lookup)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Request, Response, Router, get
from litestar.openapi.spec import Example
from litestar.params import Parameter, QueryParameter

from bgc_api.metrics import answer, only_known_parameters
from bgc_api.parameters import JSON, NO_CONTROL_CHARACTERS, Lang, Offset, language
from bgc_api.repository import Freshness, Repository
from bgc_api.schemas import ENCODER, Codigos, answers

CodeDimension = Literal[
    "pais",
    "bloco",
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
]
Busca = Annotated[
    str | None,
    QueryParameter(
        max_length=100,
        pattern=NO_CONTROL_CHARACTERS,
        description="A code's first digits or letters, or part of a name (case and accents "
        "ignored).",
        examples=[Example(value="soja")],
    ),
]
CodesLimit = Annotated[
    int,
    QueryParameter(
        ge=1, le=1000, description="Items per page, 1 to 1000.", examples=[Example(value=50)]
    ),
]


def like_literal(text: str) -> str:
    """``text`` with LIKE's wildcards escaped, so ``_`` and ``%`` match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@get(
    "/{dimension:str}",
    operation_id="getCodigos",
    responses=answers(Codigos, "One page of codes and names."),
    summary="Codes and names of a dimension, searchable",
    description="Countries (Comex Stat codes), economic blocs, sectors, states, transport "
    "modes, customs units, NCM codes and HS levels, from the official tables, ordered by code.",
)
async def codigos(
    request: Request[Any, Any, Any],
    dimension: Annotated[CodeDimension, Parameter(description="The dimension listed.")],
    q: Busca = None,
    limit: CodesLimit = 50,
    offset: Offset = 0,
    lang: Lang = None,
) -> Response[bytes]:
    names = language(request, lang)
    search = like_literal(q.strip()) if q and q.strip() else None

    def build(repo: Repository, freshness: Freshness) -> tuple[bytes, str]:
        items, total = repo.codigos(dimension, search, limit, offset, names)
        return ENCODER.encode(Codigos(items, total, limit, offset)), JSON

    return await answer(request, False, build, names)


def codes_router() -> Router:
    return Router("/v1/codigos", route_handlers=[codigos], tags=["codes"],
                  guards=[only_known_parameters])  # fmt: skip
