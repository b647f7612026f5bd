"""`bgc up` for real: database, migrations, API, Dagster webserver and daemon; the samples
load through the sensor and reach the API, so does a file dropped later; the terminal
shows one line per event; Ctrl-C stops every process it started."""

import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import psutil

from tests.support.browser import chromium, chromium_binaries, wait_for_state
from tests.support.db import free_port
from tests.support.ingest import samples_total_usd
from tests.support.waiting import get_json, wait_until

BANNER = "BGC Analytics is up."
MAX_LINES_AFTER_BANNER = 20


def test_up_serves_the_samples_quietly_and_stops_cleanly(tmp_path: Path) -> None:
    api_port, dagster_port = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BGC_")},
        "BGC_HOME": str(tmp_path / "home"),
        "BGC_API_PORT": str(api_port),
        "BGC_DAGSTER_PORT": str(dagster_port),
    }
    output = tmp_path / "up.out"
    api = f"http://127.0.0.1:{api_port}"
    expected_usd = samples_total_usd()
    with output.open("w") as out:
        stack = subprocess.Popen(
            [str(Path(sys.executable).parent / "bgc"), "up", "--no-demo"],
            env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    descendants: list[psutil.Process] = []
    try:
        wait_until(
            "for every sample to reach /v1/metrics/resumo",
            lambda: (get_json(f"{api}/v1/metrics/resumo") or {}).get("totalUsd") == expected_usd,
            240,
            process=stack,
        )
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
        ):
            assert any(line.startswith(f"loaded {name}: ") for line in after_banner), name
        assert (tmp_path / "home" / "logs" / "dagster-daemon.log").stat().st_size > 0
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
