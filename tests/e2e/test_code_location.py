"""The code location serves over gRPC, as the Dagster chart runs it on Kubernetes."""

import subprocess
import sys
import time
from pathlib import Path

from tests.support.db import free_port


def test_code_location_serves_over_grpc() -> None:
    port = free_port()
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(
        [str(bin_dir / "dagster"), "api", "grpc", "-m", "bgc_pipeline.definitions", "-a", "defs",
         "-h", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        healthy = None
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            healthy = subprocess.run(
                [str(bin_dir / "dagster"), "api", "grpc-health-check", "-p", str(port)],
                capture_output=True, text=True,
            )  # fmt: skip
            if healthy.returncode == 0:
                break
            time.sleep(1)
        assert healthy is not None and healthy.returncode == 0, healthy.stderr if healthy else ""
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()  # no orphan left behind; the hang still fails the test
            raise
