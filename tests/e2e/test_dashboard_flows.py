"""The dashboard's flow switch in a real browser: imports in the URL, the figures and
rankings of imports from the API, origins instead of destinations, and back to exports.
Expected figures are the API's own JSON answers, fetched here."""

from __future__ import annotations

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
from tests.e2e.test_dashboard import api, figure, opened, redrawn_with
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
