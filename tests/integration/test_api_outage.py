"""A database outage: /ready and the metrics answer 503 at once; the API recovers by itself."""

import logging
import time
from pathlib import Path

import pgserver
from litestar.testing import TestClient

from bgc_api.app import create_app
from bgc_core import db, migrate, views
from tests.support.settings import api_settings

logging.getLogger("pgserver").setLevel(logging.WARNING)


def start(pgdata: Path) -> tuple[object, str]:
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    url = db.with_database(db.normalise_url(server.get_uri()), "postgres")
    return server, url


def test_outage_gives_503_then_recovers(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    server, url = start(pgdata)
    migrate.migrate(url)
    views.refresh_all(url)
    with TestClient(app=create_app(api_settings(), database_url=url, access_log=False)) as client:
        assert client.get("/v1/metrics/resumo").status_code == 200
        server.cleanup()  # type: ignore[attr-defined]
        started = time.monotonic()
        ready = client.get("/ready")
        metrics = client.get("/v1/metrics/pais?ano=2020")
        assert time.monotonic() - started < 15  # answered, not hung
        assert ready.status_code == 503
        assert metrics.status_code == 503
        assert metrics.headers["content-type"].startswith("application/problem+json")
        assert metrics.headers["retry-after"] == "5"
        server, _ = start(pgdata)
        try:
            deadline = time.monotonic() + 20
            while client.get("/ready").status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert client.get("/ready").status_code == 200
            assert client.get("/v1/metrics/pais?ano=2020").status_code == 200
        finally:
            server.cleanup()  # type: ignore[attr-defined]
