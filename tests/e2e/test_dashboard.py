"""The dashboard at /painel in a real browser (Debian's Chromium through chromium-driver),
against the API serving the committed samples. Expected figures come from the API's own
JSON answers, fetched here, and are formatted here independently of the page's script."""

from __future__ import annotations

import json
import os
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.engine import make_url

from bgc_core import views
from bgc_pipeline.ingest import load_file
from tests.support.browser import (
    chromium,
    chromium_binaries,
    console_errors,
    served_api,
    set_viewport,
    wait_for_state,
)
from tests.support.db import clone_database, drop_database
from tests.support.paths import REPO_ROOT, SAMPLES

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

pytestmark = pytest.mark.skipif(
    chromium_binaries() is None,
    reason="BROWSER TESTS SKIPPED: Debian's chromium and chromium-driver are not installed "
    "(`make test` installs them where apt-get runs as root)",
)

ARTIFACTS = Path(os.environ.get("BGC_TEST_ARTIFACTS", REPO_ROOT / "build" / "test-artifacts"))
CHARTS = ("chart-serie", "chart-pais", "chart-sh4", "chart-uf", "chart-movers")
CONTROLS = ("f-ano", "f-local", "f-uf", "f-ncm", "f-setor", "f-clear")


@pytest.fixture(scope="module")
def samples_url(pg_server_url: str, migrated_template: str) -> Iterator[str]:
    """A database holding the committed samples, views refreshed (shared: tests only read)."""
    url = clone_database(pg_server_url, migrated_template, "t_dashboard_samples")
    for path in sorted(SAMPLES.glob("*.*")):
        if path.suffix in (".csv", ".xlsx"):
            load_file(url, path)
    views.refresh_all(url)
    yield url
    drop_database(pg_server_url, make_url(url).database or "")


@pytest.fixture(scope="module")
def site(samples_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_api(samples_url, tmp_path_factory.mktemp("landing")) as base:
        yield base


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Chrome]:
    with chromium(tmp_path / "profile") as driver:
        yield driver


def api(base: str, path: str, **params: Any) -> Any:
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    with urllib.request.urlopen(f"{base}{path}?{query}", timeout=30) as answer:
        return json.loads(answer.read(), parse_float=Decimal)


def opened(browser: Chrome, url: str) -> Chrome:
    browser.get(url)
    assert wait_for_state(browser, "ready", "error", "empty") == "ready", message(browser)
    return browser


def message(browser: Chrome) -> str:
    return str(browser.execute_script("return document.getElementById('message').textContent"))


def figure(browser: Chrome, node: str) -> tuple[str, str]:
    """The text shown and the raw value behind it."""
    return tuple(browser.execute_script(  # type: ignore[return-value]
        "const n = document.getElementById(arguments[0]); return [n.textContent, n.dataset.value]",
        node,
    ))  # fmt: skip


def query_of(browser: Chrome) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(browser.current_url).query))


