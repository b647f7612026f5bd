"""Rankings by official code (state, route, customs unit, NCM and HS levels) over a span of
months, with names, shares of the whole scope, growth over the same months of the year
before and coverage. Every expected figure is computed here from the files themselves."""

import csv
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from bgc_api.app import create_app
from bgc_core import views
from bgc_pipeline.ingest import load_file
from tests.integration.test_staging_partitions import yearly_file
from tests.support.fixtures import StateCopy
from tests.support.paths import REPO_ROOT
from tests.support.settings import api_settings

REFERENCE = REPO_ROOT / "sql" / "reference"

with open(REFERENCE / "ncm_classes.csv", encoding="utf-8", newline="") as _handle:
    CLASSES = {r["ncm"]: r for r in csv.DictReader(_handle)}
"""The official classifications of each NCM (fator agregado, CGCE level 1, CUCI section)."""
CODE_OF = {
    "pais": lambda r: r["CO_PAIS"],
    "uf": lambda r: r["SG_UF_NCM"],
    "via": lambda r: r["CO_VIA"],
    "urf": lambda r: r["CO_URF"],
    "ncm": lambda r: r["CO_NCM"],
    "sh6": lambda r: r["CO_NCM"][:6],
    "sh4": lambda r: r["CO_NCM"][:4],
    "sh2": lambda r: r["CO_NCM"][:2],
    "fator": lambda r: CLASSES[r["CO_NCM"]]["fator"],
    "cgce": lambda r: CLASSES[r["CO_NCM"]]["cgce"],
    "cuci": lambda r: CLASSES[r["CO_NCM"]]["cuci"],
}
PROJECT_ROWS = "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n" + (
    "2025,2,China,Agropecuária,09011110,123456.78,1000\n2025,4,Chile,Agropecuária,09011110,0.22,1\n"
)
"""A project-layout file: NCM codes but no state, route or customs unit."""


@dataclass(frozen=True)
class Row:
    ano: int
    mes: int
    usd: Decimal
    kg: Decimal
    codes: dict[str, str | None]


def official_rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Row(int(r["CO_ANO"]), int(r["CO_MES"]), Decimal(r["VL_FOB"]), Decimal(r["KG_LIQUIDO"]),
                {d: code(r) for d, code in CODE_OF.items()})
            for r in csv.DictReader(handle, delimiter=";")
        ]  # fmt: skip


def project_rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Row(int(r["ano"]), int(r["mes"]), Decimal(r["valor_usd"]), Decimal(r["peso_kg"]),
                {"pais": r["pais"], "uf": None, "via": None, "urf": None, "ncm": r["ncm"],
                 "sh6": r["ncm"][:6], "sh4": r["ncm"][:4], "sh2": r["ncm"][:2],
                 **{k: CLASSES[r["ncm"]][k] for k in ("fator", "cgce", "cuci")}})
            for r in csv.DictReader(handle)
        ]  # fmt: skip


def rounded(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), ROUND_HALF_UP)


