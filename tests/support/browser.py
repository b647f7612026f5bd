"""A real browser for the dashboard's tests: Debian's Chromium driven through its
chromium-driver by Selenium, against the API served by uvicorn on a loopback port."""

from __future__ import annotations

import re
import shutil
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn

from bgc_api.app import create_app
from bgc_core.settings import load_settings
from tests.support.db import free_port

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

BROWSER_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # the tests run as root in CI
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # This machine's network is closed: without these Chromium keeps calling home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
)


def served_page_assets(base: str) -> dict[str, int]:
    """Fetch /painel and every script and style it names; their sizes by URL. Each must
    come from the API itself (a relative URL), never from another host."""
    with urllib.request.urlopen(f"{base}/painel", timeout=30) as answer:
        page = answer.read().decode("utf-8")
    scripts = re.findall(r'<script[^>]*\ssrc="([^"]+)"', page)
    styles = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', page)
    named = scripts + styles
    assert named and all(url.startswith("/") for url in named), named
    sizes = {}
    for url in named:
        with urllib.request.urlopen(f"{base}{url}", timeout=30) as answer:
            sizes[url] = len(answer.read())
    return sizes


def assert_dashboard_served(base: str) -> None:
    """/painel answers, with its script, style and plotly.js, each more than a stub."""
    assets = served_page_assets(base)
    assert {url.split("?")[0] for url in assets} >= {
        "/painel/assets/painel.js",
        "/painel/assets/painel.css",
        "/painel/assets/plotly.min.js",
    }
    assert min(assets.values()) > 1000, assets


def chromium_binaries() -> tuple[str, str] | None:
    """Paths of chromium and chromedriver, or None when either is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@contextmanager
def served_api(database_url: str, landing: Path) -> Iterator[str]:
    """The API (dashboard included) on a free loopback port; yields its base URL."""
    settings = load_settings({"BGC_LANDING_DIR": str(landing)})
    app = create_app(settings, database_url=database_url, access_log=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"api-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the API did not start on port {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium(profile: Path, width: int = 1280, height: int = 800) -> Iterator[Chrome]:
    """A headless Chromium with a new profile, its console kept for the tests to read."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binaries = chromium_binaries()
    assert binaries, "chromium and chromedriver are needed"
    browser, driver_path = binaries
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in BROWSER_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    set_viewport(driver, width, height)
    try:
        yield driver
    finally:
        driver.quit()


def set_viewport(driver: Chrome, width: int, height: int) -> None:
    """Emulate a viewport of this size (a headless window is at least 500 px wide)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def wait_for_state(driver: Chrome, *states: str, timeout: float = 30) -> str:
    """Wait until the page says it is in one of ``states`` (``body[data-state]``)."""
    deadline = time.monotonic() + timeout
    current = ""
    while time.monotonic() < deadline:
        current = str(driver.execute_script("return document.body.dataset.state || ''"))
        if current in states:
            return current
        time.sleep(0.05)
    raise AssertionError(f"the page stayed {current!r}, not {states}")


def console_errors(driver: Chrome) -> list[dict[str, Any]]:
    """The console's SEVERE entries since the last call (errors, failed loads)."""
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
