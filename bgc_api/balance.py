"""The trade balance from the two flows' monthly series: per year, or per month within a
year, each figure with its change over the same months of the year before.

Pure arithmetic over :class:`~bgc_api.schemas.SerieItem` values, so the balance always
agrees with ``/serie`` of each flow for the same scope (annual-only figures, which only
project-layout files without a month hold, are in neither).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from bgc_api import figures
from bgc_api.schemas import BalancaItem, SerieItem

Month = tuple[int, int]


def _by_month(items: Iterable[SerieItem]) -> dict[Month, Decimal]:
    return {(item.ano, item.mes): item.total_usd for item in items}


def _period_sums(
    exports: dict[Month, Decimal], imports: dict[Month, Decimal], months: Iterable[Month]
) -> tuple[Decimal, Decimal]:
    chosen = list(months)
    return (
        sum((exports.get(m, Decimal(0)) for m in chosen), Decimal(0)),
        sum((imports.get(m, Decimal(0)) for m in chosen), Decimal(0)),
    )


def _item(
    ano: int, mes: int | None, now: tuple[Decimal, Decimal], before: tuple[Decimal, Decimal] | None
) -> BalancaItem:
    exp, imp = now
    figures_now = (exp, imp, exp - imp, exp + imp)
    if before is None:
        changes: list[Decimal | None] = [None] * 4
    else:
        previous = (before[0], before[1], before[0] - before[1], before[0] + before[1])
        changes = [figures.change(a, b) for a, b in zip(figures_now, previous, strict=True)]
    return BalancaItem(ano, mes, *figures_now, *changes)


def yearly(exports: Iterable[SerieItem], imports: Iterable[SerieItem]) -> list[BalancaItem]:
    """One item per year present in either flow, against the same months of the year
    before (the months either flow has in the year)."""
    exp, imp = _by_month(exports), _by_month(imports)
    months: dict[int, set[int]] = defaultdict(set)
    for ano, mes in exp.keys() | imp.keys():
        months[ano].add(mes)
    held = set(months)
    items = []
    for ano in sorted(months):
        now = _period_sums(exp, imp, ((ano, m) for m in months[ano]))
        before = None
        if ano - 1 in held:
            before = _period_sums(exp, imp, ((ano - 1, m) for m in months[ano]))
        items.append(_item(ano, None, now, before))
    return items


def monthly(
    ano: int, exports: Iterable[SerieItem], imports: Iterable[SerieItem]
) -> list[BalancaItem]:
    """One item per month of ``ano`` present in either flow, against that month of the
    year before (when the year before has data)."""
    exp, imp = _by_month(exports), _by_month(imports)
    present = exp.keys() | imp.keys()
    had_year_before = any(a == ano - 1 for a, _ in present)
    items = []
    for mes in sorted(m for a, m in present if a == ano):
        now = _period_sums(exp, imp, [(ano, mes)])
        before = _period_sums(exp, imp, [(ano - 1, mes)]) if had_year_before else None
        items.append(_item(ano, mes, now, before))
    return items


def totals(items: Iterable[BalancaItem]) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """Exports, imports, balance and trade flow of the items together."""
    exp = imp = Decimal(0)
    for item in items:
        exp += item.exportacao_usd
        imp += item.importacao_usd
    return exp, imp, exp - imp, exp + imp
