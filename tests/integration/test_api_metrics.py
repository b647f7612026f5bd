"""The metrics API over HTTP, against views built from known rows loaded by the ingest engine.
Every expected number is computed here from the rows, independently of the SQL."""

import csv
import io
import json
import logging
import shutil
import time
from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from bgc_api.app import create_app
from bgc_api.repository import Freshness, Repository, Scope
from bgc_api.schemas import PaisPage, Problem, Resumo, Serie, SetorPage
from bgc_core import views
from bgc_pipeline.ingest import load_file
from tests.support.fixtures import StateCopy
from tests.support.settings import api_settings

# ano, mes, pais, setor, valor_usd, peso_kg
ROWS = [
    (2024, 1, "China", "Agropecuária", "1000.10", "500"),
    (2024, 2, "China", "Indústria Extrativa", "2500.25", "10000"),
    (2024, 3, "Chile", "Agropecuária", "300.00", "100"),
    (2024, 7, "Peru", "Indústria Extrativa", "999.99", "333.5"),
    (2024, 12, "Chile", "Indústria Extrativa", "50.05", "25"),
    (2025, 1, "China", "Agropecuária", "1500.00", "600"),
    (2025, 2, "Chile", "Agropecuária", "150.00", "40"),
    (2025, 3, "Peru", "Indústria Extrativa", "10.00", "4"),
]
DEC = [(a, m, p, s, Decimal(v), Decimal(k)) for a, m, p, s, v, k in ROWS]


def pct(part: Decimal, whole: Decimal) -> Decimal:
    return (100 * part / whole).quantize(Decimal("0.01"), ROUND_HALF_UP)


def totals_by(index: int, rows: list[tuple]) -> dict[str, tuple[Decimal, Decimal]]:
    out: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        out[row[index]][0] += row[4]
        out[row[index]][1] += row[5]
    return {k: (v[0], v[1]) for k, v in out.items()}


