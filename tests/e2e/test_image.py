"""The container image, proven: built from the Dockerfile and run as on Kubernetes.

As uid 65534 with a read-only root filesystem (``--tmpfs /tmp``), against a PostgreSQL
reached over TCP (``BGC_TEST_DATABASE_URL``; ``make test-image`` starts one):
``bgc db migrate``, ``bgc-ingest load-csv`` of a mounted sample, ``bgc api`` answering
with that data, and ``dagster api grpc`` serving the code location to a real client.
When Docker cannot run at all the test skips and says why; it never passes silently.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from bgc_core import db
from tests.support import docker as d
from tests.support.browser import assert_dashboard_served
from tests.support.db import drop_database, free_port, new_database
from tests.support.ingest import csv_totals
from tests.support.paths import REPO_ROOT, SAMPLES
from tests.support.waiting import get_json, wait_until

pytestmark = pytest.mark.image

TAG = "bgc-analytics:test"
SAMPLE = SAMPLES / "EXP_2025.csv"
BUILD_TIMEOUT_S = 1800


def say(request: pytest.FixtureRequest, line: str) -> None:
    """A line on the terminal, outside pytest's capture: what the run did matters here."""
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n[image] {line}", flush=True)


@pytest.fixture(scope="module")
def image(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    daemon = None
    try:
        done, daemon = d.ensure_daemon(tmp_path_factory.mktemp("docker") / "dockerd.log")
        say(request, done)
        say(request, d.ensure_base_image())
    except d.DockerUnavailable as exc:
        pytest.skip(f"DOCKER CANNOT RUN HERE, the image is not tested: {exc}")
    try:
        started = time.monotonic()
        d.docker("build", "--network", "host", "-t", TAG, str(REPO_ROOT), timeout=BUILD_TIMEOUT_S)
        size = d.image_size_mb(TAG)
        say(request, f"built {TAG} in {time.monotonic() - started:.0f} s: {size:.0f} MB")
        yield TAG
    finally:
        if daemon is not None:  # leave the machine as it was found
            daemon.terminate()
            daemon.wait(30)


@pytest.fixture
def tcp_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database on a TCP server the container can reach over the host network."""
    server = os.environ.get("BGC_TEST_DATABASE_URL", "")
    if not server or not make_url(server).host:
        pytest.skip("needs BGC_TEST_DATABASE_URL on TCP (make test-image starts PostgreSQL 15)")
    url = new_database(db.normalise_url(server), request.node.name, prefix="image_")
    yield url
    drop_database(db.normalise_url(server), make_url(url).database or "")


def run_args(url: str, *extra: str) -> list[str]:
    return [
        "run", "--rm", "--network", "host", "--user", "65534:65534", "--read-only",
        "--tmpfs", "/tmp", "-e", f"BGC_DATABASE_URL={url}", *extra,
    ]  # fmt: skip


def test_runtime_layer_has_no_build_or_dev_tools(image: str) -> None:
    probe = (
        "import importlib.util as u, shutil; "
        "print([m for m in ('pip', 'setuptools', 'pytest', 'mypy', 'ruff') if u.find_spec(m)]"
        " + [t for t in ('gcc', 'cc', 'make') if shutil.which(t)])"
    )
    result = d.docker("run", "--rm", "--read-only", image, "python", "-c", probe)
    assert result.stdout.strip() == "[]"


def test_container_migrates_loads_and_serves(image: str, tcp_database: str) -> None:
    migrate = d.docker(*run_args(tcp_database, image, "bgc", "db", "migrate"))
    shipped = len(list((REPO_ROOT / "sql" / "migrations").glob("*.sql")))
    assert f"applied {shipped} migration(s)" in migrate.stdout, migrate.stdout + migrate.stderr

    mount = f"{SAMPLE}:/data/{SAMPLE.name}:ro"
    load = d.docker(*run_args(tcp_database, "-v", mount, image, "bgc-ingest", "load-csv",
                              f"/data/{SAMPLE.name}"))  # fmt: skip
    rows, usd, _ = csv_totals(SAMPLE, "VL_FOB", "KG_LIQUIDO")
    assert load.stdout.startswith(f"{SAMPLE.name}: loaded {rows:,} row(s), rejected 0"), load.stdout
    d.docker(*run_args(tcp_database, image, "bgc-ingest", "refresh-mv"))

    port = free_port()
    name = f"bgc-api-{port}"
    d.docker(*run_args(tcp_database, "-d", "--name", name, "-e", f"BGC_API_PORT={port}",
                       "-e", "BGC_API_HOST=127.0.0.1", image))  # fmt: skip
    try:
        api = f"http://127.0.0.1:{port}"
        assert wait_until("for /health", lambda: get_json(f"{api}/health"), 60) == {"status": "ok"}
        assert get_json(f"{api}/ready") == {"status": "ready"}
        resumo = get_json(f"{api}/v1/metrics/resumo")
        assert resumo["totalUsd"] == usd and resumo["anos"] == [2025]
        # The same scope through DuckDB and the snapshot cache on the read-only root's /tmp.
        spanned = get_json(f"{api}/v1/metrics/resumo?mes_de=1&mes_ate=12")
        assert spanned["totalUsd"] == usd
        assert_dashboard_served(api)  # its files ship inside the package
    finally:
        d.docker("rm", "--force", name, check=False)


def test_container_serves_the_code_location_over_grpc(image: str) -> None:
    from dagster._grpc.client import DagsterGrpcClient

    port = free_port()
    name = f"bgc-grpc-{port}"
    d.docker("run", "--rm", "-d", "--name", name, "--network", "host", "--user", "65534:65534",
             "--read-only", "--tmpfs", "/tmp", image, "dagster", "api", "grpc", "-m",
             "bgc_pipeline.definitions", "-a", "defs", "-h", "127.0.0.1", "-p", str(port))  # fmt: skip
    try:
        client = DagsterGrpcClient(port=port, host="127.0.0.1")

        def answered() -> str | None:
            try:
                return client.list_repositories()
            except Exception:
                return None

        listing = wait_until("for the gRPC server to list repositories", answered, 90)
        assert "bgc_pipeline.definitions" in listing
        assert '"attribute": "defs"' in listing or "defs" in listing
    finally:
        logs = d.docker("logs", name, check=False)
        d.docker("rm", "--force", name, check=False)
        assert "Traceback" not in logs.stderr, logs.stderr
