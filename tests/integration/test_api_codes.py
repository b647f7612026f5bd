"""``/v1/codigos/{dimension}``: the official codes and names, searchable by code prefix or
by part of a name, with case and Portuguese accents ignored."""

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from bgc_api.app import create_app
from tests.support.settings import api_settings


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(
        app=create_app(api_settings(), database_url=database_url, access_log=False)
    ) as test:
        yield test


def items(client: TestClient, url: str) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    response = client.get(url)
    assert response.status_code == 200, response.text
    return [(i["codigo"], i["nome"]) for i in response.json()["items"]]


def test_a_name_is_found_without_its_accents(client: TestClient) -> None:  # type: ignore[type-arg]
    assert items(client, "/v1/codigos/uf?q=PARA") == [
        ("PA", "Pará"), ("PB", "Paraíba"), ("PR", "Paraná"),
    ]  # fmt: skip
    assert items(client, "/v1/codigos/uf?q=são") == [("SP", "São Paulo")]


def test_a_code_prefix_lists_the_codes_under_it(client: TestClient) -> None:  # type: ignore[type-arg]
    found = items(client, "/v1/codigos/sh4?q=090&limit=1000")
    assert [code for code, _ in found] == [f"090{d}" for d in range(1, 10)]
    assert items(client, "/v1/codigos/sh2?q=09&lang=en") == [("09", "Coffee, tea, maté and spices")]


def test_countries_by_comex_stat_code_in_both_languages(client: TestClient) -> None:  # type: ignore[type-arg]
    assert ("160", "China") in items(client, "/v1/codigos/pais?q=chin")
    assert ("160", "China") in items(client, "/v1/codigos/pais?q=160")
    assert ("249", "United States") in items(client, "/v1/codigos/pais?q=united&lang=en")


def test_wildcards_in_the_search_match_themselves(client: TestClient) -> None:  # type: ignore[type-arg]
    percent = client.get("/v1/codigos/ncm?q=%25&limit=1000").json()
    everything = client.get("/v1/codigos/ncm?limit=1").json()["total"]
    assert 0 < percent["total"] < everything  # "... não superior a 1 %": a literal %
    assert all("%" in item["nome"] for item in percent["items"])
    assert items(client, "/v1/codigos/ncm?q=_") == []


def test_pages_count_every_match(client: TestClient) -> None:  # type: ignore[type-arg]
    body = client.get("/v1/codigos/uf?limit=5&offset=5").json()
    assert (body["total"], body["limit"], body["offset"], len(body["items"])) == (34, 5, 5, 5)
    past = client.get("/v1/codigos/uf?limit=5&offset=100").json()
    assert (past["total"], past["items"]) == (34, [])


def test_an_unknown_dimension_or_parameter_is_a_400(client: TestClient) -> None:  # type: ignore[type-arg]
    assert client.get("/v1/codigos/estado").status_code == 400
    answer = client.get("/v1/codigos/uf?busca=sp")
    assert answer.status_code == 400
    assert [p["name"] for p in answer.json()["invalid_params"]] == ["busca"]


def test_blocs_are_listed_by_code(client: TestClient) -> None:  # type: ignore[type-arg]
    assert items(client, "/v1/codigos/bloco?q=mercosul") == [
        ("111", "Mercado Comum do Sul - Mercosul"),
    ]  # fmt: skip
