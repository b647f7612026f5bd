"""`POST /comexstat/general` and its companions: the official Comex Stat API's request and
answer shape over this instance's data. Every expected row is summed here from the
generated official files with the standard library, and every code mapped with the
shipped reference CSVs (public tables, not the code under test)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from bgc_api.app import create_app
from bgc_core.domain import IMPORTS
from bgc_pipeline.ingest.history import write_history
from tests.support.fixtures import StateCopy
from tests.support.ingest import load_and_refresh, official_rows
from tests.support.paths import REPO_ROOT
from tests.support.settings import api_settings

Rows = list[dict[str, str]]
REFERENCE = REPO_ROOT / "sql" / "reference"
EXPORT_YEARS = range(2021, 2026)
IMPORT_YEARS = range(2023, 2025)
IBGE = {"35": "SP", "41": "PR", "31": "MG", "43": "RS", "51": "MT"}
"""IBGE's codes of a few states (public): the public API filters states by them."""
MEASURES = {"metricFOB": "VL_FOB", "metricKG": "KG_LIQUIDO", "metricStatistic": "QT_ESTAT",
            "metricFreight": "VL_FRETE", "metricInsurance": "VL_SEGURO"}  # fmt: skip


def reference(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((REFERENCE / name).read_text("utf-8"), newline="")))


COUNTRIES = {r["co_pais"]: r for r in reference("pais.csv")}
NAMES = {(r["dimensao"], r["codigo"]): r for r in reference("nomes.csv")}
CLASSES = {r["ncm"]: r for r in reference("ncm_classes.csv")}
SECTIONS = {r["ncm"]: r["isic_secao"] for r in reference("ncm_setor.csv")}
LEVELS = {r["ncm"]: r for r in reference("ncm_niveis.csv")}
LEVEL_NAMES = {(r["dimensao"], r["codigo"]): r["nome"] for r in reference("nomes_niveis.csv")}
LEVEL_DETAILS = {
    "section": ("secao", "sectionCode"), "BECLevel2": ("cgce_n2", "coBECLevel2"),
    "BECLevel3": ("cgce_n3", "coBECLevel3"), "SITCDivision": ("cuci_cap", "SITCDivisionCode"),
    "SITCGroup": ("cuci_pos", "SITCGroupCode"), "SITCSubGroup": ("cuci_sub", "SITCSubGroupCode"),
    "SITCBasicHeading": ("cuci_item", "SITCBasicHeadingCode"),
    "ISICDivision": ("isic_divisao", "ISICDivisionCode"),
    "ISICGroup": ("isic_grupo", "ISICGroupCode"), "ISICClass": ("isic_classe", "ISICClassCode"),
}  # fmt: skip
"""The levels MDIC's tables give each NCM: the detail, its column there and its code key."""
BLOCS: dict[str, list[str]] = defaultdict(list)
for pair in reference("pais_bloco.csv"):
    BLOCS[pair["co_pais"]].append(pair["co_bloco"])


def load_history(url: str, folder: Path) -> dict[str, Rows]:
    exports = list(write_history(folder / "exp", EXPORT_YEARS, rows_per_year=1_500, seed=29))
    imports = list(write_history(folder / "imp", IMPORT_YEARS, rows_per_year=1_500, seed=29,
                                 flow=IMPORTS))  # fmt: skip
    load_and_refresh(url, [w.path for w in (*exports, *imports)])
    return {
        "export": [r for w in exports for r in official_rows(w.path)],
        "import": [r for w in imports for r in official_rows(w.path)],
    }


@pytest.fixture
def history(state_copy: StateCopy) -> tuple[str, dict[str, Rows]]:
    return state_copy(load_history)


@pytest.fixture
def client(history: tuple[str, dict[str, Rows]]) -> Iterator[TestClient]:
    url, _ = history
    with TestClient(app=create_app(api_settings(), database_url=url, access_log=False)) as test:
        yield test


