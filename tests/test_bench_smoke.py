"""Smoke test of the benchmark harness (bench/): it imports, and synth.py makes a database the
app serves. No timing is asserted; `make bench` does the measuring.

The harness works on SQLite files of its own (synth.py, the reference's sqlite3 reads), so
these tests run once, in the SQLite run; tests/test_engines_agree.py shows PostgreSQL gives
the same answers the reference is compared with."""

import base64
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


@pytest.mark.engine_independent
def test_harness_modules_import() -> None:
    for name in (
        "bench.results",
        "bench.synth",
        "bench.scale",
        "bench.ceiling",
        "bench.reference",
        "bench.run",
    ):
        importlib.import_module(name)


@pytest.mark.engine_independent  # synth.py makes SQLite files (bench/scale.py's databases)
def test_synth_database_is_served(tmp_path: Path) -> None:
    synth = importlib.import_module("bench.synth")
    path = tmp_path / "synth.sqlite3"
    counts = synth.create(path, 50)
    assert counts["project"] == 50
    settings = Settings(database_url=f"sqlite:///{path}", response_cache_entries=0)
    with TestClient(create_app(settings)) as client:
        response = client.get("/v1/projects", params={"sort": "-completion_date", "limit": 10})
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["total"] == 50
        assert len(page["items"]) == 10
        assert client.get("/v1/projects/project-0").status_code == 200


@pytest.mark.engine_independent  # no database at all
def test_ceiling_replays_recorded_answers(tmp_path: Path) -> None:
    ceiling = importlib.import_module("bench.ceiling")
    fixtures = tmp_path / "fixtures.json"
    body = b'{"items":[]}'
    fixtures.write_text(
        json.dumps(
            [
                {
                    "path": "/v1/projects",
                    "query": "limit=50",
                    "if_none_match": None,
                    "status": 200,
                    "headers": [["content-type", "application/json"], ["etag", '"v-1"']],
                    "body_b64": base64.b64encode(body).decode(),
                }
            ]
        )
    )
    ceiling.ANSWERS.clear()
    ceiling.ANSWERS.update(ceiling.load(fixtures))
    with TestClient(ceiling.app) as client:
        response = client.get("/v1/projects?limit=50")
        assert response.status_code == 200
        assert response.content == body
        assert response.headers["content-type"] == "application/json"
        assert response.headers["etag"] == '"v-1"'
        assert client.get("/v1/other").status_code == 404


@pytest.mark.sqlite
def test_sqlite_reference_reads_the_same_answers_as_the_service(
    client: TestClient, database_url: str, monkeypatch: Any
) -> None:
    """The bare ASGI reference serves, per request, the bytes the service answers uncached.

    SQLite only: the reference reads the SQLite file the build made (sqlite3, no driver of
    another engine), which is what `make bench` compares against; on PostgreSQL the same
    answers are checked by tests/test_engines_agree.py (byte-identical to SQLite's)."""
    reference = importlib.import_module("bench.reference")
    monkeypatch.setenv("BENCH_REFERENCE_DB", database_url.removeprefix("sqlite:///"))
    monkeypatch.setattr(reference, "_connection", None)
    for path, query in (("/v1/projects", {"limit": 50}), ("/v1/projects/zhanatas-wind-farm", {})):
        status, body = reference.answer(path)
        assert status == 200
        assert body == client.get(path, params=query).content
