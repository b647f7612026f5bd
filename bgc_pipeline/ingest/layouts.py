"""The three file layouts, recognised from their header, and the flow a file holds.

Header names are compared after normalisation (case, accents, surrounding spaces,
quotes and BOM ignored), so ``"Mês"``, ``MES`` and `` mes `` are the same column.
Each layout maps its source columns onto canonical *fields*; the transform step
turns fields into ``stg.exportacao`` (or ``stg.importacao``) columns. Import files
carry freight and insurance (``VL_FRETE``, ``VL_SEGURO``); exports never do.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bgc_core.domain import EXPORTS, FILE_PREFIXES, IMPORTS

PROJECT = "project"
COMEXSTAT = "comexstat"
WEBUI = "webui"
IMPORT_FIELDS = ("frete", "seguro")
"""The fields only an import file has, both required there."""


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
            "frete": ("vl_frete",),
            "seguro": ("vl_seguro",),
        },
        required=("ano", "mes", "ncm", "co_pais", "peso", "valor"),
        labels={
            "ano": "CO_ANO",
            "mes": "CO_MES",
            "ncm": "CO_NCM",
            "co_pais": "CO_PAIS",
            "peso": "KG_LIQUIDO",
            "valor": "VL_FOB",
            "frete": "VL_FRETE",
            "seguro": "VL_SEGURO",
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
            "frete": ("valor frete (us$)", "valor us$ frete", "valor frete us$"),
            "seguro": ("valor seguro (us$)", "valor us$ seguro", "valor seguro us$"),
        },
        required=("ano", "pais", "valor", "peso"),
        labels={
            "ano": "Ano",
            "pais": "Países",
            "valor": "Valor US$ FOB",
            "peso": "Quilograma Líquido",
            "frete": "Valor Frete (US$)",
            "seguro": "Valor Seguro (US$)",
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

    @property
    def flow(self) -> str:
        """What the header says: imports when it has freight or insurance columns."""
        return IMPORTS if set(IMPORT_FIELDS) & self.columns.keys() else EXPORTS


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
    if set(IMPORT_FIELDS) & columns.keys():  # an import file has both
        missing.extend(name for name in IMPORT_FIELDS if name not in columns)
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


def name_flow(source: str) -> str | None:
    """The flow a file's name states: MDIC's ``EXP_``/``IMP_`` prefixes (``None``: none)."""
    upper = source.upper()
    return next((f for f, prefix in FILE_PREFIXES.items() if upper.startswith(f"{prefix}_")), None)


def decide_flow(source: str, match: LayoutMatch) -> str:
    """The flow of a file from its name and its header; a file whose name and header
    disagree is refused, naming both. A header with freight and insurance is imports;
    one without is exports, unless the name says imports (an export file renamed)."""
    by_name = name_flow(source)
    if by_name is None or by_name == match.flow:
        return match.flow
    wanted = ", ".join(match.layout.label(name) for name in IMPORT_FIELDS)
    if by_name == IMPORTS:
        raise LayoutError(
            f"named as an import file (IMP_) but its header has no freight or insurance "
            f"column ({wanted}): an export file? Rename it, or drop MDIC's import file"
        )
    raise LayoutError(
        f"named as an export file (EXP_) but its header has freight and insurance "
        f"columns ({wanted}): an import file? Rename it IMP_..."
    )