def general(client: TestClient, body: dict[str, Any], **query: str) -> Any:
    answer = client.post("/comexstat/general", json=body, params=query)
    assert answer.status_code == 200, answer.text
    envelope = answer.json()
    assert (envelope["success"], envelope["message"], envelope["processo_info"]) == (
        True, None, None,
    )  # fmt: skip
    return envelope["data"]["list"]


def summed(
    rows: Rows,
    keys: Callable[[dict[str, str]], list[tuple[tuple[str, str], ...]]],
    metrics: list[str],
    keep: Callable[[dict[str, str]], bool] = lambda r: True,
) -> list[dict[str, str]]:
    """The public API's rows computed from file rows: ``keys`` gives each row's key items
    (a country in two blocs: two keys), ``metrics`` the measures summed."""
    sums: dict[tuple[tuple[str, str], ...], dict[str, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    for r in rows:
        if not keep(r):
            continue
        for key in keys(r):
            for metric in metrics:
                sums[key][metric] += metric_of(r, metric)
    return [
        {**dict(key), **{m: text(v) for m, v in values.items()}} for key, values in sums.items()
    ]


def metric_of(row: dict[str, str], metric: str) -> Decimal:
    if metric == "metricCIF":
        return sum((Decimal(row[c]) for c in ("VL_FOB", "VL_FRETE", "VL_SEGURO")), Decimal(0))
    return Decimal(row[MEASURES[metric]])


def text(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else format(value, "f")


def ordered(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted(rows, key=lambda r: sorted(r.items()))


def assert_answers(
    client: TestClient, body: dict[str, Any], expected: list[dict[str, str]]
) -> None:
    """The answer to ``body`` holds exactly the ``expected`` rows, in any order; the body
    selects data (an empty answer would prove nothing)."""
    assert expected, "the body selects no data"
    assert ordered(general(client, body)) == ordered(expected)


def country(code: str, lang: str = "pt") -> str:
    return COUNTRIES[code]["no_pais_ing" if lang == "en" else "no_pais"]


def in_period(year_from: int, year_to: int, month_from: int, month_to: int) -> Callable[..., bool]:
    return lambda r: (year_from <= int(r["CO_ANO"]) <= year_to
                      and month_from <= int(r["CO_MES"]) <= month_to)  # fmt: skip


def year_month(r: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return (("year", r["CO_ANO"]), ("monthNumber", r["CO_MES"]))


# ---------------------------------------------------------------- what clients send


def test_the_issues_example_request_answers_every_row(
    client: TestClient,
    history: tuple[str, dict[str, Rows]],
) -> None:
    rows = history[1]["export"]
    q1 = in_period(2024, 2024, 1, 3)
    sp = [r for r in rows if q1(r) and r["SG_UF_NCM"] == "SP"]
    ncm = max({r["CO_NCM"] for r in sp}, key=lambda c: sum(r["CO_NCM"] == c for r in sp))
    body = {"flow": "export", "monthDetail": True,
            "period": {"from": "2024-01", "to": "2024-03"},
            "filters": [{"filter": "state", "values": [35]},
                        {"filter": "ncm", "values": [ncm]}],
            "details": ["country", "ncm"], "metrics": ["metricFOB", "metricKG"]}  # fmt: skip
    expected = summed(
        sp,
        lambda r: [(("country", country(r["CO_PAIS"])), ("coNcm", r["CO_NCM"]),
                    ("ncm", NAMES["ncm", r["CO_NCM"]]["nome"]), *year_month(r))],
        ["metricFOB", "metricKG"],
        keep=lambda r: r["CO_NCM"] == ncm,
    )  # fmt: skip
    assert_answers(client, body, expected)


def test_exports_by_country_and_year_over_five_years(
    client: TestClient,
    history: tuple[str, dict[str, Rows]],
) -> None:
    body = {"flow": "export", "monthDetail": False,
            "period": {"from": "2021-01", "to": "2025-12"},
            "details": ["country"], "metrics": ["metricFOB"]}  # fmt: skip
    expected = summed(
        history[1]["export"],
        lambda r: [(("country", country(r["CO_PAIS"])), ("year", r["CO_ANO"]))],
        ["metricFOB"],
    )
    answer = general(client, body)
    assert ordered(answer) == ordered(expected)
    assert {r["year"] for r in answer} == {str(y) for y in EXPORT_YEARS}
    assert list(answer[0]) == ["country", "year", "metricFOB"]


def test_one_ncm_by_month_for_one_state(
    client: TestClient,
    history: tuple[str, dict[str, Rows]],
) -> None:
    rows = [r for r in history[1]["export"] if r["SG_UF_NCM"] == "PR"]
    ncm = max({r["CO_NCM"] for r in rows}, key=lambda c: sum(r["CO_NCM"] == c for r in rows))
    metrics = ["metricFOB", "metricKG", "metricStatistic"]
    body = {"flow": "export", "monthDetail": True,
            "period": {"from": "2021-01", "to": "2025-12"},
            "filters": [{"filter": "ncm", "values": [ncm]}, {"filter": "state", "values": ["41"]}],
            "metrics": metrics}  # fmt: skip
    expected = summed(rows, lambda r: [year_month(r)], metrics, keep=lambda r: r["CO_NCM"] == ncm)
    answer = general(client, body)
    assert ordered(answer) == ordered(expected)
    assert [(r["year"], r["monthNumber"]) for r in answer] == sorted(
        (r["year"], r["monthNumber"]) for r in answer
    )


def test_imports_by_country_with_freight_insurance_and_cif(
    client: TestClient,
    history: tuple[str, dict[str, Rows]],
) -> None:
    metrics = ["metricFOB", "metricFreight", "metricInsurance", "metricCIF"]
    body = {"flow": "import", "period": {"from": "2023-01", "to": "2024-12"},
            "details": ["country"], "metrics": metrics}  # fmt: skip
    expected = summed(
        history[1]["import"],
        lambda r: [(("country", country(r["CO_PAIS"])), ("year", r["CO_ANO"]))],
        metrics,
    )
    assert_answers(client, body, expected)


# ---------------------------------------------------------------- the period


def test_the_period_crosses_years_with_months(
    client: TestClient,
    history: tuple[str, dict[str, Rows]],
) -> None:
    body = {"flow": "export", "monthDetail": True,
            "period": {"from": "2022-02", "to": "2024-04"}, "metrics": ["metricFOB"]}  # fmt: skip
    expected = summed(
        history[1]["export"], lambda r: [year_month(r)], ["metricFOB"],
        keep=in_period(2022, 2024, 2, 4),
    )  # fmt: skip
    answer = general(client, body)
    assert ordered(answer) == ordered(expected)
    assert {r["monthNumber"] for r in answer} == {"02", "03", "04"}


def test_without_month_detail_each_year_sums_its_months_of_the_period(
    client: TestClient,
    history: tuple[str, dict[str, Rows]],
) -> None:
    body = {"flow": "export", "period": {"from": "2023-06", "to": "2025-08"},
            "metrics": ["metricFOB", "metricKG"]}  # fmt: skip
    expected = summed(
        history[1]["export"], lambda r: [(("year", r["CO_ANO"]),)], ["metricFOB", "metricKG"],
        keep=in_period(2023, 2025, 6, 8),
    )  # fmt: skip
    assert_answers(client, body, expected)


def test_a_start_month_after_the_end_month_is_an_empty_list(client: TestClient) -> None:
    body = {"flow": "export", "period": {"from": "2021-09", "to": "2025-03"},
            "metrics": ["metricFOB"]}  # fmt: skip
    assert general(client, body) == []


# ---------------------------------------------------------------- details and filters

DETAIL_KEYS: dict[str, Callable[[dict[str, str]], list[tuple[tuple[str, str], ...]]]] = {
    "country": lambda r: [(("country", country(r["CO_PAIS"])),)],
    "economicBlock": lambda r: [
        (("economicBlockCode", b), ("economicBlock", NAMES["bloco", b]["nome"]))
        for b in BLOCS[r["CO_PAIS"]]
    ],
    "state": lambda r: [(("state", NAMES["uf", r["SG_UF_NCM"]]["nome"]),)],
    "via": lambda r: [(("viaCode", r["CO_VIA"]), ("via", NAMES["via", r["CO_VIA"]]["nome"]))],
    "urf": lambda r: [(("urfCode", r["CO_URF"]), ("urf", NAMES["urf", r["CO_URF"]]["nome"]))],
    "ncm": lambda r: [(("coNcm", r["CO_NCM"]), ("ncm", NAMES["ncm", r["CO_NCM"]]["nome"]))],
    "subHeading": lambda r: [(("subHeadingCode", r["CO_NCM"][:6]),
                              ("subHeading", NAMES["sh6", r["CO_NCM"][:6]]["nome"]))],
    "heading": lambda r: [(("headingCode", r["CO_NCM"][:4]),
                           ("heading", NAMES["sh4", r["CO_NCM"][:4]]["nome"]))],
    "chapter": lambda r: [(("chapterCode", r["CO_NCM"][:2]),
                           ("chapter", NAMES["sh2", r["CO_NCM"][:2]]["nome"]))],
    "BECLevel1": lambda r: [(("coBECLevel1", CLASSES[r["CO_NCM"]]["cgce"]),
                             ("BECLevel1", NAMES["cgce", CLASSES[r["CO_NCM"]]["cgce"]]["nome"]))],
    "SITCSection": lambda r: [(("SITCSectionCode", CLASSES[r["CO_NCM"]]["cuci"]),
                               ("SITCSection", NAMES["cuci", CLASSES[r["CO_NCM"]]["cuci"]]["nome"]))],
}  # fmt: skip


def level_keys(detail: str) -> Callable[[dict[str, str]], list[tuple[tuple[str, str], ...]]]:
    column, code_key = LEVEL_DETAILS[detail]

    def keys(r: dict[str, str]) -> list[tuple[tuple[str, str], ...]]:
        code = LEVELS[r["CO_NCM"]][column]
        return [((code_key, code), (detail, LEVEL_NAMES[column, code]))]

    return keys


DETAIL_KEYS |= {detail: level_keys(detail) for detail in LEVEL_DETAILS}


@pytest.mark.parametrize("detail", sorted(DETAIL_KEYS))
def test_each_detail_sums_by_its_codes_and_names(
    client: TestClient,
    history: tuple[str, dict[str, Rows]],
    detail: str,
) -> None:
    body = {"flow": "export", "period": {"from": "2024-01", "to": "2024-12"},
            "details": [detail], "metrics": ["metricFOB"]}  # fmt: skip
    keys = DETAIL_KEYS[detail]
    expected = summed(
        history[1]["export"], lambda r: [(*k, ("year", "2024")) for k in keys(r)], ["metricFOB"],
        keep=in_period(2024, 2024, 1, 12),
    )  # fmt: skip
    assert_answers(client, body, expected)


def test_the_isic_section_detail_is_the_sector_by_its_letter(
    client: TestClient,
    history: tuple[str, dict[str, Rows]],
) -> None:
    body = {"flow": "export", "period": {"from": "2024-01", "to": "2024-12"},
            "details": ["ISICSection"], "metrics": ["metricFOB"]}  # fmt: skip
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for r in history[1]["export"]:
        if r["CO_ANO"] == "2024":
            expected[SECTIONS[r["CO_NCM"]]] += Decimal(r["VL_FOB"])
    answer = general(client, body)
    assert {r["ISICSectionCode"]: Decimal(r["metricFOB"]) for r in answer} == expected
    assert {r["ISICSectionCode"]: r["ISICSection"] for r in answer}["A"] == "Agropecuária"


FILTERS: dict[str, tuple[Callable[[Rows], list[str]], Callable[[dict[str, str], list[str]], bool]]] = {
    "country": (lambda rows: sorted({r["CO_PAIS"] for r in rows})[:2],
                lambda r, v: r["CO_PAIS"] in v),
    "economicBlock": (lambda rows: ["22", "48"],
                      lambda r, v: bool(set(BLOCS[r["CO_PAIS"]]) & set(v))),
    "state": (lambda rows: ["35", "31"], lambda r, v: r["SG_UF_NCM"] in {IBGE[c] for c in v}),
    "via": (lambda rows: ["01"], lambda r, v: r["CO_VIA"] in v),
    "urf": (lambda rows: sorted({r["CO_URF"] for r in rows})[:3], lambda r, v: r["CO_URF"] in v),
    "ncm": (lambda rows: sorted({r["CO_NCM"] for r in rows})[:5], lambda r, v: r["CO_NCM"] in v),
    "subHeading": (lambda rows: sorted({r["CO_NCM"][:6] for r in rows})[:3],
                   lambda r, v: r["CO_NCM"][:6] in v),
    "heading": (lambda rows: ["1201", "0202"], lambda r, v: r["CO_NCM"][:4] in v),
    "chapter": (lambda rows: ["12", "26"], lambda r, v: r["CO_NCM"][:2] in v),
    "BECLevel1": (lambda rows: ["2"], lambda r, v: CLASSES[r["CO_NCM"]]["cgce"] in v),
    "SITCSection": (lambda rows: ["0", "2"], lambda r, v: CLASSES[r["CO_NCM"]]["cuci"] in v),
    "ISICSection": (lambda rows: ["A"], lambda r, v: SECTIONS[r["CO_NCM"]] in v),
}  # fmt: skip


def level_filter(
    column: str,
) -> tuple[Callable[[Rows], list[str]], Callable[[dict[str, str], list[str]], bool]]:
    """The two most frequent codes of a level in the rows, and the rows they keep."""

    def codes(rows: Rows) -> list[str]:
        counted: dict[str, int] = defaultdict(int)
        for r in rows:
            counted[LEVELS[r["CO_NCM"]][column]] += 1
        return sorted(counted, key=lambda c: (-counted[c], c))[:2]

    return codes, lambda r, v: LEVELS[r["CO_NCM"]][column] in v


FILTERS |= {detail: level_filter(column) for detail, (column, _) in LEVEL_DETAILS.items()}


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_each_filter_keeps_the_rows_of_its_codes(
    client: TestClient,
    history: tuple[str, dict[str, Rows]],
    name: str,
) -> None:
    rows = [r for r in history[1]["export"] if r["CO_ANO"] == "2025"]
    codes, keep = FILTERS[name]
    values = codes(rows)
    body = {"flow": "export", "period": {"from": "2025-01", "to": "2025-12"},
            "filters": [{"filter": name, "values": values}], "metrics": ["metricFOB"]}  # fmt: skip
    expected = sum((Decimal(r["VL_FOB"]) for r in rows if keep(r, values)), Decimal(0))
    assert expected > 0
    assert general(client, body) == [{"year": "2025", "metricFOB": text(expected)}]


def test_two_details_and_two_filters_together(
    client: TestClient,
    history: tuple[str, dict[str, Rows]],
) -> None:
    body = {"flow": "export", "period": {"from": "2024-01", "to": "2025-06"},
            "filters": [{"filter": "state", "values": [35]}, {"filter": "chapter", "values": ["12", "26"]}],
            "details": ["heading", "via"], "metrics": ["metricFOB", "metricKG"]}  # fmt: skip
    expected = summed(
        history[1]["export"],
        lambda r: [(*DETAIL_KEYS["heading"](r)[0], *DETAIL_KEYS["via"](r)[0],
                    ("year", r["CO_ANO"]))],
        ["metricFOB", "metricKG"],
        keep=lambda r: (in_period(2024, 2025, 1, 6)(r) and r["SG_UF_NCM"] == "SP"
                        and r["CO_NCM"][:2] in ("12", "26")),
    )  # fmt: skip
    assert_answers(client, body, expected)


def test_names_come_in_english_when_asked(
    client: TestClient,
    history: tuple[str, dict[str, Rows]],
) -> None:
    body = {"flow": "export", "period": {"from": "2024-01", "to": "2024-12"},
            "details": ["country", "chapter"], "metrics": ["metricFOB"]}  # fmt: skip
    answer = client.post("/comexstat/general", json=body, params={"language": "en"}).json()
    assert answer["language"] == "en"
    shown = {(r["country"], r["chapterCode"], r["chapter"]) for r in answer["data"]["list"]}
    expected = {
        (country(r["CO_PAIS"], "en"), r["CO_NCM"][:2],
         NAMES["sh2", r["CO_NCM"][:2]]["nome_ing"] or NAMES["sh2", r["CO_NCM"][:2]]["nome"])
        for r in history[1]["export"] if r["CO_ANO"] == "2024"
    }  # fmt: skip
    assert shown == expected


# ---------------------------------------------------------------- bad bodies

GOOD = {"flow": "export", "period": {"from": "2024-01", "to": "2024-12"},
        "metrics": ["metricFOB"]}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"colour": "blue"}, "colour"),
        ({"flow": "transit"}, "flow"),
        ({"period": {"from": "2024-1", "to": "2024-12"}}, "period.from"),
        ({"period": {"from": "2024-13", "to": "2024-12"}}, "period.from"),
        ({"period": {"from": "2025-01", "to": "2024-12"}}, "period"),
        ({"period": {"from": "1900-01", "to": "2024-12"}}, "period.from"),
        ({"details": ["planet"]}, "details[0]"),
        ({"details": ["country", "sections"]}, "details[1]"),
        ({"metrics": ["metricFOB", "metricGold"]}, "metrics[1]"),
        ({"metrics": ["metricCIF"]}, "metrics[0]"),
        ({"metrics": []}, "metrics"),
        ({"filters": [{"filter": "planet", "values": [1]}]}, "filters[0].filter"),
        ({"filters": [{"filter": "state", "values": []}]}, "filters[0].values"),
        ({"filters": [{"filter": "state", "values": ["S P"]}]}, "filters[0].values"),
        ({"filters": [{"filter": "state", "values": [77]}]}, "'77'"),
        ({"filters": [{"filter": "ncm", "values": ["99999999"]}]}, "'99999999'"),
    ],
)
def test_a_bad_body_is_a_400_naming_the_item(
    client: TestClient,
    change: dict[str, Any],
    named: str,
) -> None:
    answer = client.post("/comexstat/general", json={**GOOD, **change})
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert named in answer.text


def test_a_body_that_is_not_json_is_a_400(client: TestClient) -> None:
    answer = client.post(
        "/comexstat/general", content=b"{flow: export", headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400


def test_an_answer_past_the_row_limit_is_a_413(history: tuple[str, dict[str, Rows]]) -> None:
    settings = api_settings(BGC_COMEXSTAT_MAX_ROWS="10")
    with TestClient(app=create_app(settings, database_url=history[0], access_log=False)) as test:
        body = {**GOOD, "details": ["ncm"]}
        answer = test.post("/comexstat/general", json=body)
        assert answer.status_code == 413
        assert "BGC_COMEXSTAT_MAX_ROWS" in answer.text
        small = test.post("/comexstat/general", json=GOOD)
        assert small.status_code == 200


# ---------------------------------------------------------------- versions and limits


def test_the_same_body_has_the_same_etag_and_a_304(client: TestClient) -> None:
    first = client.post("/comexstat/general", json=GOOD)
    again = client.post(
        "/comexstat/general", json=GOOD, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    other = client.post("/comexstat/general", json={**GOOD, "metrics": ["metricKG"]})
    assert other.headers["etag"] != first.headers["etag"]


def test_the_rate_limit_leaves_these_routes_alone_unless_configured(
    history: tuple[str, dict[str, Rows]],
) -> None:
    for configured, expected in (("false", {200}), ("true", {200, 429})):
        settings = api_settings(BGC_API_RATE_LIMIT_PER_MINUTE="2",
                                BGC_COMEXSTAT_RATE_LIMITED=configured)  # fmt: skip
        with TestClient(
            app=create_app(settings, database_url=history[0], access_log=False)
        ) as test:
            statuses = {test.post("/comexstat/general", json=GOOD).status_code for _ in range(4)}
        assert statuses == expected, configured


# ---------------------------------------------------------------- companions


def test_the_dates_name_the_latest_month_and_the_years_of_either_flow(
    client: TestClient,
    history: tuple[str, dict[str, Rows]],
) -> None:
    rows = [*history[1]["export"], *history[1]["import"]]
    latest = max((r["CO_ANO"], r["CO_MES"]) for r in rows)
    updated = client.get("/comexstat/general/dates/updated").json()["data"]
    assert (updated["year"], updated["monthNumber"]) == latest
    assert len(updated["updated"]) == 10  # YYYY-MM-DD
    years = client.get("/comexstat/general/dates/years").json()["data"]
    assert years == {"min": str(min(EXPORT_YEARS)), "max": str(max(EXPORT_YEARS))}


def test_the_lists_of_filters_details_and_metrics(client: TestClient) -> None:
    filters = client.get("/comexstat/general/filters").json()["data"]
    assert {"filter": "state", "text": "UF do produto"} in filters
    details = client.get("/comexstat/general/details", params={"language": "en"}).json()
    assert {"filter": "heading", "text": "Heading (HS4)"} in details["data"]
    metrics = client.get("/comexstat/general/metrics").json()["data"]
    assert [m["id"] for m in metrics] == [
        "metricFOB", "metricKG", "metricStatistic", "metricFreight", "metricInsurance",
        "metricCIF",
    ]  # fmt: skip


def test_a_filters_values_are_the_public_apis_codes(client: TestClient) -> None:
    states = client.get("/comexstat/general/filters/state").json()["data"]
    assert {"id": "35", "text": "São Paulo"} in states
    assert {"id": "41", "text": "Paraná"} in states
    countries = client.get("/comexstat/general/filters/country", params={"language": "en"})
    assert {"id": "160", "text": "China"} in countries.json()["data"]
    sections = client.get("/comexstat/general/filters/ISICSection").json()["data"]
    assert {"id": "A", "text": "Agropecuária"} in sections
    sections = client.get("/comexstat/general/filters/section").json()["data"]
    assert {"id": "II", "text": LEVEL_NAMES["secao", "II"]} in sections
    assert client.get("/comexstat/general/filters/sections").status_code == 400


def test_the_code_tables_list_the_filters_codes_and_search_them(client: TestClient) -> None:
    countries = client.get("/comexstat/tables/countries", params={"language": "en"}).json()
    assert {"id": "160", "text": "China"} in countries["data"]
    assert {"id": "35", "text": "São Paulo"} in client.get("/comexstat/tables/uf").json()["data"]
    found = client.get("/comexstat/tables/ncm", params={"search": "soja"}).json()["data"]
    assert found and all("soja" in v["text"].lower() for v in found)
    assert "12019000" in {v["id"] for v in found}
    blocs = client.get("/comexstat/tables/economic-blocks").json()["data"]
    assert {"id": "22", "text": NAMES["bloco", "22"]["nome"]} in blocs
    ways = client.get("/comexstat/tables/ways").json()["data"]
    assert {"id": "01", "text": NAMES["via", "01"]["nome"]} in ways
    urf = client.get("/comexstat/tables/urf", params={"search": "0817800"}).json()["data"]
    assert [v["id"] for v in urf] == ["0817800"]
    assert client.get("/comexstat/tables/planets").status_code == 400
