"""/health answers without a database; /ready tells whether the database and views are usable."""

from litestar.testing import TestClient

from bgc_api.app import create_app
from tests.support.settings import api_settings

UNREACHABLE = "postgresql://bgc:secret@127.0.0.1:9/bgc"


def test_health_is_ok_even_without_database() -> None:
    with TestClient(app=create_app(api_settings(), database_url=UNREACHABLE)) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_migrated(database_url: str) -> None:
    with TestClient(app=create_app(api_settings(), database_url=database_url)) as client:
        response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_not_ready_when_database_unreachable() -> None:
    with TestClient(app=create_app(api_settings(), database_url=UNREACHABLE)) as client:
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "database unreachable" in response.json()["detail"]
    assert "secret" not in response.text


def test_not_ready_before_migrations(empty_database_url: str) -> None:
    with TestClient(app=create_app(api_settings(), database_url=empty_database_url)) as client:
        response = client.get("/ready")
    assert response.status_code == 503
    assert "report views not populated" in response.json()["detail"]


def test_unknown_path_is_a_problem_document() -> None:
    with TestClient(app=create_app(api_settings(), database_url=UNREACHABLE)) as client:
        response = client.get("/nope")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_metrics_on_an_unmigrated_database_are_503_not_500(empty_database_url: str) -> None:
    with TestClient(app=create_app(api_settings(), database_url=empty_database_url)) as client:
        response = client.get("/v1/metrics/resumo")
    assert response.status_code == 503
    assert "run `bgc db migrate`" in response.json()["detail"]
