"""`bgc up` on a new BGC_HOME drops a demo worth looking at: five generated years in the
official layout, loaded through the sensor like any file. Expected figures are read here
from the files the demo dropped, never from the views."""

import csv
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from bgc_cli.stack import DEMO_YEARS, drop_demo
from tests.support.db import free_port
from tests.support.paths import SAMPLES
from tests.support.waiting import get_json, wait_until

BANNER = "BGC Analytics is up."


def official_file_facts(paths: list[Path]) -> tuple[dict[int, Decimal], set[str], set[str]]:
    """Per year the FOB value, and the states and NCMs of the latest year, of these files."""
    usd: dict[int, Decimal] = defaultdict(Decimal)
    states: set[str] = set()
    products: set[str] = set()
    latest = max(DEMO_YEARS)
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter=";"):
                usd[int(row["CO_ANO"])] += Decimal(row["VL_FOB"])
                if int(row["CO_ANO"]) == latest:
                    states.add(row["SG_UF_NCM"])
                    products.add(row["CO_NCM"])
    return usd, states, products


def test_the_first_up_loads_a_demo_with_every_state_and_thousands_of_products(
    tmp_path: Path,
) -> None:
    home, api_port, dagster_port = tmp_path / "home", free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BGC_")},
        "BGC_HOME": str(home),
        "BGC_API_PORT": str(api_port),
        "BGC_DAGSTER_PORT": str(dagster_port),
    }
    api = f"http://127.0.0.1:{api_port}"
    output = tmp_path / "up.out"
    with output.open("w") as out:
        stack = subprocess.Popen(
            [str(Path(sys.executable).parent / "bgc"), "up"],
            env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    try:
        wait_until("for the banner", lambda: BANNER in output.read_text(), 240, process=stack)
        banner_at = time.monotonic()
        [demo_line] = [line for line in output.read_text().splitlines() if "Demo:" in line]
        assert "5 generated yearly file(s), 300,000 rows" in demo_line
        dropped = sorted((home / "landing").glob("DEMO_EXP_*.csv"))
        assert [p.name for p in dropped] == [f"DEMO_EXP_{year}.csv" for year in DEMO_YEARS]
        usd, states, products = official_file_facts([*dropped, SAMPLES / "EXP_2025.csv"])

        def demo_loaded() -> bool:
            anos = (get_json(f"{api}/v1/metrics/resumo") or {}).get("anos", [])
            if not set(DEMO_YEARS) <= set(anos):
                return False
            first = get_json(f"{api}/v1/metrics/resumo?ano={min(DEMO_YEARS)}") or {}
            ranked = get_json(f"{api}/v1/metrics/ncm?ano={max(DEMO_YEARS)}&limit=1") or {}
            return first.get("totalUsd") == usd[min(DEMO_YEARS)] and ranked.get("total", 0) > 0

        wait_until("for the demo to reach the API", demo_loaded, 300, process=stack)
        print(f"demo in the API {time.monotonic() - banner_at:.0f} s after the banner")
        page = get_json(f"{api}/v1/metrics/uf?ano={max(DEMO_YEARS)}&limit=1000")
        assert {item["codigo"] for item in page["items"]} == states
        assert len(states) >= 20
        ncm = get_json(f"{api}/v1/metrics/ncm?ano={max(DEMO_YEARS)}&limit=1")
        assert ncm["total"] == len(products) >= 1000
    finally:
        stack.send_signal(signal.SIGINT)
        stack.wait(60)


def test_the_demo_is_dropped_once_per_home(tmp_path: Path) -> None:
    home, landing = tmp_path / "home", tmp_path / "landing"
    first = drop_demo(home, landing)
    assert first == [f"DEMO_EXP_{year}.csv" for year in DEMO_YEARS]
    (landing / first[0]).unlink()  # the user deletes a year: it stays deleted
    assert drop_demo(home, landing) == []
    assert sorted(p.name for p in landing.iterdir()) == first[1:]
    assert not (home / "demo").exists()
