"""`dagster dev` and `dg dev` in the repository root run the pipeline with the same defaults as
`bgc up` (the embedded PostgreSQL and the landing folder of BGC_HOME): a file dropped
into the landing folder is loaded by the sensor, with no other variable set (BGC_HOME
only keeps the test apart from the checkout's `.bgc`)."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.db import free_port
from tests.support.paths import REPO_ROOT
from tests.support.waiting import get_json, wait_until

CSV = "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n2024,5,Peru,Agropecuária,09011110,42.50,3\n"
LOADED = "dropped.csv: loaded 1 row(s), rejected 0 (project layout)"


DEV_COMMANDS = {
    "dagster dev": ["dagster", "dev", "-h", "127.0.0.1", "-p"],
    "dg dev": ["dg", "dev", "--host", "127.0.0.1", "--port"],
}


@pytest.mark.parametrize("command", list(DEV_COMMANDS))
def test_dagster_dev_loads_a_dropped_file_with_the_stack_defaults(
    tmp_path: Path, command: str
) -> None:
    program, *args = DEV_COMMANDS[command]
    executable = Path(sys.executable).parent / program
    if not executable.exists():
        pytest.skip(f"{command}: {executable} is not installed (dagster-dg-cli, a dev extra)")
    home, port = tmp_path / "home", free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BGC_", "DAGSTER_"))}
    env |= {"BGC_HOME": str(home), "DAGSTER_HOME": str(tmp_path / "dagster")}
    (tmp_path / "dagster").mkdir()
    output = tmp_path / "dagster-dev.out"
    with output.open("w") as out:
        dev = subprocess.Popen(
            [str(executable), *args, str(port)],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        wait_until(
            "for the Dagster UI",
            lambda: get_json(f"http://127.0.0.1:{port}/server_info"),
            180,
            process=dev,
        )
        (home / "landing").mkdir(parents=True, exist_ok=True)
        (home / "landing" / "dropped.csv").write_text(CSV, encoding="utf-8")
        # the run's own log line, from the loader
        wait_until("for the sensor's run to load the file", lambda: LOADED in output.read_text(),
                   240, process=dev)  # fmt: skip
        log = output.read_text()
        sensor_errors = [line for line in log.splitlines() if "SensorDaemon - ERROR" in line]
        assert sensor_errors == []
    finally:
        os.killpg(dev.pid, signal.SIGINT)
        try:
            dev.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(dev.pid, signal.SIGKILL)
            raise
