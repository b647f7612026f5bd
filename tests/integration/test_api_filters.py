"""Filters combine on every metrics endpoint: country (by name, Comex Stat or ISO3 code),
bloc, state, route, customs unit, NCM prefix, sector and months. Every expected figure is
computed here from the official-layout files and the reference CSVs, never from the views."""

import csv
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import TestClient

from bgc_api.app import create_app
from bgc_core import sqlfiles, views
from bgc_pipeline.ingest import load_file
from tests.integration.test_api_dimensions import (
    Row,
    answered,
    expected_concentration,
    expected_movers,
    expected_ranking,
    ranked,
    rounded,
    two_years,  # noqa: F401 (a fixture)
)
from tests.support.paths import FIXTURES
from tests.support.settings import api_settings

Predicate = Callable[[Row], bool]


def reference(table: str) -> list[dict[str, str]]:
    with sqlfiles.reference_file(table).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


BLOCS: dict[str, set[str]] = defaultdict(set)
for _row in reference("cfg.pais_bloco"):
    BLOCS[_row["co_bloco"]].add(_row["co_pais"])
SECTOR_OF = {r["ncm"]: r["isic_secao"] for r in reference("cfg.ncm_setor")}
COUNTRY = {r["co_pais"]: r for r in reference("cfg.pais")}


def kept_by(rows: list[Row], codes: dict[str, str]) -> list[Row]:
    """The rows every filter keeps: an HS level keeps the NCMs it prefixes, a sector the
    NCMs of its ISIC section, any other dimension its own code."""

    def keeps(row: Row, name: str, code: str) -> bool:
        if name in ("sh2", "sh4", "sh6"):
            return str(row.codes["ncm"]).startswith(code)
        if name == "setor":
            return SECTOR_OF[str(row.codes["ncm"])] == code
        return row.codes[name] == code

    return [r for r in rows if all(keeps(r, name, code) for name, code in codes.items())]


def query_of(codes: dict[str, str]) -> str:
    """The filters as query parameters (an HS level is an ``ncm`` prefix)."""
    return "&".join(f"{'ncm' if n.startswith('sh') else n}={c}" for n, c in codes.items())


def assert_ranked_from_the_files(
    client: TestClient,
    rows: list[Row],
    codes: dict[str, str],
    dimension: str,
    de: int,
    ate: int,
    months: str = "",
) -> None:
    """2025's ranking by ``dimension`` under the filters ``codes`` (and the ``months``
    parameters, if any) is the one summed from the rows they keep, months de..ate."""
    expected = expected_ranking(kept_by(rows, codes), dimension, 2025, de, ate)
    url = f"/v1/metrics/{dimension}?ano=2025{months}&{query_of(codes)}&limit=1000"
    body = answered(client, url)
    assert expected["items"], "the filters keep data"
    assert ranked(body) == expected["items"]
    assert body["total"] == len(expected["items"])


def assert_summarises(body: dict[str, Any], kept: list[Row]) -> None:
    """A /resumo answer holds the totals and the country and sector counts of ``kept``."""
    assert body["totalUsd"] == sum(r.usd for r in kept)
    assert body["totalKg"] == sum(r.kg for r in kept)
    assert body["paisesCount"] == len({r.codes["pais"] for r in kept})
    assert body["setoresCount"] == len({SECTOR_OF[str(r.codes["ncm"])] for r in kept})


def busiest(rows: list[Row], dimension: str) -> str:
    """The code of ``dimension`` with the most rows: a filter that keeps data."""
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[str(row.codes[dimension])] += 1
    return max(counts, key=lambda code: (counts[code], code))


@pytest.fixture
def client(two_years: tuple[str, list[Row]]) -> Iterator[TestClient]:  # noqa: F811
    url, _ = two_years
    with TestClient(app=create_app(api_settings(), database_url=url, access_log=False)) as test:
        yield test


def last_month(rows: list[Row], year: int) -> int:
    return max(r.mes for r in rows if r.ano == year)


