"""Answers with one filter come from the Parquet snapshots, comparing each year with the
year before over the same months. Here the latest year is partial (January to August) and
a project-layout file adds rows without state, route or unit: every figure is computed
from the files, never from the views."""

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from litestar.testing import TestClient

from bgc_api.app import create_app
from bgc_core import views
from bgc_pipeline.ingest import load_file
from tests.integration.test_api_dimensions import (
    PROJECT_ROWS,
    Row,
    answered,
    expected_concentration,
    expected_movers,
    expected_ranking,
    official_rows,
    project_rows,
    ranked,
    rounded,
)
from tests.integration.test_staging_partitions import yearly_file
from tests.support.fixtures import StateCopy
from tests.support.settings import api_settings

LAST_MONTH = 8
COUNTRY_CODES = {"China": "160", "Chile": "158"}
"""The project layout names its countries; the official one codes them."""


def through_august(path: Path) -> Path:
    """The file with only its rows of January to August: a year MDIC is still publishing."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    kept = [line for line in body if int(next(csv.reader([line], delimiter=";"))[1]) <= LAST_MONTH]
    path.write_text(header + "".join(kept), encoding="utf-8")
    return path


def load_partial_year(url: str, folder: Path) -> list[Row]:
    """2024 whole, 2025 through August and a project-layout file, refreshed: their rows."""
    full = yearly_file(folder, 2024, seed=21, rows=900)
    partial = through_august(yearly_file(folder, 2025, seed=22, rows=900))
    project = folder / "projeto_2025.csv"
    project.write_text(PROJECT_ROWS, encoding="utf-8")
    for path in (full, partial, project):
        assert load_file(url, path).rows_rejected == 0
    rows = (
        official_rows(full)
        + official_rows(partial)
        + [
            replace(r, codes={**r.codes, "pais": COUNTRY_CODES[r.codes["pais"]]})
            for r in project_rows(project)
        ]
    )
    assert max(r.mes for r in rows if r.ano == 2025) == LAST_MONTH
    views.refresh_all(url)
    return rows


@pytest.fixture
def partial_year(state_copy: StateCopy) -> tuple[str, list[Row]]:
    """The partial year's files, refreshed, in a database of this test's own."""
    return state_copy(load_partial_year)


@pytest.fixture
def client(partial_year: tuple[str, list[Row]]) -> Iterator[TestClient]:  # type: ignore[type-arg]
    url, _ = partial_year
    with TestClient(app=create_app(api_settings(), database_url=url, access_log=False)) as test:
        yield test


def leading(rows: list[Row], dimension: str) -> str:
    """The code of ``dimension`` with the most rows of 2025."""
    counts: dict[str, int] = {}
    for row in rows:
        code = row.codes[dimension]
        if row.ano == 2025 and code is not None:
            counts[code] = counts.get(code, 0) + 1
    return max(counts, key=lambda c: (counts[c], c))


@pytest.mark.parametrize(
    ("dimension", "filtered_by"),
    [("uf", "pais"), ("sh4", "uf"), ("ncm", "via"), ("urf", "sh2"), ("fator", "urf")],
)
def test_a_ranking_with_one_filter_compares_the_same_months(
    client: TestClient,  # type: ignore[type-arg]
    partial_year: tuple[str, list[Row]],
    dimension: str,
    filtered_by: str,
) -> None:
    _, rows = partial_year
    code = leading(rows, filtered_by)
    kept = [r for r in rows if r.codes[filtered_by] == code]
    expected = expected_ranking(kept, dimension, 2025, 1, LAST_MONTH)
    parameter = "ncm" if filtered_by.startswith("sh") else filtered_by
    body = answered(client, f"/v1/metrics/{dimension}?{parameter}={code}&limit=1000")
    assert ranked(body) == expected["items"]
    assert (body["periodo"], body["cobertura"]) == (expected["periodo"], expected["cobertura"])
    assert any(item["variacaoPct"] is not None for item in body["items"])


@pytest.mark.parametrize("dimension", ["sh4", "ncm"])
def test_movers_within_a_state_compare_january_to_august(
    client: TestClient,  # type: ignore[type-arg]
    partial_year: tuple[str, list[Row]],
    dimension: str,
) -> None:
    _, rows = partial_year
    uf = leading(rows, "uf")
    kept = [r for r in rows if r.codes["uf"] == uf]
    gains, losses = expected_movers(kept, dimension, 2025, 1, LAST_MONTH, 4)
    body = answered(client, f"/v1/metrics/variacao/{dimension}?uf={uf}&limit=4")
    for field, expected in (("altas", gains), ("quedas", losses)):
        got = [(i["codigo"], i["totalUsd"], i["totalUsdAnterior"]) for i in body[field]]
        assert got == expected, field
    assert (body["periodo"], body["comparado"]) == (
        {"de": "2025-01", "ate": "2025-08"}, {"de": "2024-01", "ate": "2024-08"},
    )  # fmt: skip


def test_concentration_and_summary_of_a_chapter(
    client: TestClient,  # type: ignore[type-arg]
    partial_year: tuple[str, list[Row]],
) -> None:
    _, rows = partial_year
    chapter = leading(rows, "sh2")
    kept = [r for r in rows if r.codes["sh2"] == chapter]
    body = answered(client, f"/v1/metrics/concentracao?ncm={chapter}")
    for field, dimension in (("paises", "pais"), ("produtos", "sh4")):
        expected = expected_concentration(kept, dimension, 2025, 1, LAST_MONTH)
        assert abs(body[field].pop("hhi") - expected.pop("hhi")) <= Decimal("0.01"), field
        assert body[field] == expected, field
    resumo = answered(client, f"/v1/metrics/resumo?ncm={chapter}")
    assert resumo["totalUsd"] == sum(r.usd for r in kept)
    assert resumo["anos"] == [2024, 2025]
    assert resumo["paisesCount"] == len({r.codes["pais"] for r in kept})


def expected_countries(kept: list[Row]) -> list[tuple[str, Decimal, Decimal | None]]:
    """(code, 2025 value, growth) of each country: growth through the scope's own last
    month of 2025, in both years."""
    month = max(r.mes for r in kept if r.ano == 2025)
    now: dict[str, Decimal] = defaultdict(Decimal)
    through: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for r in kept:
        code = str(r.codes["pais"])
        if r.ano == 2025:
            now[code] += r.usd
        if r.mes <= month:
            through[(code, r.ano)] += r.usd
    items = [
        (code, rounded(usd, "0.01"), rounded(100 * (through[(code, 2025)] - before) / before, "0.01")
         if (before := through[(code, 2024)]) else None)
        for code, usd in now.items()
    ]  # fmt: skip
    return sorted(items, key=lambda i: (-i[1], i[0]))


def ended_early(rows: list[Row]) -> str:
    """An NCM whose 2025 rows stop before August while 2024 has rows after that month."""
    last: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.ano == 2025 and r.codes["ncm"]:
            last[str(r.codes["ncm"])] = max(last[str(r.codes["ncm"])], r.mes)
    early = [
        code for code, month in last.items()
        if month < LAST_MONTH and any(r.ano == 2024 and r.codes["ncm"] == code and r.mes > month
                                      and r.mes <= LAST_MONTH for r in rows)
    ]  # fmt: skip
    assert early, "the fixture has an NCM whose 2025 ends early"
    return max(early, key=lambda c: (sum(r.codes["ncm"] == c for r in rows), c))


def test_a_country_ranking_with_one_filter_compares_through_the_scopes_last_month(
    client: TestClient,  # type: ignore[type-arg]
    partial_year: tuple[str, list[Row]],
) -> None:
    """Through August for a state, through the scope's own last month for a product
    that stopped earlier."""
    _, rows = partial_year
    uf, ncm = leading(rows, "uf"), ended_early(rows)
    for parameter, code, dimension in (("uf", uf, "uf"), ("ncm", ncm, "ncm")):
        kept = [r for r in rows if r.codes[dimension] == code]
        body = answered(client, f"/v1/metrics/pais?ano=2025&{parameter}={code}&limit=1000")
        got = [(i["codigo"], i["totalUsd"], i["variacaoPct"]) for i in body["items"]]
        assert got == expected_countries(kept), parameter


TWO_SECTORS = "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n" + (
    "2024,3,China,Agropecuária,12019000,100.10,10\n"
    "2024,5,China,Indústria de Transformação,12019000,50.05,5\n"
    "2025,3,China,Agropecuária,12019000,300.30,30\n"
    "2025,4,China,Indústria de Transformação,12019000,20.02,2\n"
    "2025,4,China,Agropecuária,09011110,7.00,1\n"
    "2025,6,Chile,Agropecuária,12019000,1.00,1\n"
)
"""A project-layout file that gives one NCM two sectors, so the snapshot rows of each
(country, NCM) are split in two and must be summed again."""


def test_an_ncm_a_file_gives_two_sectors_is_one_item(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "dois_setores.csv"
    path.write_text(TWO_SECTORS, encoding="utf-8")
    assert load_file(database_url, path).rows_rejected == 0
    views.refresh_all(database_url)
    with TestClient(
        app=create_app(api_settings(), database_url=database_url, access_log=False)
    ) as client:
        body = answered(client, "/v1/metrics/ncm?pais=China")
        moves = answered(client, "/v1/metrics/variacao/ncm?pais=160")
    # 2025 through June against 2024 through June: 320.32 against 150.15.
    items = [(i["codigo"], i["totalUsd"], i["totalKg"], i["variacaoPct"]) for i in body["items"]]
    assert items == [
        ("12019000", Decimal("320.32"), Decimal("32.000"), Decimal("113.33")),
        ("09011110", Decimal("7.00"), Decimal("1.000"), None),
    ]
    assert [(i["codigo"], i["diferencaUsd"]) for i in moves["altas"]] == [
        ("12019000", Decimal("170.17")), ("09011110", Decimal("7.00")),
    ]  # fmt: skip
