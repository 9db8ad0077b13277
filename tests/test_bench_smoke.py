"""Smoke test of the benchmark harness (bench/): it imports, and synth.py makes a database the
app serves. No timing is asserted; `make bench` does the measuring.

Most of the harness works on SQLite files of its own (synth.py, the reference's sqlite3
reads), so those tests run once, in the SQLite run; tests/test_engines_agree.py shows
PostgreSQL gives the same answers the reference is compared with. The PostgreSQL part of
bench/run.py (a fresh database made, built, served and dropped) runs in the PostgreSQL run,
on that run's server."""

import base64
import importlib
import json
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from app.config import Settings
from app.main import create_app
from tests import engines


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


def _database_exists(url: str) -> bool:
    name = make_url(url).database
    with engines._connect(engines.admin_url(url)) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return found.fetchone() is not None


@pytest.mark.postgres
def test_postgres_bench_database_is_built_served_and_dropped(
    client: TestClient, database_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    """bench/run.py on PostgreSQL: a fresh database on the server under test, built by the
    real `python -m app build`, served by ours-pg (a real uvicorn process) with the bytes
    the suite's own PostgreSQL database answers, briefly loaded by wrk when it is installed,
    then dropped."""
    run = importlib.import_module("bench.run")
    monkeypatch.setenv("BENCH_POSTGRES_URL", database_url)
    monkeypatch.delenv("BENCH_POSTGRES", raising=False)
    monkeypatch.setattr(run, "POSTGRES", run.Postgres())
    monkeypatch.setattr(run, "OUT", tmp_path)  # server logs
    postgres = run.build_postgres()
    try:
        assert postgres.url is not None, postgres.note
        assert postgres.note.startswith("PostgreSQL "), postgres.note
        assert _database_exists(postgres.url)
        target = "/v1/projects?limit=50"
        for label, cache in (("ours-pg", True), ("ours-pg-nocache", False)):
            server = run.ours(label, postgres.url, cache).start()
            try:
                status, _, body = run.get(server.port, target)
                assert status == 200
                assert body == client.get(target).content
            finally:
                server.stop()
        if shutil.which("wrk"):
            monkeypatch.setattr(run, "DURATION", 1)
            monkeypatch.setattr(run, "IDLE_WAIT", 0)
            monkeypatch.setattr(run, "WARMUP", 1)
            server = run.ours("ours-pg-nocache", postgres.url, False)
            result, answer = run.measure(server, "list", target, connections=4)
            assert answer is not None and answer[0] == 200, result.note
            assert result.wrk["requests"] > 0
            assert result.wrk["non_2xx_3xx"] == 0 and result.socket_errors == 0
            assert result.responsive_after is True
            assert not run.RUNNING
    finally:
        url = postgres.url
        run.stop_all()
        postgres.drop()
    assert postgres.url is None
    assert url is None or not _database_exists(url)


@pytest.mark.engine_independent  # no server at all
def test_bench_skips_postgres_with_a_line_when_no_server_answers(monkeypatch: Any) -> None:
    run = importlib.import_module("bench.run")
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("BENCH_POSTGRES_URL", f"postgresql://postgres@127.0.0.1:{port}/postgres")
    monkeypatch.delenv("BENCH_POSTGRES", raising=False)
    monkeypatch.setattr(run, "POSTGRES", run.Postgres())
    postgres = run.build_postgres()
    assert postgres.url is None
    assert postgres.note.startswith("skipped: "), postgres.note
    monkeypatch.setenv("BENCH_POSTGRES", "0")
    monkeypatch.setattr(run, "POSTGRES", run.Postgres())
    assert run.build_postgres().note == "skipped (BENCH_POSTGRES=0)"


@pytest.mark.engine_independent  # no database at all
def test_bench_report_shows_both_engines_side_by_side() -> None:
    run = importlib.import_module("bench.run")

    def result(server: str, rps: int) -> Any:
        wrk = {"requests": rps, "duration_us": 1_000_000, "non_2xx_3xx": 0}
        wrk |= {"p50_us": 1000, "p99_us": 5000}
        return run.Result("list", server, "/v1/projects", status=200, wrk=wrk)

    results = [
        result("ours", 1000),
        result("ours-nocache", 400),
        result("ours-pg", 900),
        result("ours-pg-nocache", 100),
    ]
    text = run.report(results, "SQLite: built; PostgreSQL: built", [])
    assert "| list | ours-pg-nocache | 64 | 200 |" in text
    assert "| list | on | 1,000 | 1.00 | 5.00 | 0 | 900 | 1.00 | 5.00 | 0 | 0.900 |" in text
    assert "| list | off | 400 | 1.00 | 5.00 | 0 | 100 | 1.00 | 5.00 | 0 | 0.250 |" in text