@pytest.mark.parametrize(
    "dimension", ["uf", "ncm", "sh4", "sh2", "via", "urf", "fator", "cgce", "cuci"]
)
def test_a_dimension_ranking_with_a_country_and_a_state(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
    dimension: str,
) -> None:
    _, rows = two_years
    pais, uf = busiest(rows, "pais"), busiest(rows, "uf")
    keep: Predicate = lambda r: r.codes["pais"] == pais and r.codes["uf"] == uf  # noqa: E731
    filters = f"pais={pais}" + ("" if dimension == "uf" else f"&uf={uf}")
    if dimension == "uf":
        keep = lambda r: r.codes["pais"] == pais  # noqa: E731
    expected = expected_ranking([r for r in rows if keep(r)], dimension, 2025, 1,
                                last_month(rows, 2025))  # fmt: skip
    body = answered(client, f"/v1/metrics/{dimension}?{filters}&limit=1000")
    assert expected["items"], "the filter keeps data"
    assert ranked(body) == expected["items"]
    assert body["total"] == len(expected["items"])
    assert (body["periodo"], body["cobertura"]) == (expected["periodo"], Decimal("100.00"))


@pytest.mark.parametrize(
    ("filters", "dimension"),
    [
        (("uf", "via"), "ncm"),  # two columns beside the NCM
        (("uf", "via"), "sh4"),  # an HS level sums its NCMs
        (("pais", "urf"), "via"),  # three columns without the NCM
        (("via", "urf"), "pais"),  # the pais ranking's own query
        (("uf", "sh2"), "urf"),  # a chapter: each NCM of it counts
        (("uf", "via", "pais"), "ncm"),  # three filters
    ],
)
def test_a_ranking_with_two_or_three_filters(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
    filters: tuple[str, ...],
    dimension: str,
) -> None:
    _, rows = two_years
    codes = {name: busiest(rows, name) for name in filters}
    assert_ranked_from_the_files(client, rows, codes, dimension, 1, last_month(rows, 2025))


def test_resumo_and_concentration_with_a_state_and_a_route(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
) -> None:
    _, rows = two_years
    uf, via = busiest(rows, "uf"), busiest(rows, "via")
    kept = [r for r in rows if r.codes["uf"] == uf and r.codes["via"] == via]
    body = answered(client, f"/v1/metrics/resumo?ano=2025&uf={uf}&via={via}")
    assert_summarises(body, [r for r in kept if r.ano == 2025])
    concentration = answered(client, f"/v1/metrics/concentracao?uf={uf}&via={via}")
    ate = last_month(rows, 2025)
    for field, dimension in (("paises", "pais"), ("produtos", "sh4")):
        expected = expected_concentration(kept, dimension, 2025, 1, ate)
        assert abs(concentration[field].pop("hhi") - expected.pop("hhi")) <= Decimal("0.01")
        assert concentration[field] == expected, field


def test_an_ncm_prefix_and_a_span_of_months(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
) -> None:
    _, rows = two_years
    chapter = busiest(rows, "sh2")
    kept = [r for r in rows if str(r.codes["ncm"]).startswith(chapter)]
    expected = expected_ranking(kept, "uf", 2025, 2, 4)
    body = answered(client, f"/v1/metrics/uf?ncm={chapter}&mes_de=2&mes_ate=4&limit=1000")
    assert ranked(body) == expected["items"]
    assert body["periodo"] == {"de": "2025-02", "ate": "2025-04"}
    assert body["filters"] == {"ncm": chapter, "mes_de": 2, "mes_ate": 4}


@pytest.mark.parametrize(
    ("filtered", "dimension"),
    [
        ("uf", "sh4"),  # the state's headings
        ("uf", "ncm"),  # one row per NCM in each year, summed across the two
        ("sh2", "pais"),  # the pais ranking's own query
        ("pais", "via"),
        ("setor", "urf"),
    ],
)
def test_a_ranking_over_a_span_of_months_with_one_filter(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
    filtered: str,
    dimension: str,
) -> None:
    _, rows = two_years
    codes = {filtered: busiest(rows, filtered) if filtered != "setor" else "C"}
    assert_ranked_from_the_files(client, rows, codes, dimension, 2, 7, "&mes_de=2&mes_ate=7")


def test_resumo_over_a_span_of_months_with_a_state(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
) -> None:
    _, rows = two_years
    uf = busiest(rows, "uf")
    kept = [r for r in kept_by(rows, {"uf": uf}) if 2 <= r.mes <= 7]
    body = answered(client, f"/v1/metrics/resumo?uf={uf}&mes_de=2&mes_ate=7")
    assert_summarises(body, kept)
    assert body["anos"] == [2024, 2025]


