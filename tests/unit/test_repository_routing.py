"""Which local table answers a scope: an NCM prefix as a range of integer NCMs, and a
series with one filter from the monthly sums."""

import pytest

from bgc_api.repository import Scope, _ncm_range, _one_filter


@pytest.mark.parametrize(
    ("prefix", "first", "last"),
    [
        ("12", 12_000_000, 12_999_999),
        ("0201", 2_010_000, 2_019_999),
        ("020130", 2_013_000, 2_013_099),
        ("87032310", 87_032_310, 87_032_310),
        (None, None, None),
    ],
)
def test_an_ncm_prefix_is_a_range_of_integer_ncms(
    prefix: str | None, first: int | None, last: int | None
) -> None:
    assert _ncm_range(prefix) == (first, last)


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (Scope(uf="SP"), ("uf", ["SP"])),
        (Scope(urf="0817800", ano_de=2020, mes_de=1, mes_ate=6), ("urf", ["0817800"])),
        (Scope(ncm="12"), ("sh2", ["12"])),
        (Scope(ncm="1201"), ("sh4", ["1201"])),
        (Scope(ncm="120190"), ("sh6", ["120190"])),
        (Scope(ncm="12019000"), ("ncm", ["12019000"])),
        (Scope(bloco="22"), ("bloco", ["22"])),
        (Scope(uf="SP", via="01"), None),
        (Scope(pais="China", uf="SP"), None),
        (Scope(setor="Agropecuária"), None),
        (Scope(), None),
    ],
)
def test_a_series_with_one_filter_reads_the_monthly_sums(
    scope: Scope, expected: tuple[str, list[str]] | None
) -> None:
    assert _one_filter(scope) == expected
