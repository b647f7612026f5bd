"""MDIC's check files, ``EXP_TOTAIS_CONFERENCIA.csv`` and ``IMP_TOTAIS_CONFERENCIA.csv``:
one row per official yearly file.

``ARQUIVO;CO_ANO;QT_ESTAT;KG_LIQUIDO;VL_FOB;NUMERO_LINHAS``, ``;``-separated, fields
quoted or not, CP1252 or UTF-8; the import file may add ``VL_FRETE;VL_SEGURO`` (before
``NUMERO_LINHAS``). Dropped into the landing folder it is recognised by its name or its
header, stored in ``cfg.totais_conferencia`` and never loaded as data; each yearly file
is then reconciled against it (``rpt.conferencia_mdic``, ``rpt.conferencia_mdic_importacao``).
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
from bgc_core.domain import EXPORTS, IMPORTS
from bgc_pipeline.ingest.errors import IngestError

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as Cursor  # noqa: N812

LAYOUT = "totais"
HEADER = ("ARQUIVO", "CO_ANO", "QT_ESTAT", "KG_LIQUIDO", "VL_FOB", "NUMERO_LINHAS")
IMPORT_HEADER = (*HEADER[:5], "VL_FRETE", "VL_SEGURO", HEADER[5])
HEADERS = (HEADER, IMPORT_HEADER)
NAME_PREFIXES = {"EXP_TOTAIS": EXPORTS, "IMP_TOTAIS": IMPORTS}
_HEAD_BYTES = 4096


@dataclass(frozen=True)
class TotalsRow:
    arquivo: str
    co_ano: int
    qt_estat: Decimal
    kg_liquido: Decimal
    vl_fob: Decimal
    numero_linhas: int
    vl_frete: Decimal | None = None
    vl_seguro: Decimal | None = None


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else CP1252; bytes neither decodes (not a text file,
    or a head cut inside a character) become U+FFFD."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _fields(line: str) -> list[str]:
    return [field.strip().strip('"').strip().upper() for field in line.split(";")]


def _prefix_flow(name: str) -> str | None:
    upper = name.upper()
    return next((flow for prefix, flow in NAME_PREFIXES.items() if upper.startswith(prefix)), None)


def _first_fields(path: Path) -> tuple[str, ...]:
    with path.open("rb") as fh:
        first = _decode(fh.read(_HEAD_BYTES)).splitlines()[:1]
    return tuple(_fields(first[0])) if first else ()


def is_totals_file(path: Path) -> bool:
    """Named like one of MDIC's totals files, or headed like one."""
    return _prefix_flow(path.name) is not None or _first_fields(path) in HEADERS


def flow_of(path: Path) -> str:
    """The flow whose files a totals file checks: from its name, else from freight and
    insurance in its header, else exports."""
    by_name = _prefix_flow(path.name)
    if by_name:
        return by_name
    return IMPORTS if _first_fields(path) == IMPORT_HEADER else EXPORTS


def read_totals(path: Path, source: str) -> list[TotalsRow]:
    """Every row of a totals file; refuse any other layout, naming what is expected."""
    text = _decode(path.read_bytes())
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    records = [r for r in records if any(field.strip() for field in r)]
    header = tuple(f.strip().upper() for f in records[0]) if records else ()
    if header not in HEADERS:
        found = ";".join(records[0]) if records else "an empty file"
        variant = f" or {';'.join(IMPORT_HEADER)}" if _prefix_flow(path.name) == IMPORTS else ""
        raise IngestError(
            source,
            f"not MDIC's totals layout: expected the header {';'.join(HEADER)}{variant}, "
            f"found {found}",
        )
    return [_row(source, line, header, record) for line, record in enumerate(records[1:], start=2)]


def _row(source: str, line: int, header: tuple[str, ...], record: list[str]) -> TotalsRow:
    if len(record) != len(header):
        raise IngestError(source, f"line {line}: {len(record)} fields, expected {len(header)}")
    fields = dict(zip(header, (field.strip() for field in record), strict=True))
    try:
        return TotalsRow(
            fields["ARQUIVO"], int(fields["CO_ANO"]), Decimal(fields["QT_ESTAT"]),
            Decimal(fields["KG_LIQUIDO"]), Decimal(fields["VL_FOB"]),
            int(fields["NUMERO_LINHAS"]),
            *(Decimal(fields[name]) for name in ("VL_FRETE", "VL_SEGURO") if name in fields),
        )  # fmt: skip
    except (ValueError, InvalidOperation):
        numbers = f"{', '.join(header[1:-1])} and {header[-1]}"
        raise IngestError(
            source, f"line {line}: {numbers} must be numbers, found {';'.join(record)}"
        ) from None  # fmt: skip


def store(
    cur: Cursor, rows: list[TotalsRow], source: str, batch_id: str, mtime: datetime | None
) -> None:
    """Upsert the rows: a newer totals file replaces the rows it carries."""
    statement = sqlfiles.queries("totals")["store_totals"]
    for row in rows:
        cur.execute(statement, {**asdict(row), "source": source, "batch": batch_id, "mtime": mtime})
