"""Year-to-date and rolling 12-month sums of a monthly series (pure functions)."""

from decimal import Decimal

from bgc_api.schemas import SerieItem
from bgc_api.series import rolling_12_months, year_to_date


def months(*values: tuple[int, int, int]) -> list[SerieItem]:
    return [SerieItem(ano, mes, Decimal(usd), Decimal(usd * 10)) for ano, mes, usd in values]


def usd(items: list[SerieItem]) -> list[tuple[int, int, Decimal]]:
    return [(i.ano, i.mes, i.total_usd) for i in items]


def test_year_to_date_restarts_each_january() -> None:
    series = months((2024, 11, 1), (2024, 12, 2), (2025, 1, 5), (2025, 3, 1))
    assert usd(year_to_date(series)) == [(2024, 11, 1), (2024, 12, 3), (2025, 1, 5), (2025, 3, 6)]
    assert [i.total_kg for i in year_to_date(series)] == [10, 30, 50, 60]


def test_rolling_sums_start_once_twelve_months_are_covered() -> None:
    series = months(*[(2024, m, m) for m in range(1, 13)], (2025, 1, 13), (2025, 2, 14))
    assert usd(rolling_12_months(series)) == [(2024, 12, 78), (2025, 1, 90), (2025, 2, 102)]


def test_a_month_without_exports_counts_as_zero() -> None:
    series = months((2024, 1, 100), (2024, 6, 5), (2025, 1, 7))
    assert usd(rolling_12_months(series)) == [(2025, 1, 12)]


def test_rolling_sums_can_be_cut_to_the_years_asked() -> None:
    series = months(*[(2023, m, 1) for m in range(1, 13)], (2024, 1, 2))
    assert usd(rolling_12_months(series, first_year=2024)) == [(2024, 1, 13)]
    assert rolling_12_months([]) == []