def expected_ranking(
    rows: list[Row], dimension: str, ano: int, de: int, ate: int
) -> dict[str, Any]:
    """Items, coverage and period, as the endpoint should answer them."""

    def sums(year: int) -> dict[str | None, list[Decimal]]:
        out: dict[str | None, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for row in rows:
            if row.ano == year and de <= row.mes <= ate:
                out[row.codes[dimension]][0] += row.usd
                out[row.codes[dimension]][1] += row.kg
        return out

    current, previous = sums(ano), sums(ano - 1)
    scope = sum((usd for usd, _ in current.values()), Decimal(0))
    coded = sum((usd for code, (usd, _) in current.items() if code is not None), Decimal(0))
    items = []
    for code, (usd, kg) in current.items():
        if code is None or (usd == 0 and kg == 0):
            continue
        before = previous[code][0] if code in previous else None
        items.append({
            "codigo": code,
            "totalUsd": rounded(usd, "0.01"),
            "totalKg": rounded(kg, "0.001"),
            "participacaoPct": rounded(100 * usd / scope, "0.01"),
            "variacaoPct": rounded(100 * (usd - before) / before, "0.01") if before else None,
            "usdPorKg": rounded(usd / kg, "0.0001") if kg else None,
        })  # fmt: skip
    items.sort(key=lambda i: (-i["totalUsd"], i["codigo"]))
    return {
        "items": items,
        "cobertura": rounded(100 * coded / scope, "0.01"),
        "periodo": {"de": f"{ano}-{de:02d}", "ate": f"{ano}-{ate:02d}"},
    }


def answered(client: TestClient, url: str, **headers: str) -> dict[str, Any]:  # type: ignore[type-arg]
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return json.loads(response.text, parse_float=Decimal)  # type: ignore[no-any-return]


def ranked(body: dict[str, Any]) -> list[dict[str, Any]]:
    keys = ("codigo", "totalUsd", "totalKg", "participacaoPct", "variacaoPct", "usdPorKg")
    return [{k: item[k] for k in keys} for item in body["items"]]


def load_two_years(url: str, folder: Path) -> list[Row]:
    """Two official yearly files, loaded and refreshed: their rows."""
    rows: list[Row] = []
    for year, seed in ((2024, 11), (2025, 12)):
        path = yearly_file(folder, year, seed=seed, rows=800)
        assert load_file(url, path).rows_rejected == 0
        rows += official_rows(path)
    views.refresh_all(url)
    return rows


@pytest.fixture
def two_years(state_copy: StateCopy) -> tuple[str, list[Row]]:
    """Two official yearly files, refreshed, in a database of this test's own."""
    return state_copy(load_two_years)


@pytest.fixture
def client(two_years: tuple[str, list[Row]]) -> Iterator[TestClient]:  # type: ignore[type-arg]
    url, _ = two_years
    with TestClient(app=create_app(api_settings(), database_url=url, access_log=False)) as test:
        yield test


@pytest.mark.parametrize("dimension", [d for d in CODE_OF if d != "pais"])
def test_each_dimension_ranks_its_codes_over_the_latest_year(
    client: TestClient,  # type: ignore[type-arg]
    two_years: tuple[str, list[Row]],
    dimension: str,
) -> None:
    _, rows = two_years
    last_month = max(r.mes for r in rows if r.ano == 2025)
    expected = expected_ranking(rows, dimension, 2025, 1, last_month)
    body = answered(client, f"/v1/metrics/{dimension}?limit=1000")
    assert ranked(body) == expected["items"]
    assert body["total"] == len(expected["items"])
    assert (body["periodo"], body["cobertura"]) == (expected["periodo"], Decimal("100.00"))


def test_a_span_of_months_of_a_given_year(
    client: TestClient,  # type: ignore[type-arg]
    two_years: tuple[str, list[Row]],
) -> None:
    _, rows = two_years
    expected = expected_ranking(rows, "uf", 2025, 3, 5)
    body = answered(client, "/v1/metrics/uf?ano=2025&mes_de=3&mes_ate=5&limit=1000")
    assert ranked(body) == expected["items"]
    assert body["periodo"] == {"de": "2025-03", "ate": "2025-05"}
    assert body["filters"] == {"ano": 2025, "mes_de": 3, "mes_ate": 5}


def test_pages_and_csv_hold_the_same_items(client: TestClient) -> None:  # type: ignore[type-arg]
    whole = answered(client, "/v1/metrics/sh2?ano=2025&limit=1000")["items"]
    page = answered(client, "/v1/metrics/sh2?ano=2025&limit=2&offset=1")
    assert [i["codigo"] for i in page["items"]] == [i["codigo"] for i in whole[1:3]]
    assert page["total"] == len(whole)
    text = client.get("/v1/metrics/sh2?ano=2025&limit=1000&format=csv").text
    lines = list(csv.DictReader(text.splitlines()))
    assert [(r["codigo"], Decimal(r["totalUsd"])) for r in lines] == [
        (i["codigo"], i["totalUsd"]) for i in whole
    ]


def test_coverage_counts_the_files_without_the_code(
    two_years: tuple[str, list[Row]], tmp_path: Path
) -> None:
    url, rows = two_years
    project = tmp_path / "projeto_2025.csv"
    project.write_text(PROJECT_ROWS, encoding="utf-8")
    load_file(url, project)
    views.refresh_all(url)
    everything = rows + project_rows(project)
    last_month = max(r.mes for r in everything if r.ano == 2025)
    with TestClient(app=create_app(api_settings(), database_url=url, access_log=False)) as client:
        by_state = answered(client, "/v1/metrics/uf?limit=1000")
        by_chapter = answered(client, "/v1/metrics/sh2?limit=1000")
    state = expected_ranking(everything, "uf", 2025, 1, last_month)
    assert ranked(by_state) == state["items"]
    assert by_state["cobertura"] == state["cobertura"] < 100
    assert by_chapter["cobertura"] == Decimal("100.00")
    assert ranked(by_chapter) == expected_ranking(everything, "sh2", 2025, 1, last_month)["items"]


def test_names_in_portuguese_or_english(two_years: tuple[str, list[Row]], tmp_path: Path) -> None:
    url, _ = two_years
    project = tmp_path / "projeto_2025.csv"
    project.write_text(PROJECT_ROWS, encoding="utf-8")
    load_file(url, project)
    views.refresh_all(url)
    with TestClient(app=create_app(api_settings(), database_url=url, access_log=False)) as client:

        def name(url: str, code: str, **headers: str) -> str:
            items = answered(client, url, **headers)["items"]
            return next(i["nome"] for i in items if i["codigo"] == code)

        assert name("/v1/metrics/sh2?limit=1000", "09") == "Café, chá, mate e especiarias"
        assert name("/v1/metrics/sh2?limit=1000&lang=en", "09") == "Coffee, tea, maté and spices"
        english = {"Accept-Language": "en-GB,en;q=0.9"}
        assert name("/v1/metrics/sh2?limit=1000", "09", **english) == "Coffee, tea, maté and spices"
        assert name("/v1/metrics/ncm?limit=1000&lang=en", "09011110") == (
            "Coffee not roasted or decaffeinated, in grain"
        )
        # Movers by country: the code is the Portuguese name, the name follows the language.
        with (REFERENCE / "pais.csv").open(encoding="utf-8", newline="") as handle:
            english_of = {r["no_pais"]: r["no_pais_ing"] for r in csv.DictReader(handle)}
        movers = answered(client, "/v1/metrics/variacao/pais?limit=5&lang=en")
        named = [(i["codigo"], i["nome"]) for i in movers["altas"] + movers["quedas"]]
        assert named and all(nome == english_of[codigo] for codigo, nome in named)
        assert any(codigo != nome for codigo, nome in named)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("mes_de=5&mes_ate=3", "mes_de"), ("mes_ate=13", "mes_ate"), ("uf=SP", "uf"),
     ("lang=fr", "lang")],
)  # fmt: skip
def test_bad_parameters_are_named(database_url: str, query: str, parameter: str) -> None:
    with TestClient(
        app=create_app(api_settings(), database_url=database_url, access_log=False)
    ) as client:
        answer = client.get(f"/v1/metrics/uf?{query}")
    assert answer.status_code == 400
    assert parameter in [p["name"] for p in answer.json()["invalid_params"]]


