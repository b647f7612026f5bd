"""`/v1/metrics/balanca`: exports, imports, balance and trade flow per year, or per month
of a year, each with its change over the same months of the year before. Every figure
is summed here from the official files with the standard library."""

import csv
from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from bgc_api.app import create_app
from bgc_core.domain import IMPORTS
from bgc_pipeline.ingest.history import write_history
from tests.support.fixtures import StateCopy
from tests.support.ingest import load_and_refresh, official_rows
from tests.support.settings import api_settings

Rows = list[dict[str, str]]
FIGURES = ("exportacaoUsd", "importacaoUsd", "saldoUsd", "correnteUsd")


def load_two_years_of_both(url: str, folder: Path) -> dict[str, Rows]:
    files = {
        "EXP": list(write_history(folder / "exp", range(2023, 2025), rows_per_year=1_000, seed=4)),
        "IMP": list(write_history(folder / "imp", range(2023, 2025), rows_per_year=1_200, seed=4,
                                  flow=IMPORTS)),
    }  # fmt: skip
    load_and_refresh(url, [w.path for w in (*files["EXP"], *files["IMP"])])
    return {
        flow: [r for f in found for r in official_rows(f.path)] for flow, found in files.items()
    }


@pytest.fixture
def both(state_copy: StateCopy) -> tuple[str, dict[str, Rows]]:
    return state_copy(load_two_years_of_both)


@pytest.fixture
def client(both: tuple[str, dict[str, Rows]]) -> Iterator[TestClient]:  # type: ignore[type-arg]
    url, _ = both
    with TestClient(app=create_app(api_settings(), database_url=url, access_log=False)) as test:
        yield test


def fob(rows: Rows, key: str, country: str | None = None) -> dict[Any, Decimal]:
    """FOB summed by ``key`` (``year`` or ``month``), of one country if given."""
    found: dict[Any, Decimal] = defaultdict(Decimal)
    for r in rows:
        if country is None or r["CO_PAIS"] == country:
            at = int(r["CO_ANO"]) if key == "year" else (int(r["CO_ANO"]), int(r["CO_MES"]))
            found[at] += Decimal(r["VL_FOB"])
    return found


def four(exports: Decimal, imports: Decimal) -> tuple[Decimal, ...]:
    return exports, imports, exports - imports, exports + imports


