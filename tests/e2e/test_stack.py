"""`bgc up` for real: database, migrations, API, Dagster webserver and daemon; the samples
load through the sensor and reach the API, so does a file dropped later; Ctrl-C stops
every process it started."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

from tests.support.db import free_port


def _get_json(url: str) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.loads(response.read())
    except OSError:
        return None


def test_up_serves_the_samples_and_stops_cleanly(tmp_path: Path) -> None:
    api_port, dagster_port = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BGC_")},
        "BGC_HOME": str(tmp_path / "home"),
        "BGC_API_PORT": str(api_port),
        "BGC_DAGSTER_PORT": str(dagster_port),
    }
    stack = subprocess.Popen(
        [str(Path(sys.executable).parent / "bgc"), "up"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        answer = None
        while time.monotonic() < deadline:
            assert stack.poll() is None, stack.stdout.read() if stack.stdout else ""
            answer = _get_json(f"http://127.0.0.1:{api_port}/v1/metrics/resumo")
            if answer and answer.get("paisesCount"):
                break
            time.sleep(2)
        assert answer and answer["anos"] == [2023, 2024, 2025], answer
        drop = tmp_path / "home" / "landing" / "extra.csv"
        drop.write_text(
            "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n2025,8,Tuvalu,Agropecuária,09011110,123.45,10\n"
        )
        countries: list[str] = []
        while time.monotonic() < deadline + 120 and "Tuvalu" not in countries:
            page = _get_json(f"http://127.0.0.1:{api_port}/v1/metrics/pais?limit=1000") or {}
            countries = [item["pais"] for item in page.get("items", [])]  # type: ignore[attr-defined]
            time.sleep(2)
        assert "Tuvalu" in countries  # a dropped file reaches the API with no other action
        server_info = _get_json(f"http://127.0.0.1:{dagster_port}/server_info")
        assert server_info is not None
        descendants = psutil.Process(stack.pid).children(recursive=True)
        assert len(descendants) >= 3
    finally:
        stack.send_signal(signal.SIGINT)
        try:
            stack.wait(60)
        except subprocess.TimeoutExpired:
            stack.kill()
            raise
    assert stack.returncode == 0
    _, alive = psutil.wait_procs(descendants, timeout=10)
    assert alive == [], [p.pid for p in alive]
    assert not (tmp_path / "home" / "pgdata" / "postmaster.pid").exists()  # database stopped