def busiest_bloc(rows: list[Row]) -> str:
    """The bloc whose countries have the most rows: a filter that keeps data."""
    return max(BLOCS, key=lambda b: sum(r.codes["pais"] in BLOCS[b] for r in rows))


def series_items(body: dict[str, Any]) -> list[tuple[int, int, Decimal, Decimal]]:
    """A series answer's points: year, month, value, weight."""
    return [(i["ano"], i["mes"], i["totalUsd"], i["totalKg"]) for i in body["items"]]


def monthly_sums(rows: list[Row]) -> list[tuple[int, int, Decimal, Decimal]]:
    sums: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in rows:
        sums[(r.ano, r.mes)][0] += r.usd
        sums[(r.ano, r.mes)][1] += r.kg
    return [(ano, mes, usd, kg) for (ano, mes), (usd, kg) in sorted(sums.items())]


@pytest.mark.parametrize(
    "filters", [("uf",), ("via",), ("urf",), ("ncm",), ("sh6",), ("sh4",), ("pais", "sh2")]
)
def test_serie_with_filters_month_by_month(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
    filters: tuple[str, ...],
) -> None:
    _, rows = two_years
    codes = {name: busiest(rows, name) for name in filters}
    items = series_items(answered(client, f"/v1/metrics/serie?{query_of(codes)}"))
    assert items == monthly_sums(kept_by(rows, codes))
    assert len({ano for ano, *_ in items}) == 2


def test_serie_of_a_bloc_within_a_span_of_months(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
) -> None:
    _, rows = two_years
    bloc = busiest_bloc(rows)
    kept = [r for r in rows if r.codes["pais"] in BLOCS[bloc] and 3 <= r.mes <= 7]
    items = series_items(answered(client, f"/v1/metrics/serie?bloco={bloc}&mes_de=3&mes_ate=7"))
    assert items == monthly_sums(kept)
    assert {mes for _, mes, *_ in items} <= set(range(3, 8))


def test_annual_figures_count_in_december_but_not_in_a_series(
    two_years: tuple[str, list[Row]],  # noqa: F811
) -> None:
    """A web download without months (annual figures, 2024) beside the official files: a
    span through December holds its values, a monthly series has no point for them."""
    url, rows = two_years
    web = FIXTURES / "comexstat" / "exportacoes_carnes_sc_excerpt.csv"
    assert load_file(url, web).rows_rejected == 0
    views.refresh_all(url)
    with web.open(encoding="utf-8-sig", newline="") as handle:
        annual = [
            Row(int(r["Ano"]), 12, Decimal(r["Valor US$ FOB"]), Decimal(r["Quilograma Líquido"]),
                {"ncm": r["Código NCM"].strip()})
            for r in csv.DictReader(handle, delimiter=";")
        ]  # fmt: skip
    chapter = {"sh2": "02"}
    with TestClient(app=create_app(api_settings(), database_url=url, access_log=False)) as client:
        body = answered(
            client, f"/v1/metrics/ncm?ano=2024&mes_de=12&mes_ate=12&{query_of(chapter)}&limit=1000"
        )
        expected = expected_ranking(kept_by(rows, chapter) + annual, "ncm", 2024, 12, 12)
        assert ranked(body) == expected["items"]
        serie = answered(client, f"/v1/metrics/serie?ano=2024&{query_of(chapter)}")
    items = series_items(serie)
    assert items == monthly_sums([r for r in kept_by(rows, chapter) if r.ano == 2024])


def test_a_bloc_is_every_country_in_it(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
) -> None:
    _, rows = two_years
    bloc = busiest_bloc(rows)
    kept = [r for r in rows if r.codes["pais"] in BLOCS[bloc]]
    expected = expected_ranking(kept, "sh2", 2025, 1, last_month(rows, 2025))
    body = answered(client, f"/v1/metrics/sh2?bloco={bloc}&limit=1000")
    assert ranked(body) == expected["items"]
    resumo = answered(client, f"/v1/metrics/resumo?bloco={bloc}&ano=2025")
    assert resumo["totalUsd"] == sum(r.usd for r in kept if r.ano == 2025)


