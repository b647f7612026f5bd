"""Shares, growth, unit values and concentration from exact sums.

DuckDB divides decimals in DOUBLE; these keep PostgreSQL's NUMERIC results instead
(``ROUND(100 * part / whole, 2)``: half away from zero), so an answer from the snapshots
reads exactly as the same answer from the views.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Context, Decimal

_CONTEXT = Context(prec=40)
CENT = Decimal("0.01")
TEN_THOUSANDTH = Decimal("0.0001")


def _ratio(numerator: Decimal, denominator: Decimal, places: Decimal) -> Decimal:
    return _CONTEXT.divide(numerator, denominator).quantize(places, rounding=ROUND_HALF_UP)


def share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (2 places); ``None`` without a whole."""
    if part is None or not whole:
        return None
    return _ratio(100 * part, whole, CENT)


def growth(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """The change from ``previous`` to ``current`` in percent (2 places); ``None`` when
    either is missing or ``previous`` is zero."""
    if current is None or not previous:
        return None
    return _ratio(100 * (current - previous), previous, CENT)


def change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """The change from ``previous`` to ``current`` in percent of ``|previous|`` (2 places),
    so a deficit that shrinks is a rise; the same as ``growth`` for positive figures."""
    if current is None or not previous:
        return None
    return _ratio(100 * (current - previous), abs(previous), CENT)


def unit_value(usd: Decimal | None, kg: Decimal | None) -> Decimal | None:
    """USD per kg (4 places); ``None`` without weight."""
    if usd is None or not kg:
        return None
    return _ratio(usd, kg, TEN_THOUSANDTH)


def concentration(
    values: Sequence[Decimal],
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """The Herfindahl-Hirschman index (sum of squared percentage shares, 0 to 10,000) and
    the shares of the first and of the first five of ``values``, largest first."""
    if not values:
        return None, None, None
    whole = sum(values, Decimal(0))
    shares = [_CONTEXT.divide(100 * value, whole) for value in values]
    hhi = sum((_CONTEXT.multiply(s, s) for s in shares), Decimal(0))
    top5 = sum(shares[:5], Decimal(0))
    return (
        hhi.quantize(CENT, rounding=ROUND_HALF_UP),
        shares[0].quantize(CENT, rounding=ROUND_HALF_UP),
        top5.quantize(CENT, rounding=ROUND_HALF_UP),
    )
