"""The dashboard's flow switch in a real browser: imports in the URL, the figures and
rankings of imports from the API, origins instead of destinations, and back to exports.
Expected figures are the API's own JSON answers, fetched here."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.engine import make_url

from bgc_core import views
from bgc_core.domain import IMPORTS
from bgc_pipeline.ingest import load_file
from bgc_pipeline.ingest.history import write_history
from tests.e2e.test_dashboard import ARTIFACTS, api, figure, opened, redrawn_with
from tests.support.browser import chromium, chromium_binaries, console_errors, served_api
from tests.support.db import clone_database, drop_database
from tests.support.paths import SAMPLES

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

pytestmark = pytest.mark.skipif(
    chromium_binaries() is None,
    reason="BROWSER TESTS SKIPPED: Debian's chromium and chromium-driver are not installed",
)


@pytest.fixture(scope="module")
def site(
    pg_server_url: str, migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The committed samples (exports) and two generated import years, refreshed."""
    url = clone_database(pg_server_url, migrated_template, "t_dashboard_flows")
    folder = tmp_path_factory.mktemp("imports")
    load_file(url, SAMPLES / "EXP_2025.csv")
    for written in write_history(folder, range(2024, 2026), rows_per_year=800, seed=6,
                                 flow=IMPORTS):  # fmt: skip
        load_file(url, written.path)
    views.refresh_all(url)
    with served_api(url, tmp_path_factory.mktemp("landing")) as base:
        yield base
    drop_database(pg_server_url, make_url(url).database or "")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Chrome]:
    with chromium(tmp_path / "profile") as driver:
        yield driver


def text_of(browser: Chrome, node: str) -> str:
    return str(browser.execute_script(f"return document.getElementById('{node}').textContent"))


def test_the_flow_switch_shows_imports_and_goes_back(site: str, browser: Chrome) -> None:
    from selenium.webdriver.support.ui import Select

    opened(browser, f"{site}/painel?fluxo=importacao")
    latest = max(api(site, "/v1/metrics/resumo", fluxo="importacao")["anos"])
    resumo = api(site, "/v1/metrics/resumo", fluxo="importacao", ano=latest)
    assert Decimal(figure(browser, "fig-usd")[1]) == resumo["totalUsd"]
    assert browser.find_element("tag name", "h1").text == "Importações brasileiras"
    assert text_of(browser, "h-pais") == "Principais origens"
    ranking = api(site, "/v1/metrics/pais", fluxo="importacao", ano=latest, limit=10, lang="pt")
    shown = browser.execute_script("return document.getElementById('chart-pais').data[0].x")
    assert [Decimal(str(x)) for x in reversed(shown)] == [i["totalUsd"] for i in ranking["items"]]

    Select(browser.find_element("id", "f-fluxo")).select_by_value("exportacao")
    redrawn_with(browser, fluxo=None)
    exports = api(site, "/v1/metrics/resumo")
    assert (
        Decimal(figure(browser, "fig-usd")[1])
        == api(site, "/v1/metrics/resumo", ano=max(exports["anos"]))["totalUsd"]
    )
    assert browser.find_element("tag name", "h1").text == "Exportações brasileiras"
    assert text_of(browser, "h-pais") == "Principais destinos"
    assert console_errors(browser) == []


def chart_data(browser: Chrome, chart: str) -> list[dict[str, object]]:
    """The traces a chart draws: name, x and y of each."""
    return list(browser.execute_script(
        "return document.getElementById(arguments[0]).data.map(t => ({name: t.name, x: t.x, y: t.y}))",
        chart,
    ))  # fmt: skip


def shortened(name: str, size: int = 34) -> str:
    """A long name as the charts' axes show it: cut, with an ellipsis."""
    return name if len(name) <= size else f"{name[: size - 1]}…"


def amounts(values: object) -> list[Decimal]:
    return [Decimal(str(value)) for value in values]  # type: ignore[attr-defined]


