"""The probes of a real API server while its database never answers: /ready gives up on
its own, and /health (every other request too) is answered meanwhile."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bgc_api.health import READY_TIMEOUT_S
from tests.support.db import free_port
from tests.support.waiting import get_json, wait_until


def fetch(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_database_that_never_answers_holds_up_neither_health_nor_ready() -> None:
    with socket.socket() as black_hole:  # accepts connections, never speaks
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen(16)
        port = free_port()
        env = {**os.environ, "BGC_API_PORT": str(port),
               "BGC_DATABASE_URL": f"postgresql://bgc@127.0.0.1:{black_hole.getsockname()[1]}/bgc"}  # fmt: skip
        api = subprocess.Popen([str(Path(sys.executable).parent / "bgc"), "api"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until("for the API to start", lambda: get_json(f"{base}/health"), 30, process=api)
            finished: list[tuple[str, int, dict[str, object]]] = []

            def probe(path: str) -> None:
                finished.append((path, *fetch(base + path)))

            ready = threading.Thread(target=probe, args=("/ready",))
            ready.start()
            time.sleep(0.3)  # /ready is now waiting on the database
            probe("/health")
            ready.join()
        finally:
            api.terminate()
            api.wait(20)
    assert [(path, status) for path, status, _ in finished] == [("/health", 200), ("/ready", 503)]
    assert finished[1][2]["detail"] == f"database did not answer within {READY_TIMEOUT_S:g} s"