def redrawn_with(browser: Chrome, **expected: str | None) -> dict[str, str]:
    """Wait until the URL holds ``expected`` (None: the key is gone) and the page is drawn."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        query = query_of(browser)
        if all(query.get(key) == value for key, value in expected.items()):
            wait_for_state(browser, "ready")
            return query
        time.sleep(0.05)
    raise AssertionError(f"the URL never held {expected}: {browser.current_url}")


SCALES = {
    "pt": ((Decimal(10) ** 12, "tri"), (Decimal(10) ** 9, "bi"), (Decimal(10) ** 6, "mi"),
           (Decimal(1000), "mil")),
    "en": ((Decimal(10) ** 12, "tn"), (Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "mn"),
           (Decimal(1000), "k")),
}  # fmt: skip


def grouped(value: Decimal, digits: int, lang: str) -> str:
    """``value`` with thousands grouped: 1,234.56 (en) or 1.234,56 (pt)."""
    text = f"{value.quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP):,.{digits}f}"
    return text if lang == "en" else text.translate(str.maketrans(",.", ".,"))


def money(value: Decimal, lang: str) -> str:
    """How an analyst writes an amount: ``US$ 1,25 bi`` in Portuguese, ``US$ 1.25 bn`` in English."""
    for factor, unit in SCALES[lang]:
        if abs(value) >= factor:
            return f"US$ {grouped(value / factor, 2, lang)} {unit}"
    return f"US$ {grouped(value, 0, lang)}"


def test_the_page_shows_the_samples_in_every_chart_without_console_errors(
    site: str, browser: Chrome
) -> None:
    opened(browser, f"{site}/painel")
    assert console_errors(browser) == []
    for chart in CHARTS:
        points = browser.execute_script(
            "const c = document.getElementById(arguments[0]); return c.data ? c.data[0].x.length : 0",
            chart,
        )
        assert points > 0, f"{chart} shows no data"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "painel-1280x800.png"))


def test_the_root_redirects_to_the_dashboard(site: str, browser: Chrome) -> None:
    opened(browser, f"{site}/")
    assert urllib.parse.urlsplit(browser.current_url).path == "/painel"


def test_the_header_figures_are_the_apis_answers_in_portuguese_conventions(
    site: str, browser: Chrome
) -> None:
    whole = api(site, "/v1/metrics/resumo")
    latest = max(whole["anos"])
    opened(browser, f"{site}/painel")
    resumo = api(site, "/v1/metrics/resumo", ano=latest)
    shown, value = figure(browser, "fig-usd")
    assert Decimal(value) == resumo["totalUsd"]
    assert shown == money(resumo["totalUsd"], "pt")
    assert Decimal(figure(browser, "fig-kg")[1]) == resumo["totalKg"]
    year, last = (int(part) for part in whole["dataThrough"].split("-"))
    before = api(site, "/v1/metrics/resumo", ano=year - 1, mes_de=1, mes_ate=last)
    growth = 100 * (resumo["totalUsd"] - before["totalUsd"]) / before["totalUsd"]
    shown, value = figure(browser, "fig-growth")
    assert abs(Decimal(value) - growth) < Decimal("0.0001")
    assert shown == ("+" if growth > 0 else "") + grouped(growth, 1, "pt") + "%"
    assert figure(browser, "fig-through")[1] == whole["dataThrough"]
    badges = browser.execute_script(
        "return [...document.querySelectorAll('#conferencia li')].map(li => li.className)"
    )
    assert badges == [c["status"] for c in whole["conferencia"]]


def test_changing_a_filter_updates_the_url_and_the_header(site: str, browser: Chrome) -> None:
    from selenium.webdriver.support.ui import Select

    latest = max(api(site, "/v1/metrics/resumo")["anos"])
    opened(browser, f"{site}/painel")
    Select(browser.find_element("id", "f-uf")).select_by_value("SP")
    assert redrawn_with(browser, uf="SP") == {"ano": str(latest), "uf": "SP"}
    expected = api(site, "/v1/metrics/resumo", ano=latest, uf="SP")["totalUsd"]
    assert Decimal(figure(browser, "fig-usd")[1]) == expected
    concentration = api(site, "/v1/metrics/concentracao", ano=latest, uf="SP")
    assert Decimal(figure(browser, "fig-hhi-paises")[1]) == concentration["paises"]["hhi"]
    movers = api(site, "/v1/metrics/variacao/sh4", ano=latest, uf="SP", limit=5, lang="pt")
    shown = browser.execute_script("return document.getElementById('chart-movers').data[0].x")
    expected = sorted(m["diferencaUsd"] for m in movers["altas"] + movers["quedas"])
    assert [Decimal(str(x)) for x in shown] == expected
    ranking = api(site, "/v1/metrics/pais", ano=latest, uf="SP", limit=10, lang="pt")
    shown = browser.execute_script("return document.getElementById('chart-pais').data[0].x")
    assert [Decimal(str(x)) for x in reversed(shown)] == [i["totalUsd"] for i in ranking["items"]]
    browser.back()
    redrawn_with(browser, uf=None)
    assert Decimal(figure(browser, "fig-usd")[1]) == api(site, "/v1/metrics/resumo")["totalUsd"]


def test_a_shared_link_restores_its_filters_and_choices(site: str, browser: Chrome) -> None:
    opened(
        browser,
        f"{site}/painel?ano=2024&setor=Agropecu%C3%A1ria&medida=kg&periodo=acumulado&lang=en",
    )
    values = browser.execute_script(
        "return ['f-ano', 'f-setor', 'f-lang'].map(id => document.getElementById(id).value)"
    )
    assert values == ["2024", "Agropecuária", "en"]
    checked = browser.execute_script(
        "return [...document.querySelectorAll('input[type=radio]:checked')].map(r => r.value)"
    )
    assert checked == ["acumulado", "kg"]
    serie = api(site, "/v1/metrics/serie", setor="A", ano_ate=2024, periodo="acumulado")
    shown = browser.execute_script("return document.getElementById('chart-serie').data[0].y")
    assert [Decimal(str(y)) for y in shown] == [i["totalKg"] for i in serie["items"]]
    resumo = api(site, "/v1/metrics/resumo", ano=2024, setor="A")
    assert figure(browser, "fig-usd")[0] == money(resumo["totalUsd"], "en")
    assert browser.execute_script("return document.documentElement.lang") == "en-US"
    assert browser.find_element("id", "h-serie").text == "Monthly series"


def test_every_panel_links_to_the_csv_of_its_answer(site: str, browser: Chrome) -> None:
    opened(browser, f"{site}/painel?uf=MT&ncm=12")
    links = browser.execute_script(
        "return [...document.querySelectorAll('section:not([hidden]) a.csv')]"
        ".map(a => [a.id, a.href])"
    )
    assert len(links) == 7  # the balance view's two are hidden
    for link_id, href in links:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(href).query))
        assert query["format"] == "csv", link_id
        with urllib.request.urlopen(href, timeout=30) as answer:
            assert answer.status == 200, link_id
            assert answer.headers["content-type"].startswith("text/csv"), link_id
            assert answer.read().count(b"\n") >= 2, f"{link_id}: a header and rows"
        if link_id in ("csv-resumo", "csv-sh4", "csv-pais", "csv-serie"):
            assert (query.get("uf"), query["ncm"]) == ("MT", "12"), link_id


def test_a_product_is_found_by_name_through_the_codes_api(site: str, browser: Chrome) -> None:
    opened(browser, f"{site}/painel")
    field = browser.find_element("id", "f-ncm")
    field.send_keys("soja")
    suggested: list[str] = []
    for _ in range(200):
        suggested = browser.execute_script(
            "return [...document.querySelectorAll('#ncm-options option')].map(o => o.value)"
        )
        if "1201" in suggested:
            break
        time.sleep(0.05)
    expected = [c["codigo"] for c in api(site, "/v1/codigos/sh4", q="soja", lang="pt")["items"]]
    assert "1201" in expected and set(expected) <= set(suggested)
    field.clear()
    field.send_keys("1201\n")
    redrawn_with(browser, ncm="1201")
    shown = browser.execute_script("return document.getElementById('chart-sh4').data[0].y")
    assert [label.split(" ")[0] for label in shown] == ["1201"]


def test_every_control_is_labelled_and_reached_with_the_keyboard(
    site: str, browser: Chrome
) -> None:
    from selenium.webdriver.common.keys import Keys

    opened(browser, f"{site}/painel?uf=SP")
    unlabelled = browser.execute_script(
        "return [...document.querySelectorAll('select, input, button')]"
        ".filter(c => !c.labels?.length && !(c.tagName === 'BUTTON' && c.textContent.trim()))"
        ".map(c => c.id || c.name)"
    )
    assert unlabelled == []
    reached = []
    body = browser.find_element("tag name", "body")
    body.send_keys(Keys.TAB)
    for _ in range(12):
        reached.append(browser.switch_to.active_element.get_attribute("id"))
        if reached[-1] == "f-clear":
            break
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert [c for c in reached if c in CONTROLS] == list(CONTROLS)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    redrawn_with(browser, uf=None)


def test_a_phone_sized_screen_needs_no_sideways_scrolling(site: str, browser: Chrome) -> None:
    set_viewport(browser, 390, 844)
    opened(browser, f"{site}/painel")
    width, inner = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert (inner, width <= inner) == (390, True)
    assert console_errors(browser) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "painel-390x844.png"))


def test_an_empty_database_says_where_to_drop_files(
    database_url: str, tmp_path: Path, browser: Chrome
) -> None:
    landing = tmp_path / "landing"
    with served_api(database_url, landing) as base:
        browser.get(f"{base}/painel")
        assert wait_for_state(browser, "empty", "ready", "error") == "empty", message(browser)
        shown = browser.find_element("id", "empty")
        assert shown.is_displayed()
        assert str(landing) in shown.text
        assert not browser.find_element("id", "panels").is_displayed()
        assert console_errors(browser) == []


def test_an_api_error_shows_its_message_not_a_blank_page(site: str, browser: Chrome) -> None:
    browser.get(f"{site}/painel?uf=XX")
    assert wait_for_state(browser, "error", "ready") == "error"
    box = browser.find_element("id", "message")
    assert box.is_displayed()
    assert "HTTP 400" in box.text and "uf='XX'" in box.text