def test_the_balance_view_shows_both_flows_by_month_and_by_partner(
    site: str, browser: Chrome
) -> None:
    opened(browser, f"{site}/painel?fluxo=balanca")
    years = [item["ano"] for item in api(site, "/v1/metrics/balanca")["items"]]
    balanca = api(site, "/v1/metrics/balanca", ano=max(years))
    assert browser.find_element("tag name", "h1").text == "Balança comercial brasileira"
    for flow in ("exportacao", "importacao", "saldo", "corrente"):
        assert Decimal(figure(browser, f"fig-{flow}")[1]) == balanca[f"{flow}Usd"], flow
    exports, imports, balance = chart_data(browser, "chart-balanca")
    assert (exports["name"], imports["name"], balance["name"]) == (
        "Exportações", "Importações", "Saldo",
    )  # fmt: skip
    assert amounts(exports["y"]) == [i["exportacaoUsd"] for i in balanca["items"]]
    assert amounts(imports["y"]) == [i["importacaoUsd"] for i in balanca["items"]]
    assert amounts(balance["y"]) == [i["saldoUsd"] for i in balanca["items"]]
    assert len(exports["x"]) == 12  # type: ignore[arg-type]

    partners = api(
        site, "/v1/metrics/balanca/pais", ano=max(years), ordem="corrente", limit=10, lang="pt"
    )["items"]
    exports, imports, balance = chart_data(browser, "chart-parceiros")
    assert list(reversed(exports["y"])) == [shortened(p["nome"]) for p in partners]
    assert list(reversed(amounts(exports["x"]))) == [p["exportacaoUsd"] for p in partners]
    assert list(reversed(amounts(imports["x"]))) == [p["importacaoUsd"] for p in partners]
    assert list(reversed(amounts(balance["x"]))) == [p["saldoUsd"] for p in partners]
    hidden = browser.execute_script(
        "return ['p-resumo', 'p-pais', 'p-balanca', 'p-parceiros']"
        ".map(id => document.getElementById(id).hidden)"
    )
    assert hidden == [True, True, False, False]
    assert console_errors(browser) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "painel-balanca-1280x800.png"))


def test_the_balance_view_speaks_english_and_goes_back_to_one_flow(
    site: str, browser: Chrome
) -> None:
    from selenium.webdriver.support.ui import Select

    opened(browser, f"{site}/painel?fluxo=balanca&lang=en")
    assert browser.find_element("tag name", "h1").text == "Brazilian trade balance"
    assert text_of(browser, "h-parceiros") == "Top partners by total trade"
    names = [trace["name"] for trace in chart_data(browser, "chart-balanca")]
    assert names == ["Exports", "Imports", "Balance"]
    for link, path in (("csv-balanca", "/v1/metrics/balanca?"),
                       ("csv-parceiros", "/v1/metrics/balanca/pais?")):  # fmt: skip
        csv = browser.find_element("id", link).get_attribute("href") or ""
        assert path in csv and "format=csv" in csv and "fluxo" not in csv, link
        with urllib.request.urlopen(csv, timeout=30) as answer:
            assert answer.headers["content-type"].startswith("text/csv"), link
            assert answer.read().count(b"\n") >= 2, link

    Select(browser.find_element("id", "f-fluxo")).select_by_value("importacao")
    redrawn_with(browser, fluxo="importacao")
    assert browser.find_element("tag name", "h1").text == "Brazilian imports"
    latest = max(api(site, "/v1/metrics/resumo", fluxo="importacao")["anos"])
    resumo = api(site, "/v1/metrics/resumo", fluxo="importacao", ano=latest)
    assert Decimal(figure(browser, "fig-cif")[1]) == resumo["cifUsd"]
    hidden = browser.execute_script(
        "return ['p-resumo', 'p-balanca'].map(id => document.getElementById(id).hidden)"
    )
    assert hidden == [False, True]
    assert console_errors(browser) == []