def change(now: Decimal, before: Decimal) -> Decimal:
    return (100 * (now - before) / abs(before)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def read(item: dict[str, Any], names: tuple[str, ...]) -> tuple[Decimal | None, ...]:
    return tuple(None if item[n] is None else Decimal(str(item[n])) for n in names)


def test_per_year_the_balance_and_its_change_come_from_both_flows(
    client: TestClient,
    both: tuple[str, dict[str, Rows]],  # type: ignore[type-arg]
) -> None:
    rows = both[1]
    exports, imports = fob(rows["EXP"], "year"), fob(rows["IMP"], "year")
    answer = client.get("/v1/metrics/balanca")
    assert answer.status_code == 200, answer.text
    assert answer.headers["etag"]
    body = answer.json()
    assert [i["ano"] for i in body["items"]] == [2023, 2024]
    for item in body["items"]:
        assert item["mes"] is None
        assert read(item, FIGURES) == four(exports[item["ano"]], imports[item["ano"]])
    first, second = body["items"]
    assert all(first[f"{n[:-3]}VariacaoPct"] is None for n in FIGURES)
    expected = [
        change(now, before)
        for now, before in zip(
            four(exports[2024], imports[2024]), four(exports[2023], imports[2023]), strict=True
        )
    ]
    assert list(read(second, tuple(f"{n[:-3]}VariacaoPct" for n in FIGURES))) == expected
    total = four(sum(exports.values()), sum(imports.values()))
    assert read(body, FIGURES) == total
    assert body["dataThrough"] == "2024-12"


def test_within_a_year_each_month_against_the_same_month_before(
    client: TestClient,
    both: tuple[str, dict[str, Rows]],  # type: ignore[type-arg]
) -> None:
    rows = both[1]
    exports, imports = fob(rows["EXP"], "month"), fob(rows["IMP"], "month")
    body = client.get("/v1/metrics/balanca", params={"ano": 2024}).json()
    assert [i["mes"] for i in body["items"]] == list(range(1, 13))
    for item in body["items"]:
        now = four(exports[(2024, item["mes"])], imports[(2024, item["mes"])])
        before = four(exports[(2023, item["mes"])], imports[(2023, item["mes"])])
        assert read(item, FIGURES) == now
        assert read(item, ("saldoVariacaoPct",)) == (change(now[2], before[2]),)
    year = four(sum(v for (a, _), v in exports.items() if a == 2024),
                sum(v for (a, _), v in imports.items() if a == 2024))  # fmt: skip
    assert read(body, FIGURES) == year
    assert body["filters"] == {"ano": 2024}


def test_a_partner_country_is_its_exports_and_imports(
    client: TestClient,
    both: tuple[str, dict[str, Rows]],  # type: ignore[type-arg]
) -> None:
    rows = both[1]
    exports, imports = fob(rows["EXP"], "year", "160"), fob(rows["IMP"], "year", "160")
    body = client.get("/v1/metrics/balanca", params={"pais": "China"}).json()
    assert {i["ano"]: read(i, FIGURES) for i in body["items"]} == {
        year: four(exports[year], imports[year]) for year in (2023, 2024)
    }


def test_balanca_takes_no_flow_and_writes_csv(client: TestClient) -> None:  # type: ignore[type-arg]
    refused = client.get("/v1/metrics/balanca", params={"fluxo": "importacao"})
    assert refused.status_code == 400
    assert "fluxo" in refused.text
    text = client.get("/v1/metrics/balanca", params={"format": "csv"}).text
    assert text.splitlines()[0].split(",")[:6] == [
        "ano", "mes", "exportacaoUsd", "importacaoUsd", "saldoUsd", "correnteUsd"
    ]  # fmt: skip
    assert len(text.splitlines()) == 3


def by_code(rows: Rows, column: str, year: int, digits: int | None = None) -> dict[str, Decimal]:
    found: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        if int(r["CO_ANO"]) == year:
            found[r[column][:digits] if digits else r[column]] += Decimal(r["VL_FOB"])
    return found


RANKED = ("exportacaoUsd", "importacaoUsd", "saldoUsd", "correnteUsd")


@pytest.mark.parametrize(
    ("dimension", "column", "digits", "ordem"),
    [("pais", "CO_PAIS", None, "saldo"), ("uf", "SG_UF_NCM", None, "corrente"),
     ("sh4", "CO_NCM", 4, "saldo")],
)  # fmt: skip
def test_partners_states_and_headings_rank_by_balance_or_trade_flow(
    client: TestClient,  # type: ignore[type-arg]
    both: tuple[str, dict[str, Rows]],
    dimension: str,
    column: str,
    digits: int | None,
    ordem: str,
) -> None:
    rows = both[1]
    exports = by_code(rows["EXP"], column, 2024, digits)
    imports = by_code(rows["IMP"], column, 2024, digits)
    expected = {
        code: four(exports.get(code, Decimal(0)), imports.get(code, Decimal(0)))
        for code in exports.keys() | imports.keys()
    }
    rank = 2 if ordem == "saldo" else 3
    leaders = sorted(expected, key=lambda code: (-expected[code][rank], code))[:5]
    answer = client.get(
        f"/v1/metrics/balanca/{dimension}", params={"ano": 2024, "limit": 5, "ordem": ordem}
    ).json()
    assert answer["total"] == len(expected)
    assert answer["periodo"] == {"de": "2024-01", "ate": "2024-12"}
    assert [(i["codigo"], read(i, RANKED)) for i in answer["items"]] == [
        (code, expected[code]) for code in leaders
    ]


def test_an_unknown_order_is_a_400(client: TestClient) -> None:  # type: ignore[type-arg]
    answer = client.get("/v1/metrics/balanca/pais", params={"ordem": "fob"})
    assert answer.status_code == 400
    assert "ordem" in answer.text


def keep_months(path: Path, last: int) -> Path:
    """``path`` cut to January..``last``, as MDIC publishes a year in progress."""
    lines = path.read_text("utf-8").splitlines(keepends=True)
    kept = [line for line in lines[1:] if int(next(csv.reader([line], delimiter=";"))[1]) <= last]
    path.write_text(lines[0] + "".join(kept), "utf-8")
    return path


def load_flows_a_few_months_apart(url: str, folder: Path) -> dict[str, Rows]:
    """Exports of 2025 through June; imports of 2025 whole and of 2026 through February."""
    [exports] = write_history(folder / "exp", [2025], rows_per_year=1_000, seed=8)
    imports = list(write_history(folder / "imp", [2025, 2026], rows_per_year=1_000, seed=8,
                                 flow=IMPORTS))  # fmt: skip
    files = {"EXP": [keep_months(exports.path, 6)],
             "IMP": [imports[0].path, keep_months(imports[1].path, 2)]}  # fmt: skip
    load_and_refresh(url, [*files["EXP"], *files["IMP"]])
    return {
        flow: [r for path in paths for r in official_rows(path)] for flow, paths in files.items()
    }


@pytest.fixture
def staggered(state_copy: StateCopy) -> Iterator[tuple[TestClient, dict[str, Rows]]]:  # type: ignore[type-arg]
    url, rows = state_copy(load_flows_a_few_months_apart)
    with TestClient(app=create_app(api_settings(), database_url=url, access_log=False)) as test:
        yield test, rows


def test_a_ranking_spans_the_months_of_the_flow_published_furthest(
    staggered: tuple[TestClient, dict[str, Rows]],  # type: ignore[type-arg]
) -> None:
    client, rows = staggered
    answer = client.get("/v1/metrics/balanca/uf", params={"ano": 2025, "ordem": "corrente"})
    assert answer.json()["periodo"] == {"de": "2025-01", "ate": "2025-12"}
    exports = by_code(rows["EXP"], "SG_UF_NCM", 2025)
    imports = by_code(rows["IMP"], "SG_UF_NCM", 2025)
    shown = {i["codigo"]: read(i, RANKED) for i in answer.json()["items"]}
    assert shown == {
        code: four(exports.get(code, Decimal(0)), imports.get(code, Decimal(0)))
        for code in sorted(shown)
    }


def test_without_a_year_a_ranking_takes_the_latest_year_of_either_flow(
    staggered: tuple[TestClient, dict[str, Rows]],  # type: ignore[type-arg]
) -> None:
    client, rows = staggered
    answer = client.get("/v1/metrics/balanca/pais", params={"limit": 500}).json()
    assert answer["periodo"] == {"de": "2026-01", "ate": "2026-02"}
    imports = by_code(rows["IMP"], "CO_PAIS", 2026)
    assert {i["codigo"]: read(i, RANKED) for i in answer["items"]} == {
        code: four(Decimal(0), value) for code, value in imports.items()
    }


def test_a_page_past_the_end_is_empty_and_still_counts_every_code(
    client: TestClient,  # type: ignore[type-arg]
    both: tuple[str, dict[str, Rows]],
) -> None:
    rows = both[1]
    codes = (
        by_code(rows["EXP"], "SG_UF_NCM", 2024).keys()
        | by_code(rows["IMP"], "SG_UF_NCM", 2024).keys()
    )
    answer = client.get("/v1/metrics/balanca/uf", params={"ano": 2024, "offset": 500}).json()
    assert (answer["items"], answer["total"]) == ([], len(codes))
