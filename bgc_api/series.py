"""The monthly series read three ways: month by month, year to date, rolling 12 months.

Computed from the monthly values (a month without exports counts as zero), so the three
answers always agree with one another and with ``/serie``'s monthly figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Literal

from bgc_api.schemas import SerieItem

Periodo = Literal["mensal", "acumulado", "12meses"]
ROLLING_MONTHS = 12


def _index(ano: int, mes: int) -> int:
    return ano * 12 + mes - 1


def year_to_date(items: Iterable[SerieItem]) -> list[SerieItem]:
    """Each month's value summed from January of its year (acumulado no ano)."""
    out: list[SerieItem] = []
    usd = kg = Decimal(0)
    year = None
    for item in items:
        if item.ano != year:
            year, usd, kg = item.ano, Decimal(0), Decimal(0)
        usd += item.total_usd
        kg += item.total_kg
        out.append(SerieItem(item.ano, item.mes, usd, kg))
    return out


def rolling_12_months(items: Iterable[SerieItem], first_year: int | None = None) -> list[SerieItem]:
    """Each month's value summed over it and the 11 months before, from the first month
    whose window lies wholly after the first month present (earlier windows would be
    partial); only months from ``first_year`` on are returned."""
    months = list(items)
    if not months:
        return []
    values = {_index(i.ano, i.mes): (i.total_usd, i.total_kg) for i in months}
    start = _index(months[0].ano, months[0].mes)
    out = []
    for item in months:
        end = _index(item.ano, item.mes)
        if end - ROLLING_MONTHS + 1 < start or (first_year is not None and item.ano < first_year):
            continue
        window = [
            values.get(m, (Decimal(0), Decimal(0)))
            for m in range(end - ROLLING_MONTHS + 1, end + 1)
        ]
        usd = sum((u for u, _ in window), Decimal(0))
        kg = sum((k for _, k in window), Decimal(0))
        out.append(SerieItem(item.ano, item.mes, usd, kg))
    return out
