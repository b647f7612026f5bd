"""`fluxo=importacao` on the metrics endpoints: imports are answered from their own
snapshots, with freight, insurance and CIF, and the export answers stay as they were.
Every expected figure is summed here from the official files with the standard library."""

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from bgc_api.app import create_app
from bgc_core.domain import IMPORTS
from bgc_pipeline.ingest import load_file
from bgc_pipeline.ingest.history import write_history
from tests.support.fixtures import StateCopy
from tests.support.ingest import load_and_refresh, official_rows
from tests.support.settings import api_settings

YEARS = (2023, 2024)
Rows = list[dict[str, str]]


def load_both_flows(url: str, folder: Path) -> dict[str, Rows]:
    """Two import years with their totals file and one export year, refreshed."""
    imports = list(write_history(folder, range(2023, 2025), rows_per_year=1_500, seed=8,
                                 flow=IMPORTS))  # fmt: skip
    [exports] = write_history(folder / "exp", range(2024, 2025), rows_per_year=1_000, seed=8)
    load_file(url, folder / "IMP_TOTAIS_CONFERENCIA.csv")
    load_and_refresh(url, [w.path for w in (*imports, exports)])
    rows = {"IMP": [r for f in imports for r in official_rows(f.path)]}
    return {**rows, "EXP": official_rows(exports.path)}


@pytest.fixture
def both_flows(state_copy: StateCopy) -> tuple[str, dict[str, Rows]]:
    return state_copy(load_both_flows)


@pytest.fixture
def client(both_flows: tuple[str, dict[str, Rows]]) -> Iterator[TestClient]:  # type: ignore[type-arg]
    url, _ = both_flows
    with TestClient(app=create_app(api_settings(), database_url=url, access_log=False)) as test:
        yield test


@pytest.fixture
def imports(both_flows: tuple[str, dict[str, Rows]]) -> Rows:
    return both_flows[1]["IMP"]


def sums(rows: Rows, key: str | None = None) -> dict[str | None, dict[str, Decimal]]:
    """FOB, kg, freight, insurance and CIF of the rows, by ``key`` (a column)."""
    found: dict[str | None, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in rows:
        total = found[r[key] if key else None]
        fob, freight, insurance = (Decimal(r[c]) for c in ("VL_FOB", "VL_FRETE", "VL_SEGURO"))
        total["totalUsd"] += fob
        total["totalKg"] += Decimal(r["KG_LIQUIDO"])
        total["freteUsd"] += freight
        total["seguroUsd"] += insurance
        total["cifUsd"] += fob + freight + insurance
    return found


def figures(answer: dict[str, Any]) -> dict[str, Decimal]:
    return {k: Decimal(str(answer[k])) for k in ("totalUsd", "totalKg", "freteUsd",
                                                "seguroUsd", "cifUsd")}  # fmt: skip


def in_year(rows: Rows, year: int) -> Rows:
    return [r for r in rows if int(r["CO_ANO"]) == year]


def test_resumo_of_imports_has_freight_insurance_and_cif_per_year(
    client: TestClient,
    imports: Rows,  # type: ignore[type-arg]
) -> None:
    for year in YEARS:
        answer = client.get("/v1/metrics/resumo", params={"fluxo": "importacao", "ano": year})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert figures(body) == sums(in_year(imports, year))[None]
        assert body["filters"] == {"ano": year, "fluxo": "importacao"}
        assert body["anos"] == [year]
    whole = client.get("/v1/metrics/resumo", params={"fluxo": "importacao"}).json()
    assert figures(whole) == sums(imports)[None]
    assert whole["dataThrough"] == "2024-12"
    assert [(c["ano"], c["status"]) for c in whole["conferencia"]] == [(2023, "ok"), (2024, "ok")]


def test_countries_of_origin_rank_by_fob_with_their_costs(
    client: TestClient,
    imports: Rows,  # type: ignore[type-arg]
) -> None:
    expected = sums(in_year(imports, 2024), "CO_PAIS")
    answer = client.get(
        "/v1/metrics/pais", params={"fluxo": "importacao", "ano": 2024, "limit": 5}
    ).json()
    assert answer["total"] == len(expected)
    leaders = sorted(expected, key=lambda code: (-expected[code]["totalUsd"], code))[:5]
    assert [item["codigo"] for item in answer["items"]] == leaders
    for item in answer["items"]:
        assert figures(item) == expected[item["codigo"]]


def test_the_import_series_and_states_of_destination_come_from_the_files(
    client: TestClient,
    imports: Rows,  # type: ignore[type-arg]
) -> None:
    by_month: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for r in imports:
        by_month[(int(r["CO_ANO"]), int(r["CO_MES"]))] += Decimal(r["VL_FOB"])
    serie = client.get("/v1/metrics/serie", params={"fluxo": "importacao"}).json()
    assert {(i["ano"], i["mes"]): Decimal(str(i["totalUsd"])) for i in serie["items"]} == by_month
    states = sums(in_year(imports, 2024), "SG_UF_NCM")
    page = client.get(
        "/v1/metrics/uf", params={"fluxo": "importacao", "ano": 2024, "limit": 100}
    ).json()
    assert page["periodo"] == {"de": "2024-01", "ate": "2024-12"}
    assert {i["codigo"]: figures(i) for i in page["items"]} == {
        code: {k: v.quantize(Decimal("0.001") if k == "totalKg" else Decimal("0.01"))
               for k, v in found.items()}
        for code, found in states.items()
    }  # fmt: skip


def test_export_answers_carry_no_costs_and_ignore_the_imports(
    client: TestClient,
    both_flows: tuple[str, dict[str, Rows]],  # type: ignore[type-arg]
) -> None:
    exports = both_flows[1]["EXP"]
    body = client.get("/v1/metrics/resumo").json()
    assert Decimal(str(body["totalUsd"])) == sum(Decimal(r["VL_FOB"]) for r in exports)
    assert "freteUsd" not in body and "fluxo" not in body["filters"]
    item = client.get("/v1/metrics/pais", params={"limit": 1}).json()["items"][0]
    assert "cifUsd" not in item
    explicit = client.get("/v1/metrics/resumo", params={"fluxo": "exportacao"}).json()
    assert explicit["totalUsd"] == body["totalUsd"]


def test_an_unknown_flow_is_a_400_naming_it(client: TestClient) -> None:  # type: ignore[type-arg]
    answer = client.get("/v1/metrics/resumo", params={"fluxo": "transito"})
    assert answer.status_code == 400
    assert "fluxo" in answer.text


def test_import_csv_adds_the_cost_columns(client: TestClient) -> None:  # type: ignore[type-arg]
    answer = client.get(
        "/v1/metrics/pais", params={"fluxo": "importacao", "ano": 2024, "format": "csv"}
    )
    header = answer.text.splitlines()[0].split(",")
    assert header[-3:] == ["freteUsd", "seguroUsd", "cifUsd"]
