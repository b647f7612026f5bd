"""Which rows of the pair table a filtered answer reads (pure functions of its scope).
A ``conjunto`` has a bit for each column its rows are not split by: pais 32, setor 16,
uf 8, via 4, urf 2, ncm 1; and 64 when its NCMs are summed by heading (SH4)."""

import pytest

from bgc_api.repository import Scope, one_row_per_code, pair_set


@pytest.mark.parametrize(
    ("scope", "ranked", "conjunto"),
    [
        (Scope(pais="China"), "uf", 16 + 4 + 2 + 1),  # split by country and state
        (Scope(uf="SP"), "ncm", 32 + 4 + 2),  # uf, ncm and the NCM's sector
        (Scope(via="01"), "sh4", 64 + 32 + 8 + 2),  # headings answer SH4
        (Scope(via="01"), "sh2", 64 + 32 + 8 + 2),  # and SH2
        (Scope(ncm="1201"), "pais", 64 + 8 + 4 + 2),  # and a filter of four digits
        (Scope(ncm="120190"), "pais", 8 + 4 + 2),  # six digits need the NCMs
        (Scope(via="01"), "sh6", 32 + 8 + 2),
        (Scope(via="01"), "fator", 32 + 8 + 2),  # a class is known by NCM
        (Scope(bloco="22"), "uf", 16 + 4 + 2 + 1),  # a bloc filters its countries
        (Scope(uf="SP", via="01"), "ncm", None),  # three columns: the facts
        (Scope(uf="SP", mes_de=1), "ncm", 32 + 4 + 2),  # a span: the same rows' months
        (Scope(mes_de=1, mes_ate=6), "pais", 16 + 8 + 4 + 2 + 1),  # a span alone
    ],
)
def test_the_pair_set_holds_the_filter_and_the_ranked_columns(
    scope: Scope, ranked: str, conjunto: int | None
) -> None:
    assert pair_set(scope, ranked) == conjunto


@pytest.mark.parametrize(
    ("scope", "ranked"),
    [
        (Scope(uf="SP"), "ncm"),
        (Scope(pais="China"), "uf"),
        (Scope(setor="Agropecuária"), "ncm"),
        (Scope(ncm="1201"), "ncm"),  # a prefix of the ranked column itself
        (Scope(ncm="12019000"), "setor"),  # one NCM has its sector's row
        (Scope(bloco="22"), "pais"),  # a bloc's countries, one row each
    ],
)
def test_rows_held_to_one_code_per_filter_are_taken_as_they_are(scope: Scope, ranked: str) -> None:
    assert one_row_per_code(scope, ranked)


@pytest.mark.parametrize(
    ("scope", "ranked"),
    [
        (Scope(via="01"), "sh4"),  # an HS level sums its NCMs
        (Scope(uf="SP"), "fator"),  # a class sums its NCMs
        (Scope(uf="MG"), "bloco"),  # a bloc sums its countries
        (Scope(bloco="22"), "uf"),  # each country of the bloc has its row per state
        (Scope(ncm="12"), "urf"),  # each NCM of the chapter has its row per unit
        (Scope(ncm="12"), "setor"),  # each NCM of the chapter has its sector's row
        (Scope(uf="SP", via="01"), "ncm"),  # no pair set: the facts
        (Scope(uf="SP", mes_ate=6), "ncm"),  # a span: each year's rows, summed by code
    ],
)
def test_rows_left_with_several_codes_are_summed(scope: Scope, ranked: str) -> None:
    assert not one_row_per_code(scope, ranked)