def test_the_country_by_name_code_or_iso3_is_the_same_filter(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
) -> None:
    _, rows = two_years
    code = busiest(rows, "pais")
    country = COUNTRY[code]
    answers = [
        answered(client, f"/v1/metrics/uf?pais={given}&limit=1000")["items"]
        for given in (code, country["iso3"], country["iso3"].lower(), country["no_pais"])
    ]
    assert all(items == answers[0] for items in answers)
    assert sum(i["totalUsd"] for i in answers[0]) == sum(
        r.usd for r in rows if r.codes["pais"] == code and r.ano == 2025
    )


def test_resumo_with_a_state_and_a_sector(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
) -> None:
    _, rows = two_years
    uf = busiest(rows, "uf")
    section = SECTOR_OF[str(busiest(rows, "ncm"))]
    kept = [r for r in rows if r.codes["uf"] == uf and SECTOR_OF[str(r.codes["ncm"])] == section]
    body = answered(client, f"/v1/metrics/resumo?uf={uf}&setor={section}")
    assert body["totalUsd"] == sum(r.usd for r in kept)
    assert body["totalKg"] == sum(r.kg for r in kept)
    assert body["paisesCount"] == len({r.codes["pais"] for r in kept})
    assert body["setoresCount"] == 1
    assert body["anos"] == [2024, 2025]
    assert body["filters"] == {"uf": uf, "setor": section}


def test_pais_ranking_with_a_state_keeps_its_fields_and_gains_code_and_name(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
) -> None:
    _, rows = two_years
    uf = busiest(rows, "uf")
    kept = [r for r in rows if r.codes["uf"] == uf]
    month = last_month(kept, 2025)
    now: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    through: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for r in kept:
        code = str(r.codes["pais"])
        if r.ano == 2025:
            now[code][0] += r.usd
            now[code][1] += r.kg
        if r.mes <= month:
            through[(code, r.ano)] += r.usd
    scope = sum(usd for usd, _ in now.values())
    body = answered(client, f"/v1/metrics/pais?ano=2025&uf={uf}&limit=1000&lang=en")
    expected = sorted(
        (
            {
                "pais": COUNTRY[code]["no_pais"],
                "totalUsd": rounded(usd, "0.01"),
                "totalKg": rounded(kg, "0.001"),
                "participacaoPct": rounded(100 * usd / scope, "0.01"),
                "anos": [2025],
                "variacaoPct": rounded(
                    100 * (through[(code, 2025)] - through[(code, 2024)]) / through[(code, 2024)],
                    "0.01",
                ) if through[(code, 2024)] else None,
                "usdPorKg": rounded(usd / kg, "0.0001"),
                "codigo": code,
                "nome": COUNTRY[code]["no_pais_ing"] or COUNTRY[code]["no_pais"],
            }
            for code, (usd, kg) in now.items()
        ),
        key=lambda i: (-i["totalUsd"], i["pais"]),
    )  # fmt: skip
    assert body["items"] == expected
    assert body["total"] == len(expected)


def test_setor_ranking_with_an_ncm_chapter(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
) -> None:
    _, rows = two_years
    chapter = busiest(rows, "sh2")
    kept = [r for r in rows if str(r.codes["ncm"]).startswith(chapter) and r.ano == 2025]
    body = answered(client, f"/v1/metrics/setor?ano=2025&ncm={chapter}&limit=1000")
    by_section: dict[str, Decimal] = defaultdict(Decimal)
    for r in kept:
        by_section[SECTOR_OF[str(r.codes["ncm"])]] += r.usd
    assert {i["codigo"]: i["totalUsd"] for i in body["items"]} == by_section


def test_serie_with_a_route_and_a_customs_unit(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
) -> None:
    _, rows = two_years
    via, urf, uf = busiest(rows, "via"), busiest(rows, "urf"), busiest(rows, "uf")
    monthly: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for r in rows:
        if (r.codes["via"], r.codes["urf"], r.codes["uf"]) == (via, urf, uf) and r.mes >= 6:
            monthly[(r.ano, r.mes)] += r.usd
    body = answered(client, f"/v1/metrics/serie?via={via}&urf={urf}&uf={uf}&mes_de=6")
    assert [(i["ano"], i["mes"], i["totalUsd"]) for i in body["items"]] == [
        (ano, mes, usd) for (ano, mes), usd in sorted(monthly.items())
    ]
    one_year = answered(client, f"/v1/metrics/serie?ano=2024&uf={uf}")["items"]
    assert {i["ano"] for i in one_year} == {2024}


