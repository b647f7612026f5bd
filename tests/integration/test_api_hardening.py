"""The API under pressure: a slow query is cut by the statement timeout and answered 503,
a client over its rate is answered 429, and a query parameter the endpoint does not know
is a 400 that names it. Every refusal is an RFC 9457 problem that says when to retry."""

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from litestar.testing import TestClient

from bgc_api.app import create_app
from bgc_core import db, views
from bgc_core.settings import Settings
from tests.support.settings import api_settings

PROBLEM = "application/problem+json"


@contextmanager
def client_for(url: str, **settings: object) -> Iterator[TestClient]:  # type: ignore[type-arg]
    chosen: Settings = dataclasses.replace(api_settings(), **settings)  # type: ignore[arg-type]
    with TestClient(app=create_app(chosen, database_url=url, access_log=False)) as client:
        yield client


@contextmanager
def table_locked(url: str, table: str) -> Iterator[None]:
    """Another session holds a report table exclusively (an operator's maintenance)."""
    conn = db.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(f"LOCK TABLE rpt.{table} IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        conn.rollback()
        conn.close()


def test_a_query_past_the_statement_timeout_answers_503_then_recovers(database_url: str) -> None:
    views.refresh_all(database_url)
    with client_for(database_url, api_statement_timeout_ms=200) as client:
        with table_locked(database_url, "exportacao_anual"):
            slow = client.get("/v1/metrics/resumo?ano=2024")
        assert slow.status_code == 503
        assert slow.headers["content-type"].startswith(PROBLEM)
        assert slow.headers["retry-after"] == "5"
        assert "statement timeout of 0.2 s" in slow.json()["detail"]
        assert client.get("/v1/metrics/resumo?ano=2024").status_code == 200


def test_a_client_over_its_rate_gets_429_with_retry_after(database_url: str) -> None:
    views.refresh_all(database_url)
    with client_for(database_url, api_rate_limit_per_minute=3) as client:
        answers = [client.get("/v1/metrics/resumo").status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        refused = client.get("/v1/metrics/pais")
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert int(refused.headers["retry-after"]) > 0
        assert refused.json()["status"] == 429
        # Probes are never limited: Kubernetes would restart a busy API.
        assert client.get("/health").status_code == 200
        assert client.get("/ready").status_code == 200


def test_rate_limiting_is_off_by_default(database_url: str) -> None:
    views.refresh_all(database_url)
    with client_for(database_url) as client:
        assert {client.get("/v1/metrics/resumo").status_code for _ in range(30)} == {200}


@pytest.mark.parametrize(
    ("url", "unknown"),
    [
        ("/v1/metrics/resumo?anoDe=2024", "anoDe"),
        ("/v1/metrics/pais?pais=China", "pais"),
        ("/v1/metrics/setor?setor=A&limit=5", "setor"),
        ("/metrics/serie?limit=5", "limit"),
    ],
)
def test_a_query_parameter_the_endpoint_does_not_know_is_a_400_naming_it(
    database_url: str, url: str, unknown: str
) -> None:
    with client_for(database_url) as client:
        answer = client.get(url)
        assert client.head(url).status_code == 400
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith(PROBLEM)
    body = answer.json()
    assert [p["name"] for p in body["invalid_params"]] == [unknown]
    assert unknown in body["detail"]


def test_known_parameters_are_still_accepted(database_url: str) -> None:
    views.refresh_all(database_url)
    with client_for(database_url) as client:
        for url in (
            "/v1/metrics/resumo?ano=2024&setor=Agropecuária&pais=China",
            "/v1/metrics/pais?ano=2024&setor=Agropecuária&limit=5&offset=0&format=csv",
            "/v1/metrics/setor?pais=China",
            "/v1/metrics/serie?pais=China&ano_de=2023&ano_ate=2024",
        ):
            assert client.get(url).status_code == 200, url