def test_an_empty_warehouse_answers_no_items(database_url: str) -> None:
    with TestClient(
        app=create_app(api_settings(), database_url=database_url, access_log=False)
    ) as client:
        body = answered(client, "/v1/metrics/ncm")
    assert (body["items"], body["total"], body["periodo"], body["cobertura"]) == ([], 0, None, None)


def expected_concentration(
    rows: list[Row], dimension: str, ano: int, de: int, ate: int
) -> dict[str, Any]:
    """HHI (sum of squared percentage shares) and the top-1 and top-5 shares."""
    values: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        code = row.codes[dimension]
        if row.ano == ano and de <= row.mes <= ate and code is not None:
            values[code] += row.usd
    positive = sorted((v for v in values.values() if v > 0), reverse=True)
    total = sum(positive, Decimal(0))
    shares = [100 * v / total for v in positive]
    return {
        "hhi": rounded(sum((s * s for s in shares), Decimal(0)), "0.01"),
        "top1Pct": rounded(shares[0], "0.01"),
        "top5Pct": rounded(sum(shares[:5], Decimal(0)), "0.01"),
        "itens": len(shares),
    }


@pytest.mark.parametrize("query", ["", "?ano=2024&mes_de=2&mes_ate=7"])
def test_concentration_by_country_and_by_heading(
    client: TestClient,  # type: ignore[type-arg]
    two_years: tuple[str, list[Row]],
    query: str,
) -> None:
    _, rows = two_years
    if query:
        ano, de, ate = 2024, 2, 7
    else:
        ano, de, ate = 2025, 1, max(r.mes for r in rows if r.ano == 2025)
    body = answered(client, f"/v1/metrics/concentracao{query}")
    for field, dimension in (("paises", "pais"), ("produtos", "sh4")):
        expected = expected_concentration(rows, dimension, ano, de, ate)
        assert abs(body[field].pop("hhi") - expected.pop("hhi")) <= Decimal("0.01"), field
        assert body[field] == expected, field
        assert expected["itens"] > 0
    assert body["periodo"] == {"de": f"{ano}-{de:02d}", "ate": f"{ano}-{ate:02d}"}


