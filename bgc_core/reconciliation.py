"""Each official yearly file (``EXP_YYYY.csv``, ``IMP_YYYY.csv``) against MDIC's totals.

The comparison itself is a view per flow, ``rpt.conferencia_mdic`` and
``rpt.conferencia_mdic_importacao``: row count and the sums of VL_FOB, KG_LIQUIDO and
QT_ESTAT (and, for imports, VL_FRETE and VL_SEGURO where the totals carry them), kept
per file at load time. This module reads them for the Dagster checks,
``bgc-ingest check-totals`` and its table.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from bgc_core import db, sqlfiles
from bgc_core.domain import EXPORTS, IMPORTS

OK, DIVERGENT, PENDING = "ok", "divergente", "pendente"
_OFFICIAL = {
    EXPORTS: re.compile(r"^EXP_\d{4}\.csv$", re.IGNORECASE),
    IMPORTS: re.compile(r"^IMP_\d{4}\.csv$", re.IGNORECASE),
}
_QUERIES = {EXPORTS: "reconciliation", IMPORTS: "reconciliation_importacao"}
_TOTALS_FILE = {EXPORTS: "EXP_TOTAIS_CONFERENCIA.csv", IMPORTS: "IMP_TOTAIS_CONFERENCIA.csv"}


def is_official_name(name: str, fluxo: str = EXPORTS) -> bool:
    """``EXP_2024.csv`` (``IMP_2024.csv`` for imports): a yearly file MDIC's totals have a
    row for."""
    return bool(_OFFICIAL[fluxo].match(name))


class Reconciliation(NamedTuple):
    arquivo: str
    ano_arquivo: int
    ano_min: int
    ano_max: int
    registros: int
    total_usd: Decimal
    total_kg: Decimal
    total_qt: Decimal
    numero_linhas: int | None
    vl_fob: Decimal | None
    kg_liquido: Decimal | None
    qt_estat: Decimal | None
    diferenca_linhas: int | None
    diferenca_usd: Decimal | None
    diferenca_kg: Decimal | None
    diferenca_qt: Decimal | None
    status: str
    totals_older: bool | None
    total_frete: Decimal | None = None
    """Imports only: the file's freight and insurance, MDIC's, and the differences (the
    totals' are ``None`` where their edition has no such column)."""
    total_seguro: Decimal | None = None
    vl_frete: Decimal | None = None
    vl_seguro: Decimal | None = None
    diferenca_frete: Decimal | None = None
    diferenca_seguro: Decimal | None = None

    @property
    def year_mismatch(self) -> bool:
        """The file's name and its CO_ANO disagree (it still loads under its name)."""
        return (self.ano_min, self.ano_max) != (self.ano_arquivo, self.ano_arquivo)

    def explain(self) -> str:
        """The outcome in one sentence."""
        notes = []
        if self.numero_linhas is None:
            notes.append(f"MDIC's totals have no row for {self.arquivo}")
        elif self.status == OK:
            compared = "VL_FOB, KG_LIQUIDO and QT_ESTAT"
            if self.vl_frete is not None or self.vl_seguro is not None:
                compared = "VL_FOB, VL_FRETE, VL_SEGURO, KG_LIQUIDO and QT_ESTAT"
            notes.append(f"rows, {compared} equal MDIC's totals")
        else:
            notes.append(f"differs from MDIC's totals: {self.differences()}")
            if self.totals_older:
                notes.append("MDIC's totals file is older than the data file")
        if self.year_mismatch:
            years = f"{self.ano_min}" + (f"-{self.ano_max}" if self.ano_max != self.ano_min else "")
            notes.append(f"named for {self.ano_arquivo} but CO_ANO is {years}")
        return "; ".join(notes)

    def differences(self) -> str:
        parts = [
            ("rows", self.diferenca_linhas),
            ("VL_FOB", self.diferenca_usd),
            ("KG_LIQUIDO", self.diferenca_kg),
            ("QT_ESTAT", self.diferenca_qt),
            ("VL_FRETE", self.diferenca_frete),
            ("VL_SEGURO", self.diferenca_seguro),
        ]
        return ", ".join(f"{name} {_signed(value)}" for name, value in parts if value)


def reconcile(url: str, arquivo: str | None = None, fluxo: str = EXPORTS) -> list[Reconciliation]:
    """Every official yearly file of a flow loaded (or the one named), compared with MDIC's
    totals."""
    with db.transaction(url) as conn, conn.cursor() as cur:
        cur.execute(sqlfiles.queries("totals")[_QUERIES[fluxo]], {"arquivo": arquivo})
        return [Reconciliation(*row) for row in cur.fetchall()]


def totals_file(fluxo: str) -> str:
    """The name of MDIC's totals file of a flow."""
    return _TOTALS_FILE[fluxo]


def table(rows: list[Reconciliation], fluxo: str = EXPORTS) -> str:
    """The reconciliation as a terminal table."""
    if not rows:
        example = "IMP_YYYY.csv" if fluxo == IMPORTS else "EXP_YYYY.csv"
        return f"no official yearly file ({example}) is loaded"
    header = ("file", "status", "rows", "MDIC rows", "VL_FOB", "MDIC VL_FOB", "note")
    lines = [header]
    for r in rows:
        lines.append(
            (
                r.arquivo,
                r.status,
                f"{r.registros:,}",
                "-" if r.numero_linhas is None else f"{r.numero_linhas:,}",
                f"{r.total_usd:,.0f}",
                "-" if r.vl_fob is None else f"{r.vl_fob:,.0f}",
                "" if r.status == OK and not r.year_mismatch else r.explain(),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False))
        + "  "
        + line[-1]
        for line in lines
    )


def _signed(value: int | Decimal) -> str:
    """``+7`` for 7.00, ``-0.5`` for -0.500: no trailing zeros."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    elif isinstance(value, Decimal):
        value = value.normalize()
    return f"{value:+,}"
