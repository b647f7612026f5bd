"""The balance's arithmetic: a partial year against the same months of the year before,
and the change of a deficit measured against its size."""

from decimal import Decimal

from bgc_api import balance
from bgc_api.schemas import SerieItem


def months(ano: int, values: dict[int, int]) -> list[SerieItem]:
    return [SerieItem(ano, mes, Decimal(usd), Decimal(0)) for mes, usd in values.items()]


def test_a_partial_year_is_compared_with_the_same_months_before() -> None:
    exports = months(2023, {m: 10 for m in range(1, 13)}) + months(2024, {1: 15, 2: 15})
    imports = months(2023, {m: 20 for m in range(1, 13)}) + months(2024, {1: 10})
    first, second = balance.yearly(exports, imports)
    assert (first.exportacao_usd, first.saldo_usd, first.saldo_variacao_pct) == (120, -120, None)
    # 2024 (January and February) against January and February of 2023
    assert (second.exportacao_usd, second.importacao_usd) == (30, 10)
    assert second.exportacao_variacao_pct == Decimal("50.00")  # 30 against 20
    assert second.importacao_variacao_pct == Decimal("-75.00")  # 10 against 40
    assert second.saldo_variacao_pct == Decimal("200.00")  # +20 against -20: a rise
    assert balance.totals([first, second]) == (150, 250, -100, 400)


def test_a_shrinking_deficit_is_a_rise_and_a_month_without_a_year_before_has_none() -> None:
    exports = months(2023, {1: 50}) + months(2024, {1: 75, 2: 10})
    imports = months(2023, {1: 150}) + months(2024, {1: 125})
    january, february = balance.monthly(2024, exports, imports)
    assert january.saldo_variacao_pct == Decimal("50.00")  # -50 against -100
    assert february.saldo_variacao_pct is None  # February 2023: nothing to compare
    assert balance.monthly(2023, exports, imports)[0].exportacao_variacao_pct is None
