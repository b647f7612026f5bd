"""Independent expectations for ingest tests: totals computed with the csv module and Decimal."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from tests.support.db import query


def csv_totals(
    path: Path, value: str, weight: str, *, encoding: str = "utf-8-sig", delimiter: str = ";"
) -> tuple[int, Decimal, Decimal]:
    """(rows, sum of value, sum of weight) of a CSV, read with the standard library."""
    text = path.read_bytes().decode(encoding)
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
    clean = [{k.strip(): (v or "").strip() for k, v in row.items()} for row in rows]
    return (
        len(clean),
        sum((Decimal(r[value]) for r in clean), Decimal(0)),
        sum((Decimal(r[weight]) for r in clean), Decimal(0)),
    )


def stored_totals(url: str, source: str) -> tuple[int, Decimal, Decimal]:
    [(rows, usd, kg)] = query(
        url,
        "SELECT count(*), COALESCE(sum(valor_usd), 0), COALESCE(sum(peso_kg), 0) "
        "FROM stg.exportacao WHERE ingest_source = %s",
        (source,),
    )
    return int(rows), Decimal(usd), Decimal(kg)  # type: ignore[arg-type]


def staging_snapshot(url: str) -> list[tuple[object, ...]]:
    """Everything in staging, for 'nothing changed' assertions."""
    return query(
        url,
        "SELECT ingest_source, count(*), sum(valor_usd), sum(peso_kg) FROM stg.exportacao "
        "GROUP BY 1 ORDER BY 1",
    )
