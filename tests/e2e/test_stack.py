"""`bgc up` for real: database, migrations, API, Dagster webserver and daemon; the samples
and, on this first start, the generated demo load through the sensor and reach the API
and the dashboard, so does a file dropped later; the terminal shows one line per event;
Ctrl-C stops every process it started. (One run covers all of it: a stack takes
minutes.) Expected figures are read from the files, never from the views."""

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import psutil

from bgc_cli.stack import DEMO_YEARS
from tests.support.browser import chromium, chromium_binaries, wait_for_state
from tests.support.db import free_port
from tests.support.ingest import csv_totals, official_file_facts, samples_total_usd
from tests.support.paths import SAMPLES
from tests.support.waiting import get_json, wait_until

BANNER = "BGC Analytics is up."
MAX_LINES_AFTER_BANNER = 50
"""Thirteen files (samples and demo) loaded, the refreshes, and room for a few more."""


def test_up_serves_the_samples_and_the_demo_quietly_and_stops_cleanly(tmp_path: Path) -> None:
    api_port, dagster_port = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BGC_")},
        "BGC_HOME": str(tmp_path / "home"),
        "BGC_API_PORT": str(api_port),
        "BGC_DAGSTER_PORT": str(dagster_port),
    }
    output = tmp_path / "up.out"
    api = f"http://127.0.0.1:{api_port}"
    with output.open("w") as out:
        stack = subprocess.Popen(
            [str(Path(sys.executable).parent / "bgc"), "up"],
            env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    descendants: list[psutil.Process] = []
    try:
        wait_until("for the banner", lambda: BANNER in output.read_text(), 240, process=stack)
        banner_at = time.monotonic()
        dropped = sorted((tmp_path / "home" / "landing").glob("DEMO_EXP_*.csv"))
        assert [p.name for p in dropped] == [f"DEMO_EXP_{year}.csv" for year in DEMO_YEARS]
        demo_usd, states, products = official_file_facts(
            [*dropped, SAMPLES / "EXP_2025.csv"], max(DEMO_YEARS)
        )
        expected_usd = samples_total_usd() + sum(
            csv_totals(path, "VL_FOB", "KG_LIQUIDO")[1] for path in dropped
        )
        wait_until(
            "for every sample and the demo to reach /v1/metrics/resumo",
            lambda: (get_json(f"{api}/v1/metrics/resumo") or {}).get("totalUsd") == expected_usd,
            300,
            process=stack,
        )
        print(f"samples and demo in the API {time.monotonic() - banner_at:.0f} s after the banner")
        wait_until(
            "for the 'views refreshed' line",
            lambda: "views refreshed" in output.read_text(),
            30,
            process=stack,
        )
        lines = output.read_text().splitlines()
        after_banner = lines[lines.index(BANNER) + 1 :]
        assert len(after_banner) <= MAX_LINES_AFTER_BANNER, "\n".join(after_banner)
        for name in (
            "EXP_2025.csv",
            "exportacao_2023_2024.csv",
            "exportacao_2024_planilha.xlsx:exportacao",
            *(path.name for path in dropped),
        ):
            assert any(line.startswith(f"loaded {name}: ") for line in after_banner), name
        assert (tmp_path / "home" / "logs" / "dagster-daemon.log").stat().st_size > 0
        [demo_line] = [line for line in lines if line.startswith("  Demo:")]
        assert "5 export and 5 import yearly files (500,000 rows)" in demo_line
        imported = sorted((tmp_path / "home" / "landing").glob("DEMO_IMP_*.csv"))
        import_usd = sum(csv_totals(path, "VL_FOB", "KG_LIQUIDO")[1] for path in imported)
        wait_until(
            "for the demo's imports to reach /v1/metrics/balanca",
            lambda: (
                (get_json(f"{api}/v1/metrics/balanca") or {}).get("importacaoUsd") == import_usd
            ),
            300,
            process=stack,
        )
        latest = max(DEMO_YEARS)
        page = get_json(f"{api}/v1/metrics/uf?ano={latest}&limit=1000")
        assert {item["codigo"] for item in page["items"]} == states and len(states) >= 20
        ncm = get_json(f"{api}/v1/metrics/ncm?ano={latest}&limit=1")
        assert ncm["total"] == len(products) >= 1000
        assert (
            get_json(f"{api}/v1/metrics/resumo?ano={min(DEMO_YEARS)}")["totalUsd"]
            == (demo_usd[min(DEMO_YEARS)])
        )
        [dashboard] = [line.split()[-1] for line in lines if line.startswith("  Dashboard: ")]
        assert dashboard == f"{api}/painel"
        if chromium_binaries():  # else tests/e2e/test_dashboard.py says why it skipped
            with chromium(tmp_path / "profile") as browser:
                browser.get(dashboard)
                assert wait_for_state(browser, "ready", "empty", "error") == "ready"
                shown = browser.find_element("id", "fig-usd").get_attribute("data-value")
                latest = max(get_json(f"{api}/v1/metrics/resumo")["anos"])
                in_latest = get_json(f"{api}/v1/metrics/resumo?ano={latest}")["totalUsd"]
                assert Decimal(shown) == Decimal(str(in_latest))

        (tmp_path / "home" / "landing" / "extra.csv").write_text(
            "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n2025,8,Tuvalu,Agropecuária,09011110,123.45,10\n"
        )

        def tuvalu_listed() -> bool:
            page = get_json(f"{api}/v1/metrics/pais?limit=1000") or {}
            return "Tuvalu" in [item["pais"] for item in page.get("items", [])]

        wait_until(
            "for a file dropped later to reach /v1/metrics/pais", tuvalu_listed, 120, process=stack
        )
        assert get_json(f"http://127.0.0.1:{dagster_port}/server_info") is not None
        descendants = psutil.Process(stack.pid).children(recursive=True)
        assert len(descendants) >= 3
    finally:
        stack.send_signal(signal.SIGINT)
        try:
            stack.wait(60)
        except subprocess.TimeoutExpired:
            stack.kill()
            raise
    assert stack.returncode == 0, output.read_text()
    _, alive = psutil.wait_procs(descendants, timeout=10)
    assert alive == [], [p.pid for p in alive]
    assert not (tmp_path / "home" / "pgdata" / "postmaster.pid").exists()  # database stopped
    assert output.read_text().rstrip().endswith("stopped.")
