"""The API's contract, frozen: the OpenAPI document and the bytes of its answers.

The answers are those of known files (two official excerpts and the project sample);
only ``updatedAt`` (the refresh time) is masked.
"""

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from bgc_api.app import create_app
from bgc_core import views
from bgc_pipeline.ingest import load_file
from tests.support.fixtures import StateCopy
from tests.support.paths import FIXTURES, SAMPLES, SNAPSHOTS
from tests.support.settings import api_settings
from tests.support.snapshots import matches_snapshot

FILES = [
    FIXTURES / "comexstat" / "EXP_2012_01.csv",
    FIXTURES / "comexstat" / "EXP_2025_06_head.csv",
    SAMPLES / "exportacao_2023_2024.csv",
]


def load_files(url: str, folder: Path) -> None:
    """FILES loaded and refreshed."""
    for path in FILES:
        load_file(url, path)
    views.refresh_all(url)


@pytest.fixture
def client(state_copy: StateCopy) -> Iterator[TestClient]:
    url, _ = state_copy(load_files)
    app = create_app(api_settings(), database_url=url, access_log=False)
    with TestClient(app=app) as test_client:
        yield test_client


def test_openapi_document_is_the_snapshot(client: TestClient) -> None:
    document = client.get("/schema/openapi.json").json()
    assert matches_snapshot("openapi.json", document), "OpenAPI changed: review the diff"


def recorded_answers() -> dict[str, dict[str, object]]:
    answers: dict[str, dict[str, object]] = json.loads(
        (SNAPSHOTS / "answers.json").read_text(encoding="utf-8")
    )
    return answers


@pytest.mark.parametrize("url", list(recorded_answers()))
def test_answer_is_byte_for_byte_the_snapshot(client: TestClient, url: str) -> None:
    response = client.get(url)
    body = re.sub(r'"updatedAt":"[^"]*"', '"updatedAt":"<updatedAt>"', response.text)
    if os.environ.get("BGC_UPDATE_SNAPSHOTS") == "1":
        answers = recorded_answers()
        answers[url]["body"] = body
        text = json.dumps(answers, indent=2, ensure_ascii=False) + "\n"
        (SNAPSHOTS / "answers.json").write_text(text, encoding="utf-8")
    recorded = recorded_answers()[url]
    assert (response.status_code, response.headers.get("content-type")) == (
        recorded["status"],
        recorded["content_type"],
    )
    assert body == recorded["body"]
