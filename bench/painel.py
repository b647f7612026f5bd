"""The dashboard in Debian's Chromium: how long until its first view is drawn.

Three generated years in the official layout are loaded; the page is then opened again
and again in one browser profile. The first opening has nothing cached; the later ones
have what an analyst coming back has: plotly.js and the page's assets in the browser's
cache, the API's answers cached for the data version (the browser revalidates them with
their ETag). The time is the page's own: from navigation start to every panel drawn
(``window.bgcReadyMs``). The baseline, measured in the same browser and run, is the
navigation to ``/health``, the cheapest page the API serves.
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bgc_core import views
from bgc_pipeline.ingest import load_file
from bgc_pipeline.ingest.history import Dimensions, write_year
from tests.support.browser import chromium, chromium_binaries, console_errors, wait_for_state

YEARS = (2023, 2024, 2025)
OPENINGS = 10
GOAL_MS = 1000


def _navigation_ms(driver: Any) -> float:
    return float(
        driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd"
        )
    )


def bench_painel(
    url: str, work: Path, rows_per_year: int, base_of: Callable[[], str]
) -> dict[str, Any]:
    if chromium_binaries() is None:
        return {"skipped": "chromium and chromium-driver are not installed (make browser)"}
    dims = Dimensions.official()
    for seed, year in enumerate(YEARS):
        load_file(url, write_year(work, year, rows_per_year, dims, seed).path)
    views.refresh_all(url)
    base = base_of()
    with chromium(Path(tempfile.mkdtemp(dir=work)), 1280, 800) as driver:
        driver.get(f"{base}/painel")
        wait_for_state(driver, "ready", timeout=120)
        first = float(driver.execute_script("return window.bgcReadyMs"))
        errors = console_errors(driver)
        cached, baseline = [], []
        for _ in range(OPENINGS):
            driver.get(f"{base}/health")
            baseline.append(_navigation_ms(driver))
            driver.get(f"{base}/painel")
            wait_for_state(driver, "ready", timeout=60)
            cached.append(float(driver.execute_script("return window.bgcReadyMs")))
    median = statistics.median(cached)
    hello = statistics.median(baseline)
    return {
        "rows": rows_per_year * len(YEARS),
        "first_view_nothing_cached_ms": round(first),
        "first_view_cached_ms_median": round(median),
        "first_view_cached_ms_max": round(max(cached)),
        "goal_ms": GOAL_MS,
        "baseline_health_page_ms_median": round(hello, 1),
        "cached_vs_baseline": round(median / hello, 1) if hello else None,
        "console_errors": len(errors),
    }
