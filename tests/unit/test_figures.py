"""Shares, growth, unit values and concentration keep PostgreSQL's NUMERIC rounding
(half away from zero), whatever engine summed the values."""

from decimal import Decimal

from bgc_api.figures import concentration, growth, share, unit_value

D = Decimal


def test_a_share_rounds_half_away_from_zero() -> None:
    assert share(D("1"), D("8")) == D("12.50")
    assert share(D("1"), D("800")) == D("0.13")  # 0.125
    assert share(D("2"), D("3")) == D("66.67")


def test_a_share_of_nothing_is_none() -> None:
    assert share(D("5"), D("0")) is None
    assert share(D("5"), None) is None
    assert share(None, D("5")) is None


def test_growth_rounds_losses_away_from_zero_too() -> None:
    assert growth(D("150"), D("100")) == D("50.00")
    assert growth(D("99.875"), D("100")) == D("-0.13")  # -0.125
    assert growth(D("0"), D("100")) == D("-100.00")


def test_growth_without_a_base_is_none() -> None:
    assert growth(D("10"), D("0")) is None
    assert growth(D("10"), None) is None
    assert growth(None, D("10")) is None


def test_unit_value_has_four_places() -> None:
    assert unit_value(D("10"), D("3")) == D("3.3333")
    assert unit_value(D("10"), D("0")) is None


def test_concentration_of_four_items() -> None:
    # shares 40, 30, 20, 10: HHI 1600 + 900 + 400 + 100
    assert concentration([D("40"), D("30"), D("20"), D("10")]) == (
        D("3000.00"), D("40.00"), D("100.00"),
    )  # fmt: skip


def test_concentration_of_one_item_and_of_none() -> None:
    assert concentration([D("7.25")]) == (D("10000.00"), D("100.00"), D("100.00"))
    assert concentration([]) == (None, None, None)


def test_concentration_of_thirds_rounds_once_at_the_end() -> None:
    hhi, top1, top5 = concentration([D("1"), D("1"), D("1")])
    assert (hhi, top1, top5) == (D("3333.33"), D("33.33"), D("100.00"))