def test_concentration_of_a_state_by_country_and_by_heading(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
) -> None:
    _, rows = two_years
    uf = busiest(rows, "uf")
    kept = [r for r in rows if r.codes["uf"] == uf]
    body = answered(client, f"/v1/metrics/concentracao?uf={uf}&mes_de=3")
    ate = last_month(rows, 2025)
    for field, dimension in (("paises", "pais"), ("produtos", "sh4")):
        expected = expected_concentration(kept, dimension, 2025, 3, ate)
        assert abs(body[field].pop("hhi") - expected.pop("hhi")) <= Decimal("0.01"), field
        assert body[field] == expected, field
    unfiltered = answered(client, "/v1/metrics/concentracao?mes_de=3")
    assert unfiltered["paises"]["itens"] > body["paises"]["itens"], "the filter narrows"
    assert body["periodo"] == {"de": "2025-03", "ate": f"2025-{ate:02d}"}
    assert body["filters"] == {"uf": uf, "mes_de": 3}


@pytest.mark.parametrize("dimension", ["sh4", "uf", "fator"])
def test_movers_within_a_country(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
    dimension: str,
) -> None:
    _, rows = two_years
    pais = busiest(rows, "pais")
    kept = [r for r in rows if r.codes["pais"] == pais]
    gains, losses = expected_movers(kept, dimension, 2025, 2, 9, 3)
    assert gains or losses
    body = answered(
        client, f"/v1/metrics/variacao/{dimension}?pais={pais}&mes_de=2&mes_ate=9&limit=3"
    )
    for field, expected in (("altas", gains), ("quedas", losses)):
        got = [(i["codigo"], i["totalUsd"], i["totalUsdAnterior"]) for i in body[field]]
        assert got == expected, field
    assert (body["periodo"], body["comparado"]) == (
        {"de": "2025-02", "ate": "2025-09"}, {"de": "2024-02", "ate": "2024-09"},
    )  # fmt: skip


def test_movers_by_sector_within_a_chapter_over_a_span_of_months(
    client: TestClient,
    two_years: tuple[str, list[Row]],  # noqa: F811
) -> None:
    _, rows = two_years
    chapter = busiest(rows, "sh2")
    values: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        if str(row.codes["ncm"]).startswith(chapter):
            values[SECTOR_OF[str(row.codes["ncm"])]][row.ano == 2024] += row.usd
    body = answered(client, f"/v1/metrics/variacao/setor?ncm={chapter}&ano=2025&mes_ate=12")
    moved = {
        i["codigo"]: (i["totalUsd"], i["totalUsdAnterior"]) for i in body["altas"] + body["quedas"]
    }
    assert len(moved) == len({s for s, (now, before) in values.items() if now != before})
    assert sorted(moved.values()) == sorted(
        (now, before) for now, before in values.values() if now != before
    )


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("pais=Atlantida", "pais"), ("uf=XX", "uf"), ("bloco=999", "bloco"), ("via=98", "via"),
     ("urf=1234567", "urf"), ("ncm=9800", "ncm"), ("setor=Z", "setor")],
)  # fmt: skip
def test_an_unknown_code_is_a_400_naming_parameter_and_value(
    client: TestClient, query: str, parameter: str
) -> None:
    answer = client.get(f"/v1/metrics/sh2?{query}")
    assert answer.status_code == 400, answer.text
    [problem] = answer.json()["invalid_params"]
    assert problem["name"] == parameter
    assert repr(query.split("=")[1]) in problem["reason"]


def test_a_known_code_without_data_is_an_empty_page(client: TestClient) -> None:
    body = answered(client, "/v1/metrics/uf?pais=Groenlândia")
    assert (body["items"], body["total"]) == ([], 0)
    assert body["periodo"] is not None
    assert answered(client, "/v1/metrics/resumo?uf=AC&ncm=01")["totalUsd"] == 0
