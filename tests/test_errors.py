"""Every error is an RFC 9457 problem (application/problem+json) and never shows a traceback."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from app.config import Settings
from app.db import make_write_engine, newest_schema
from app.main import create_app
from tests.conftest import COLLECTIONS, ON_POSTGRES


@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/v1/nope",
        "/v1/projects/zhanatas-wind-farm/nope",
        "/v2/projects",
        "/v1/sources/x/text/more",
    ],
)
def test_unknown_route_is_a_404_problem(client: TestClient, path: str, assert_problem: Any) -> None:
    body = assert_problem(client.get(path), 404)
    assert body.get("instance", path) == path


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "path", ["/v1/projects", "/v1/projects/zhanatas-wind-farm", "/v1/meta", "/healthz"]
)
def test_write_methods_are_405_problems(
    client: TestClient, method: str, path: str, assert_problem: Any
) -> None:
    response = client.request(method, path, json={"name": "x"})
    assert_problem(response, 405)
    assert "GET" in response.headers.get("allow", ""), response.headers


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_post_on_every_collection_is_a_405_problem(
    client: TestClient, collection: str, assert_problem: Any
) -> None:
    assert_problem(client.post(f"/v1/{collection}", json={}), 405)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/projects", {"limit": "abc"}),
        ("/v1/projects", {"limit": "0"}),
        ("/v1/projects", {"offset": "-1"}),
        ("/v1/projects", {"offset": "1.5"}),
        ("/v1/projects", {"year_from": "2020x"}),
        ("/v1/projects", {"bri": "perhaps"}),
        ("/v1/projects", {"sort": "nope"}),
        ("/v1/projects", {"format": "xml"}),
        ("/v1/projects", {"unknown": "1"}),
        ("/v1/quotes", {"speaker": "Not A Slug"}),
        ("/v1/events", {"q": "x" * 500}),
    ],
)
def test_bad_parameter_is_a_422_problem(
    client: TestClient, path: str, params: dict[str, str], assert_problem: Any
) -> None:
    body = assert_problem(client.get(path, params=params), 422)
    name = next(iter(params))
    assert name in body["detail"] or name in str(body.get("errors", "")), body


def test_422_problem_lists_each_invalid_parameter(client: TestClient, assert_problem: Any) -> None:
    body = assert_problem(client.get("/v1/projects", params={"limit": "abc", "offset": "-3"}), 422)
    errors = body.get("errors") or []
    named = {tuple(error["loc"])[-1] for error in errors}
    assert {"limit", "offset"} <= named, errors
    for error in errors:
        assert error["msg"] and error["type"]


def test_bad_paging_of_source_records_is_a_422_problem(
    client: TestClient, dataset: dict[str, list[dict[str, Any]]], assert_problem: Any
) -> None:
    source_id = dataset["sources"][0]["id"]
    for params in ({"limit": "abc"}, {"limit": "0"}, {"offset": "-1"}, {"limit": "0x10"}):
        assert_problem(client.get(f"/v1/sources/{source_id}/records", params=params), 422)


def test_bad_id_is_a_422_problem_not_a_404(client: TestClient, assert_problem: Any) -> None:
    assert_problem(client.get("/v1/projects/Not_A_Slug"), 422)


def test_bad_disagreement_id_is_a_422_problem_like_other_ids(
    client: TestClient, assert_problem: Any
) -> None:
    assert_problem(client.get("/v1/disagreements/Not_A_Slug"), 422)


def test_unknown_record_is_a_404_problem(client: TestClient, assert_problem: Any) -> None:
    body = assert_problem(client.get("/v1/projects/no-such-project"), 404)
    assert "no-such-project" in body["detail"]


def test_unacceptable_media_type_is_a_406_problem(client: TestClient, assert_problem: Any) -> None:
    assert_problem(client.get("/v1/projects", headers={"Accept": "image/png"}), 406)


def test_problem_type_is_stable_per_kind_of_error(client: TestClient) -> None:
    first = client.get("/v1/projects/no-such-project").json()["type"]
    second = client.get("/v1/people/no-such-person").json()["type"]
    assert first == second
    invalid = client.get("/v1/projects", params={"limit": "abc"}).json()["type"]
    assert invalid != first


def _unbuilt_database_gives_503_problems(url: str, settings: Settings, check: Any) -> None:
    broken = settings.model_copy(update={"database_url": url})
    with TestClient(create_app(broken), raise_server_exceptions=False) as client:
        assert client.get("/healthz").status_code == 200  # the process is alive
        check(client.get("/readyz"), 503)
        check(client.get("/v1/projects"), 503)
        check(client.get("/v1/meta"), 503)
        check(client.get("/v1/search", params={"q": "wind"}), 503)


@pytest.mark.sqlite
def test_sqlite_missing_database_file_gives_503_problems(
    tmp_path: Path, settings: Settings, assert_problem: Any
) -> None:
    _unbuilt_database_gives_503_problems(
        f"sqlite:///{tmp_path / 'missing.sqlite3'}", settings, assert_problem
    )
    assert not (tmp_path / "missing.sqlite3").exists()  # serving never creates a database


@pytest.mark.postgres
def test_postgres_database_never_built_gives_503_problems(
    new_database_url: Callable[[], str], settings: Settings, assert_problem: Any
) -> None:
    url = new_database_url()
    _unbuilt_database_gives_503_problems(url, settings, assert_problem)
    engine = make_write_engine(url)
    try:
        with engine.connect() as connection:  # serving made no schema or table
            assert newest_schema(connection) is None
            assert inspect(connection).get_table_names() == []
    finally:
        engine.dispose()


def test_unreachable_database_gives_503_problems(settings: Settings, assert_problem: Any) -> None:
    # Nothing listens on port 9 (discard) of loopback: the server is unreachable.
    url = "postgresql://nobody@127.0.0.1:9/none" if ON_POSTGRES else "sqlite:////nonexistent/x.db"
    _unbuilt_database_gives_503_problems(url, settings, assert_problem)