def test_concentration_as_csv_holds_the_same_figures(
    client: TestClient,  # type: ignore[type-arg]
    two_years: tuple[str, list[Row]],
) -> None:
    _, rows = two_years
    ate = max(r.mes for r in rows if r.ano == 2025)
    response = client.get("/v1/metrics/concentracao?ano=2025&format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(response.text.splitlines()))
    assert [line["grupo"] for line in lines] == ["paises", "produtos"]
    for line, dimension in zip(lines, ("pais", "sh4"), strict=True):
        expected = expected_concentration(rows, dimension, 2025, 1, ate)
        assert abs(Decimal(line["hhi"]) - expected["hhi"]) <= Decimal("0.01")
        assert (Decimal(line["top1Pct"]), Decimal(line["top5Pct"]), int(line["itens"])) == (
            expected["top1Pct"], expected["top5Pct"], expected["itens"],
        )  # fmt: skip
        assert (line["de"], line["ate"]) == ("2025-01", f"2025-{ate:02d}")


def test_concentration_of_an_empty_warehouse(database_url: str) -> None:
    with TestClient(
        app=create_app(api_settings(), database_url=database_url, access_log=False)
    ) as client:
        body = answered(client, "/v1/metrics/concentracao")
    empty = {"hhi": None, "top1Pct": None, "top5Pct": None, "itens": 0}
    assert (body["paises"], body["produtos"], body["periodo"]) == (empty, empty, None)


def expected_movers(
    rows: list[Row], dimension: str, ano: int, de: int, ate: int, limit: int
) -> tuple[list[tuple[str, Decimal, Decimal]], list[tuple[str, Decimal, Decimal]]]:
    """(code, value, value the year before) of the biggest gains and losses."""
    values: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        code = row.codes[dimension]
        if code is not None and de <= row.mes <= ate and row.ano in (ano, ano - 1):
            values[code][0 if row.ano == ano else 1] += row.usd
    moves = [(code, now, before) for code, (now, before) in values.items() if now != before]
    gains = sorted((m for m in moves if m[1] > m[2]), key=lambda m: (m[2] - m[1], m[0]))
    losses = sorted((m for m in moves if m[1] < m[2]), key=lambda m: (m[1] - m[2], m[0]))
    return gains[:limit], losses[:limit]  # fmt: skip


@pytest.mark.parametrize("dimension", ["uf", "sh4", "ncm"])
def test_biggest_movers_over_the_same_months(
    client: TestClient,  # type: ignore[type-arg]
    two_years: tuple[str, list[Row]],
    dimension: str,
) -> None:
    _, rows = two_years
    body = answered(client, f"/v1/metrics/variacao/{dimension}?ano=2025&mes_de=2&mes_ate=9&limit=3")
    gains, losses = expected_movers(rows, dimension, 2025, 2, 9, 3)
    for field, expected in (("altas", gains), ("quedas", losses)):
        assert [
            (i["codigo"], i["totalUsd"], i["totalUsdAnterior"]) for i in body[field]
        ] == expected
        for item in body[field]:
            assert item["diferencaUsd"] == item["totalUsd"] - item["totalUsdAnterior"]
    assert (body["periodo"], body["comparado"]) == (
        {"de": "2025-02", "ate": "2025-09"}, {"de": "2024-02", "ate": "2024-09"},
    )  # fmt: skip


def test_movers_as_csv_list_the_gains_then_the_losses(
    client: TestClient,  # type: ignore[type-arg]
    two_years: tuple[str, list[Row]],
) -> None:
    _, rows = two_years
    response = client.get("/v1/metrics/variacao/uf?ano=2025&mes_de=2&mes_ate=9&limit=3&format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(response.text.splitlines()))
    gains, losses = expected_movers(rows, "uf", 2025, 2, 9, 3)
    expected = [("alta", *m) for m in gains] + [("queda", *m) for m in losses]
    assert [
        (line["sentido"], line["codigo"], Decimal(line["totalUsd"]),
         Decimal(line["totalUsdAnterior"]))
        for line in lines
    ] == expected  # fmt: skip
    for line in lines:
        assert Decimal(line["diferencaUsd"]) == Decimal(line["totalUsd"]) - Decimal(
            line["totalUsdAnterior"]
        )


def test_movers_of_an_unknown_dimension_are_a_400(client: TestClient) -> None:  # type: ignore[type-arg]
    answer = client.get("/v1/metrics/variacao/estado")
    assert answer.status_code == 400
    assert "dimension" in answer.text
