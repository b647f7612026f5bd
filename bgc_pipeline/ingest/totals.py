"""MDIC's check file, ``EXP_TOTAIS_CONFERENCIA.csv``: one row per official yearly file.

``ARQUIVO;CO_ANO;QT_ESTAT;KG_LIQUIDO;VL_FOB;NUMERO_LINHAS``, ``;``-separated, fields
quoted or not, CP1252 or UTF-8. Dropped into the landing folder it is recognised by its
name or its header, stored in ``cfg.totais_conferencia`` and never loaded as exports;
each yearly file is then reconciled against it (``rpt.conferencia_mdic``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from bgc_core import sqlfiles
from bgc_pipeline.ingest.errors import IngestError

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as Cursor  # noqa: N812

LAYOUT = "totais"
HEADER = ("ARQUIVO", "CO_ANO", "QT_ESTAT", "KG_LIQUIDO", "VL_FOB", "NUMERO_LINHAS")
NAME_PREFIX = "EXP_TOTAIS"
_HEAD_BYTES = 4096


@dataclass(frozen=True)
class TotalsRow:
    arquivo: str
    co_ano: int
    qt_estat: Decimal
    kg_liquido: Decimal
    vl_fob: Decimal
    numero_linhas: int


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _fields(line: str) -> list[str]:
    return [field.strip().strip('"').strip().upper() for field in line.split(";")]


def is_totals_file(path: Path) -> bool:
    """Named like MDIC's totals file, or headed like it."""
    if path.name.upper().startswith(NAME_PREFIX):
        return True
    with path.open("rb") as fh:
        first = _decode(fh.read(_HEAD_BYTES)).splitlines()[:1]
    return bool(first) and tuple(_fields(first[0])) == HEADER


def read_totals(path: Path, source: str) -> list[TotalsRow]:
    """Every row of a totals file; refuse any other layout, naming what is expected."""
    text = _decode(path.read_bytes())
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    records = [r for r in records if any(field.strip() for field in r)]
    if not records or tuple(f.strip().upper() for f in records[0]) != HEADER:
        found = ";".join(records[0]) if records else "an empty file"
        raise IngestError(
            source,
            f"not MDIC's totals layout: expected the header {';'.join(HEADER)}, found {found}",
        )
    return [_row(source, line, record) for line, record in enumerate(records[1:], start=2)]


def _row(source: str, line: int, record: list[str]) -> TotalsRow:
    if len(record) != len(HEADER):
        raise IngestError(source, f"line {line}: {len(record)} fields, expected {len(HEADER)}")
    arquivo, ano, qt, kg, fob, lines = (field.strip() for field in record)
    try:
        return TotalsRow(arquivo, int(ano), Decimal(qt), Decimal(kg), Decimal(fob), int(lines))
    except (ValueError, InvalidOperation):
        raise IngestError(
            source, f"line {line}: CO_ANO, QT_ESTAT, KG_LIQUIDO, VL_FOB and NUMERO_LINHAS "
            f"must be numbers, found {';'.join(record)}"
        ) from None  # fmt: skip


def store(
    cur: Cursor, rows: list[TotalsRow], source: str, batch_id: str, mtime: datetime | None
) -> None:
    """Upsert the rows: a newer totals file replaces the rows it carries."""
    statement = sqlfiles.queries("totals")["store_totals"]
    for row in rows:
        cur.execute(statement, {**asdict(row), "source": source, "batch": batch_id, "mtime": mtime})
