"""The three file layouts, recognised from their header.

Header names are compared after normalisation (case, accents, surrounding spaces,
quotes and BOM ignored), so ``"Mês"``, ``MES`` and `` mes `` are the same column.
Each layout maps its source columns onto canonical *fields*; the transform step
turns fields into ``stg.exportacao`` columns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

PROJECT = "project"
COMEXSTAT = "comexstat"
WEBUI = "webui"


def normalise_header(name: str) -> str:
    """``"  Valor US$ FOB "`` -> ``"valor us$ fob"``; ``"\\ufeffMês"`` -> ``"mes"``."""
    text = unicodedata.normalize("NFKD", name.replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.strip().strip('"').strip().lower()
    return re.sub(r"\s+", " ", text)


@dataclass(frozen=True)
class Layout:
    name: str
    aliases: dict[str, tuple[str, ...]]
    """field -> accepted normalised header names, in order of preference."""
    required: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)
    """field -> the name a user sees in messages."""

    def label(self, field_name: str) -> str:
        return self.labels.get(field_name, field_name)


LAYOUTS: dict[str, Layout] = {
    COMEXSTAT: Layout(
        COMEXSTAT,
        aliases={
            "ano": ("co_ano",),
            "mes": ("co_mes",),
            "ncm": ("co_ncm",),
            "co_unid": ("co_unid",),
            "co_pais": ("co_pais",),
            "sg_uf": ("sg_uf_ncm",),
            "co_via": ("co_via",),
            "co_urf": ("co_urf",),
            "qt_estat": ("qt_estat",),
            "peso": ("kg_liquido",),
            "valor": ("vl_fob",),
        },
        required=("ano", "mes", "ncm", "co_pais", "peso", "valor"),
        labels={
            "ano": "CO_ANO",
            "mes": "CO_MES",
            "ncm": "CO_NCM",
            "co_pais": "CO_PAIS",
            "peso": "KG_LIQUIDO",
            "valor": "VL_FOB",
        },
    ),
    WEBUI: Layout(
        WEBUI,
        aliases={
            "ano": ("ano",),
            "mes": ("mes",),
            "pais": ("paises", "pais"),
            "ncm": ("codigo ncm",),
            "cuci": ("codigo cuci grupo",),
            "setor": ("secao isic", "descricao isic secao", "isic secao"),
            "valor": ("valor us$ fob", "valor fob (us$)", "valor fob us$"),
            "peso": ("quilograma liquido", "quilograma liquido (kg)"),
        },
        required=("ano", "pais", "valor", "peso"),
        labels={
            "ano": "Ano",
            "pais": "Países",
            "valor": "Valor US$ FOB",
            "peso": "Quilograma Líquido",
            "setor": "a product column (Código NCM, Código CUCI Grupo or Seção ISIC)",
        },
    ),
    PROJECT: Layout(
        PROJECT,
        aliases={
            "ano": ("ano", "year"),
            "mes": ("mes", "month"),
            "pais": ("pais", "country"),
            "setor": ("setor", "sector"),
            "ncm": ("ncm", "co_ncm"),
            "valor": ("valor_usd", "valor", "valor usd", "valor_fob", "usd"),
            "peso": ("peso_kg", "peso", "kg", "qtde", "peso kg"),
        },
        required=("ano", "mes", "pais", "valor", "peso"),
    ),
}

_IMPORT_MARKERS = ("vl_frete", "vl_seguro", "valor frete (us$)", "valor seguro (us$)")
_WEBUI_MARKERS = (
    "valor us$ fob",
    "valor fob (us$)",
    "valor fob us$",
    "quilograma liquido",
    "paises",
)


@dataclass(frozen=True)
class LayoutMatch:
    layout: Layout
    columns: dict[str, str]
    """field -> source column name (as written in the file)."""

    @property
    def name(self) -> str:
        return self.layout.name


class LayoutError(ValueError):
    """The header fits no layout, or lacks required columns; the message says which."""


def _choose(normalised: set[str]) -> Layout:
    if {"co_ano", "vl_fob"} & normalised or {"co_ncm", "co_pais"} <= normalised:
        return LAYOUTS[COMEXSTAT]
    if set(_WEBUI_MARKERS) & normalised:
        return LAYOUTS[WEBUI]
    return LAYOUTS[PROJECT]


def detect(headers: list[str]) -> LayoutMatch:
    """Match a header to a layout; raise :class:`LayoutError` naming what is missing."""
    by_norm: dict[str, str] = {}
    for header in headers:
        by_norm.setdefault(normalise_header(header), header)
    normalised = set(by_norm)
    imports = sorted(set(_IMPORT_MARKERS) & normalised)
    if imports:
        raise LayoutError(
            f"looks like an import file (columns {', '.join(imports)}); "
            "only exports are loaded into stg.exportacao"
        )
    layout = _choose(normalised)
    columns = {
        name: by_norm[alias]
        for name, aliases in layout.aliases.items()
        for alias in aliases
        if alias in by_norm
    }
    columns = {name: columns[name] for name in layout.aliases if name in columns}
    missing = [name for name in layout.required if name not in columns]
    if layout.name == PROJECT and not ({"setor", "ncm"} & columns.keys()):
        missing.append("setor")
    if layout.name == WEBUI and not ({"setor", "ncm", "cuci"} & columns.keys()):
        missing.append("setor")
    if missing:
        if layout.name == PROJECT and len(missing) >= len(layout.required):
            raise LayoutError(
                "header matches no known layout (project: ano, mes, pais, setor, ncm, valor_usd, "
                "peso_kg; Comex Stat bulk: CO_ANO, CO_MES, CO_NCM, ...; Comex Stat web download: "
                f"Ano, Países, Valor US$ FOB, ...); found: {', '.join(headers)}"
            )
        wanted = ", ".join(layout.label(name) for name in missing)
        raise LayoutError(f"{layout.name} layout: missing required column(s): {wanted}")
    return LayoutMatch(layout, columns)
