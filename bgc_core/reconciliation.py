"""Each official yearly file (``EXP_YYYY.csv``) against MDIC's published totals.

The comparison itself is the view ``rpt.conferencia_mdic`` (migration 0008): row count and
the sums of VL_FOB, KG_LIQUIDO and QT_ESTAT, kept per file at load time. This module reads
it for the Dagster check, ``bgc-ingest check-totals`` and its table.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from bgc_core import db, sqlfiles

OK, DIVERGENT, PENDING = "ok", "divergente", "pendente"
_OFFICIAL = re.compile(r"^EXP_\d{4}\.csv$", re.IGNORECASE)


def is_official_name(name: str) -> bool:
    """``EXP_2024.csv``: a yearly file MDIC's totals have a row for."""
    return bool(_OFFICIAL.match(name))


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
            notes.append("rows, VL_FOB, KG_LIQUIDO and QT_ESTAT equal MDIC's totals")
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
        ]
        return ", ".join(f"{name} {_signed(value)}" for name, value in parts if value)


def reconcile(url: str, arquivo: str | None = None) -> list[Reconciliation]:
    """Every official yearly file loaded (or the one named), compared with MDIC's totals."""
    with db.transaction(url) as conn, conn.cursor() as cur:
        cur.execute(sqlfiles.queries("totals")["reconciliation"], {"arquivo": arquivo})
        return [Reconciliation(*row) for row in cur.fetchall()]


def table(rows: list[Reconciliation]) -> str:
    """The reconciliation as a terminal table."""
    if not rows:
        return "no official yearly file (EXP_YYYY.csv) is loaded"
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