def load_known_rows(url: str, folder: Path) -> None:
    """ROWS as one project-layout file, loaded and refreshed."""
    path = folder / "known.csv"
    lines = ["ano,mes,pais,setor,ncm,valor_usd,peso_kg"]
    lines += [f"{a},{m},{p},{s},09011110,{v},{k}" for a, m, p, s, v, k in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert load_file(url, path).rows_loaded == len(ROWS)
    views.refresh_all(url)


@pytest.fixture
def loaded(state_copy: StateCopy) -> str:
    """ROWS loaded and refreshed, in a database of this test's own."""
    url, _ = state_copy(load_known_rows)
    return url


@pytest.fixture
def api(loaded: str) -> Litestar:
    return create_app(api_settings(), database_url=loaded, access_log=True)


@pytest.fixture
def client(api: Litestar) -> Iterator[TestClient]:
    with TestClient(app=api) as test_client:
        yield test_client


def test_resumo_totals(client: TestClient) -> None:
    body = client.get("/v1/metrics/resumo").json()
    assert body["totalUsd"] == float(sum(r[4] for r in DEC))
    assert body["totalKg"] == float(sum(r[5] for r in DEC))
    assert (body["paisesCount"], body["setoresCount"], body["anos"]) == (3, 2, [2024, 2025])
    assert body["dataThrough"] == "2025-03"
    assert body["updatedAt"] and body["filters"] == {}


def test_money_is_a_number_with_two_decimals(client: TestClient) -> None:
    text = client.get("/v1/metrics/resumo?ano=2024&setor=Agropecuária").text
    assert '"totalUsd":1300.10' in text


def test_resumo_filtered_by_year_and_sector(client: TestClient) -> None:
    body = client.get(
        "/v1/metrics/resumo", params={"ano": 2024, "setor": "Indústria Extrativa"}
    ).json()
    rows = [r for r in DEC if r[0] == 2024 and r[3] == "Indústria Extrativa"]
    assert body["totalUsd"] == float(sum(r[4] for r in rows))
    assert body["paisesCount"] == len({r[2] for r in rows})
    assert body["filters"] == {"ano": 2024, "setor": "Indústria Extrativa"}


def test_resumo_filtered_by_country(client: TestClient) -> None:
    body = client.get("/v1/metrics/resumo", params={"pais": "Chile", "ano": 2024}).json()
    rows = [r for r in DEC if r[2] == "Chile" and r[0] == 2024]
    assert (body["totalUsd"], body["totalKg"]) == (
        float(sum(r[4] for r in rows)), float(sum(r[5] for r in rows)),
    )  # fmt: skip
    assert (body["paisesCount"], body["setoresCount"], body["anos"]) == (1, 2, [2024])
    assert body["filters"] == {"ano": 2024, "pais": "Chile"}


def monthly_usd(rows: list[tuple]) -> dict[tuple[int, int], Decimal]:
    out: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for ano, mes, _, _, usd, _ in rows:
        out[(ano, mes)] += usd
    return out


def test_serie_year_to_date(client: TestClient) -> None:
    body = client.get("/v1/metrics/serie", params={"periodo": "acumulado"}).json()
    by_month = monthly_usd(DEC)
    expected = [
        (ano, mes, sum(v for (a, m), v in by_month.items() if a == ano and m <= mes))
        for ano, mes in sorted(by_month)
    ]
    assert [(i["ano"], i["mes"], Decimal(str(i["totalUsd"]))) for i in body["items"]] == expected
    assert body["filters"] == {"periodo": "acumulado"}


@pytest.mark.parametrize("ano_de", [None, 2025])
def test_serie_rolling_12_months(client: TestClient, ano_de: int | None) -> None:
    params: dict[str, object] = {"periodo": "12meses", **({"ano_de": ano_de} if ano_de else {})}
    body = client.get("/v1/metrics/serie", params=params).json()
    by_month = monthly_usd(DEC)  # data from 2024-01: the first whole window ends 2024-12

    def window(ano: int, mes: int) -> Decimal:
        ends = ano * 12 + mes
        return sum((v for (a, m), v in by_month.items() if ends - 12 < a * 12 + m <= ends),
                   Decimal(0))  # fmt: skip

    expected = [(2024, 12), (2025, 1), (2025, 2), (2025, 3)]
    expected = [(a, m) for a, m in expected if ano_de is None or a >= ano_de]
    assert [(i["ano"], i["mes"], Decimal(str(i["totalUsd"]))) for i in body["items"]] == [
        (a, m, window(a, m)) for a, m in expected
    ]


BLOCS = {"China": ["39"], "Chile": ["48"], "Peru": ["48"]}
"""The official PAIS_BLOCO: Ásia (Exclusive Oriente Médio) and América do Sul."""


def test_blocs_ranked_over_the_same_months(client: TestClient) -> None:
    body = client.get("/v1/metrics/bloco", params={"lang": "en"}).json()  # 2025, Jan-Mar
    span = [r for r in DEC if r[1] <= 3]
    scope = sum(r[4] for r in span if r[0] == 2025)
    expected = []
    for bloc in ("39", "48"):
        now = sum(r[4] for r in span if r[0] == 2025 and bloc in BLOCS[r[2]])
        before = sum(r[4] for r in span if r[0] == 2024 and bloc in BLOCS[r[2]])
        expected.append((bloc, now, pct(now, scope), pct(now - before, before)))
    expected.sort(key=lambda e: -e[1])
    assert [
        (i["codigo"], Decimal(str(i["totalUsd"])), Decimal(str(i["participacaoPct"])),
         Decimal(str(i["variacaoPct"])))
        for i in body["items"]
    ] == expected  # fmt: skip
    assert [i["nome"] for i in body["items"]] == ["Asia (minus MIDDLE EAST)", "South America"]
    assert (body["periodo"], body["cobertura"]) == ({"de": "2025-01", "ate": "2025-03"}, 100.0)


def test_movers_by_country_compare_the_same_months(client: TestClient) -> None:
    body = client.get("/v1/metrics/variacao/pais").json()  # 2025 through March
    assert body["periodo"] == {"de": "2025-01", "ate": "2025-03"}
    now = totals_by(2, [r for r in DEC if r[0] == 2025 and r[1] <= 3])
    before = totals_by(2, [r for r in DEC if r[0] == 2024 and r[1] <= 3])
    moves = {c: now.get(c, (0, 0))[0] - before.get(c, (0, 0))[0] for c in {*now, *before}}
    gains = sorted((c for c, d in moves.items() if d > 0), key=lambda c: -moves[c])
    losses = sorted((c for c, d in moves.items() if d < 0), key=lambda c: moves[c])
    assert [(i["codigo"], Decimal(str(i["diferencaUsd"]))) for i in body["altas"]] == [
        (c, moves[c]) for c in gains
    ]
    assert [(i["codigo"], Decimal(str(i["diferencaUsd"]))) for i in body["quedas"]] == [
        (c, moves[c]) for c in losses
    ]


def test_pais_ranking_with_shares_growth_and_unit_value(client: TestClient) -> None:
    body = client.get("/v1/metrics/pais").json()
    by_country = totals_by(2, DEC)
    grand = sum(v for v, _ in by_country.values())
    expected_order = sorted(by_country, key=lambda p: -by_country[p][0])
    assert [item["pais"] for item in body["items"]] == expected_order
    assert body["total"] == 3 and (body["limit"], body["offset"]) == (10, 0)
    for item in body["items"]:
        usd, kg = by_country[item["pais"]]
        assert item["totalUsd"] == float(usd)
        assert item["participacaoPct"] == float(pct(usd, grand))
        assert item["usdPorKg"] == float((usd / kg).quantize(Decimal("0.0001"), ROUND_HALF_UP))
        # growth: 2025 (January-March, the latest months) against January-March 2024
        now = sum(r[4] for r in DEC if r[2] == item["pais"] and r[0] == 2025)
        before = sum(r[4] for r in DEC if r[2] == item["pais"] and r[0] == 2024 and r[1] <= 3)
        expected = float(pct(now - before, before)) if before else None
        assert item["variacaoPct"] == expected, item["pais"]
    assert abs(sum(i["participacaoPct"] for i in body["items"]) - 100) <= 0.005 * len(body["items"])


def test_pais_pages(client: TestClient) -> None:
    body = client.get("/v1/metrics/pais?limit=1&offset=1").json()
    by_country = totals_by(2, DEC)
    second = sorted(by_country, key=lambda p: -by_country[p][0])[1]
    assert [i["pais"] for i in body["items"]] == [second]
    assert (body["total"], body["limit"], body["offset"]) == (3, 1, 1)
    beyond = client.get("/v1/metrics/pais?offset=50").json()
    assert (beyond["items"], beyond["total"]) == ([], 3)


def test_setor_filtered_by_country(client: TestClient) -> None:
    body = client.get("/v1/metrics/setor", params={"pais": "Chile"}).json()
    rows = [r for r in DEC if r[2] == "Chile"]
    by_sector = totals_by(3, rows)
    assert {i["setor"]: i["totalUsd"] for i in body["items"]} == {
        k: float(v[0]) for k, v in by_sector.items()
    }


def test_monthly_series(client: TestClient) -> None:
    body = client.get("/v1/metrics/serie", params={"ano_de": 2025, "pais": "China"}).json()
    assert body["items"] == [{"ano": 2025, "mes": 1, "totalUsd": 1500.0, "totalKg": 600.0}]


def test_unversioned_seed_paths_answer_the_same(client: TestClient) -> None:
    assert (
        client.get("/metrics/pais?ano=2024").json()
        == client.get("/v1/metrics/pais?ano=2024").json()
    )
    assert client.get("/metrics/resumo").json() == client.get("/v1/metrics/resumo").json()


def test_pais_csv_has_every_column_in_order_with_the_computed_figures(client: TestClient) -> None:
    response = client.get("/v1/metrics/pais?format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["pais", "totalUsd", "totalKg", "participacaoPct", "variacaoPct",
                       "usdPorKg", "anos", "codigo", "nome"]  # fmt: skip
    by_country = totals_by(2, DEC)
    grand = sum(v for v, _ in by_country.values())
    chile = next(r for r in rows[1:] if r[0] == "Chile")
    usd, kg = by_country["Chile"]
    assert chile[1:4] == [str(usd), f"{kg:.3f}", str(pct(usd, grand))]
    unit_value = str((usd / kg).quantize(Decimal("0.0001"), ROUND_HALF_UP))
    assert chile[5:] == [unit_value, "2024;2025", "158", "Chile"]
    assert [r[0] for r in rows[1:]] == sorted(by_country, key=lambda p: -by_country[p][0])
    by_accept = client.get("/v1/metrics/pais", headers={"Accept": "text/csv"})
    assert by_accept.text == response.text


def test_setor_csv_columns(client: TestClient) -> None:
    rows = list(csv.reader(io.StringIO(client.get("/v1/metrics/setor?format=csv").text)))
    assert rows[0] == ["setor", "totalUsd", "totalKg", "participacaoPct", "variacaoPct",
                       "usdPorKg", "anos", "codigo", "nome"]  # fmt: skip
    assert {(r[0], r[7], r[8]) for r in rows[1:]} == {
        ("Agropecuária", "A", "Agropecuária"),
        ("Indústria Extrativa", "B", "Indústria Extrativa"),
    }


def test_serie_csv_rows_are_the_months(client: TestClient) -> None:
    rows = list(csv.reader(io.StringIO(client.get("/v1/metrics/serie?format=csv").text)))
    assert rows[0] == ["ano", "mes", "totalUsd", "totalKg"]
    assert rows[1] == ["2024", "1", "1000.10", "500.000"]
    assert len(rows) - 1 == len({(r[0], r[1]) for r in DEC})


def test_resumo_csv_is_one_row_of_the_scope_totals(client: TestClient) -> None:
    rows = list(csv.reader(io.StringIO(client.get("/v1/metrics/resumo?ano=2024&format=csv").text)))
    in_2024 = [r for r in DEC if r[0] == 2024]
    assert rows == [
        ["totalUsd", "totalKg", "paisesCount", "setoresCount", "anos", "dataThrough"],
        [str(sum(r[4] for r in in_2024)), f"{sum(r[5] for r in in_2024):.3f}", "3", "2",
         "2024", "2025-03"],
    ]  # fmt: skip


def test_a_known_code_without_data_is_empty_not_an_error(client: TestClient) -> None:
    manufacturing = "Indústria de Transformação"  # an ISIC section the fixture never sells
    assert client.get("/v1/metrics/pais", params={"setor": manufacturing}).json()["items"] == []
    assert client.get("/v1/metrics/resumo?setor=C").json()["totalUsd"] == 0


def test_an_unknown_code_is_a_400_naming_the_parameter_and_the_value(client: TestClient) -> None:
    answer = client.get("/v1/metrics/pais?setor=Nada")
    assert answer.status_code == 400
    [problem] = answer.json()["invalid_params"]
    assert problem["name"] == "setor"
    assert "'Nada'" in problem["reason"]


@pytest.mark.parametrize(
    ("query", "parameter", "rule"),
    [
        ("ano=abc", "ano", "a year from 1997 to next year"),
        ("ano=1800", "ano", "a year from 1997 to next year"),
        ("ano=2999", "ano", "a year from 1997 to next year"),
        ("limit=0", "limit", "an integer from 1 to 1000"),
        ("limit=100000", "limit", "an integer from 1 to 1000"),
        ("offset=-1", "offset", "an integer from 0"),
        ("format=xml", "format", "json or csv"),
        ("setor=" + "x" * 101, "setor", "text of at most 100 characters"),
        ("setor=a%00b", "setor", "without control characters"),
    ],
)
def test_bad_parameters_are_problem_documents(
    client: TestClient, query: str, parameter: str, rule: str
) -> None:
    response = client.get(f"/v1/metrics/pais?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 400
    assert body["invalid_params"][0]["name"] == parameter
    assert rule in body["detail"]


def test_sql_in_a_filter_is_just_text(client: TestClient) -> None:
    response = client.get("/v1/metrics/pais", params={"setor": "x'; DROP TABLE stg.exportacao; --"})
    assert response.status_code == 400  # an unknown sector, named as such
    assert response.json()["invalid_params"][0]["name"] == "setor"
    assert client.get("/v1/metrics/resumo").json()["paisesCount"] == 3


def test_methods_and_unknown_paths(client: TestClient) -> None:
    assert client.post("/v1/metrics/pais").status_code == 405
    assert client.delete("/v1/metrics/resumo").status_code == 405
    head = client.head("/v1/metrics/resumo")
    assert (head.status_code, head.content) == (200, b"")
    assert client.options("/v1/metrics/resumo").status_code == 204
    missing = client.get("/v1/nothing")
    assert missing.status_code == 404 and missing.json()["status"] == 404


def test_etag_revalidation(client: TestClient) -> None:
    first = client.get("/v1/metrics/pais")
    etag = first.headers["etag"]
    again = client.get("/v1/metrics/pais", headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == etag


@pytest.mark.parametrize(
    "header",
    ["W/{etag}", '"other", {etag}', '"a", W/{etag}, "b"', "*"],
    ids=["weak", "in-a-list", "weak-in-a-list", "any"],
)
def test_if_none_match_forms_that_match(client: TestClient, header: str) -> None:
    etag = client.get("/v1/metrics/resumo").headers["etag"]
    again = client.get("/v1/metrics/resumo", headers={"If-None-Match": header.format(etag=etag)})
    assert again.status_code == 304


def test_if_none_match_with_other_tags_gets_the_answer(client: TestClient) -> None:
    response = client.get("/v1/metrics/resumo", headers={"If-None-Match": '"x", W/"y"'})
    assert response.status_code == 200 and response.json()["totalUsd"] > 0


def wait_for_new_version(api: Litestar, old: str | None, timeout_s: float = 5) -> None:
    """The API saw the refresh notification; fail naming the wait when it did not."""
    version = api.state.data_version
    deadline = time.monotonic() + timeout_s
    while version.current == old and time.monotonic() < deadline:
        time.sleep(0.01)
    assert version.current != old, f"no refresh notification within {timeout_s} s"


def add_japan_and_refresh(url: str, api: Litestar, tmp_path: Path) -> None:
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n2025,3,Japão,Agropecuária,09011110,7.77,1\n",
        encoding="utf-8",
    )
    load_file(url, extra)
    old = api.state.data_version.current
    views.refresh_all(url)
    wait_for_new_version(api, old)


def test_refresh_invalidates_the_cache(
    client: TestClient, api: Litestar, loaded: str, tmp_path: Path
) -> None:
    before = client.get("/v1/metrics/resumo").json()
    etag = client.get("/v1/metrics/resumo").headers["etag"]
    add_japan_and_refresh(loaded, api, tmp_path)
    after = client.get("/v1/metrics/resumo", headers={"If-None-Match": etag})
    assert after.status_code == 200  # the old ETag names an answer that no longer holds
    assert after.headers["etag"] != etag
    body = after.json()
    assert Decimal(str(body["totalUsd"])) - Decimal(str(before["totalUsd"])) == Decimal("7.77")
    assert body["paisesCount"] == 4


def test_views_not_refreshed_yet_keep_the_answer(
    client: TestClient, loaded: str, tmp_path: Path
) -> None:
    before = client.get("/v1/metrics/resumo").json()
    extra = tmp_path / "late.csv"
    extra.write_text(
        "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n2025,3,Japão,Agropecuária,09011110,7.77,1\n",
        encoding="utf-8",
    )
    load_file(loaded, extra)
    assert client.get("/v1/metrics/resumo").json() == before


class RefreshDuringQuery(Repository):
    """A repository whose first ``resumo`` lets a refresh land before it answers."""

    def __init__(self, inner: Repository, url: str, api: Litestar) -> None:
        super().__init__(inner.engine, inner.analytics, inner.files, inner.observe)
        self.url, self.api, self.done = url, api, False

    def resumo(self, scope: Scope, freshness: Freshness) -> Resumo:
        answer = super().resumo(scope, freshness)
        if not self.done:
            self.done = True
            old = self.api.state.data_version.current
            views.refresh_all(self.url)
            wait_for_new_version(self.api, old)
        return answer


def test_an_answer_built_while_a_refresh_lands_is_not_cached(
    client: TestClient, api: Litestar, loaded: str
) -> None:
    api.state.repository = RefreshDuringQuery(api.state.repository, loaded, api)
    first = client.get("/v1/metrics/resumo")
    second = client.get("/v1/metrics/resumo")
    # the first answer was built from the views before the refresh and not kept: the
    # second is built anew, from a later version (each view's refresh notifies in turn)
    assert first.json()["updatedAt"] < second.json()["updatedAt"]


class LoadDuringQuery(Repository):
    """A repository whose first ``resumo`` starts after its answer's snapshot was taken,
    and only once a load and a refresh have committed beside it, with this process's
    snapshot files deleted: it must read the files of the version its snapshot names."""

    def __init__(self, inner: Repository, url: str, extra: Path) -> None:
        super().__init__(inner.engine, inner.analytics, inner.files, inner.observe)
        self.url, self.extra, self.done = url, extra, False

    def resumo(self, scope: Scope, freshness: Freshness) -> Resumo:
        if not self.done:
            self.done = True
            load_file(self.url, self.extra)
            views.refresh_all(self.url)
            shutil.rmtree(self.files.folder, ignore_errors=True)
        return super().resumo(scope, freshness)


def test_an_answer_names_the_version_its_figures_come_from(
    client: TestClient, api: Litestar, loaded: str, tmp_path: Path
) -> None:
    before = client.get("/v1/metrics/resumo?ano=2025").json()
    farming = client.get("/v1/metrics/resumo?ano=2025&setor=Agropecuária").json()
    extra = tmp_path / "during.csv"
    extra.write_text(
        "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n2025,3,Japão,Agropecuária,09011110,7.77,1\n",
        encoding="utf-8",
    )
    old = api.state.data_version.current
    api.state.repository = LoadDuringQuery(api.state.repository, loaded, extra)
    during = client.get("/v1/metrics/resumo?ano=2025&setor=Agropecuária&mes_ate=12").json()
    wait_for_new_version(api, old)
    after = client.get("/v1/metrics/resumo?ano=2025").json()
    # the refresh committed while the answer was built: its figures and its version are
    # the old ones together, the snapshot files included (a span of months reads them,
    # fetched again from the version the answer's snapshot names)
    assert during["updatedAt"] == before["updatedAt"] < after["updatedAt"]
    assert during["totalUsd"] == farming["totalUsd"]
    assert Decimal(str(after["totalUsd"])) - Decimal(str(before["totalUsd"])) == Decimal("7.77")


def counter(text: str, sample: str) -> float:
    """The value of one Prometheus sample line (0 when absent)."""
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_prometheus_counters_go_up(client: TestClient) -> None:
    pais = 'bgc_http_requests_total{endpoint="/v1/metrics/pais",method="GET",status="200"}'
    unmatched = 'bgc_http_requests_total{endpoint="unmatched",method="GET",status="404"}'
    queries = 'bgc_query_duration_seconds_count{query_type="pais"}'
    before = client.get("/prometheus").text
    client.get("/v1/metrics/pais?ano=2024")
    client.get("/v1/metrics/pais?ano=2024")  # the second answer comes from the cache
    client.get("/v1/no/such/route")
    after = client.get("/prometheus").text
    assert counter(after, pais) - counter(before, pais) == 2
    assert counter(after, unmatched) - counter(before, unmatched) == 1
    assert counter(after, queries) - counter(before, queries) == 1


def test_one_json_log_line_per_request_with_the_trace_id(client: TestClient) -> None:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("bgc.api.access")
    logger.addHandler(handler)
    try:
        trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        response = client.get(
            "/v1/metrics/resumo?ano=2024",
            headers={"traceparent": f"00-{trace}-00f067aa0ba902b7-01"},
        )
    finally:
        logger.removeHandler(handler)
    assert response.headers["x-request-id"] == trace

    [line] = [json.loads(r.getMessage()) for r in records]
    assert set(line) == {"timestamp", "level", "service", "endpoint", "method", "duration_ms",
                         "status", "user_agent", "query_params", "trace_id"}  # fmt: skip
    assert (line["endpoint"], line["status"], line["trace_id"]) == (
        "/v1/metrics/resumo",
        200,
        trace,
    )
    assert line["query_params"] == {"ano": "2024"}


def test_openapi_lists_every_route_with_ids_and_tags(client: TestClient) -> None:
    document = client.get("/schema/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    assert {"/v1/metrics/resumo", "/v1/metrics/pais", "/v1/metrics/setor", "/v1/metrics/serie",
            "/health", "/ready", "/prometheus"} <= set(paths)  # fmt: skip
    ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(ids) == len(set(ids))
    for item in paths.values():
        for operation in item.values():
            assert operation["tags"], operation["operationId"]
    assert set(paths["/v1/metrics/pais"]["get"]["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv",
    }
    ano = next(p for p in paths["/v1/metrics/pais"]["get"]["parameters"] if p["name"] == "ano")
    assert ano["description"] and ano["schema"]


def test_interactive_docs_work_offline(client: TestClient) -> None:
    page = client.get("/schema").text
    assert "cdn" not in page.lower() and "https://" not in page
    assert client.get("/schema/assets/swagger-ui-bundle.js").status_code == 200


def test_series_years_in_the_wrong_order(client: TestClient) -> None:
    response = client.get("/v1/metrics/serie?ano_de=2025&ano_ate=2024")
    assert response.status_code == 400
    assert response.json()["detail"] == "ano_de='2025': must not be after ano_ate"


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/v1/metrics/resumo?ano=2024", Resumo),
        ("/v1/metrics/pais", PaisPage),
        ("/v1/metrics/setor?pais=Chile", SetorPage),
        ("/v1/metrics/serie", Serie),
        ("/v1/metrics/pais?limit=0", Problem),
    ],
)
def test_answers_match_the_documented_schemas(client: TestClient, path: str, shape: type) -> None:
    msgspec.json.decode(client.get(path).content, type=shape, strict=True)
