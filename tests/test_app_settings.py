"""One Settings instance per app: create_app(Settings(...)) is honoured by every layer, and
a request refused for its parameters runs no SQL."""

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import COLLECTIONS, sql_statements


def test_the_settings_are_the_apps_own(settings: Settings) -> None:
    narrow = settings.model_copy(update={"max_limit": 5})
    with TestClient(create_app(narrow)) as small, TestClient(create_app(settings)) as default:
        assert small.app.state.settings is narrow  # type: ignore[attr-defined]
        assert default.get("/v1/quotes", params={"limit": 6}).status_code == 200


def test_max_limit_caps_every_json_list(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_limit=5, response_cache_entries=0)
    for collection in COLLECTIONS:
        # A limit above the cap, like the default page (50), is cut to the cap, as the
        # envelope's `limit` says (every limit the schema allows means a page).
        for params in ({"limit": 6}, {}):
            page = client.get(f"/v1/{collection}", params=params).json()
            assert page["limit"] == 5 and len(page["items"]) <= 5, (collection, params)
    source = client.get("/v1/sources", params={"limit": 1}).json()["items"][0]["id"]
    for path, params in (
        ("/v1/search", {"q": "Kazakhstan"}),
        (f"/v1/sources/{source}/records", {}),
    ):
        for limit in ({"limit": 6}, {}):
            page = client.get(path, params={**params, **limit}).json()
            assert page["limit"] == 5 and len(page["items"]) == 5, (path, limit)


def test_the_openapi_document_states_the_apps_own_caps(
    make_client: Callable[..., TestClient],
) -> None:
    spec = make_client(max_limit=5, max_export_rows=3).get("/openapi.json").json()
    described = {
        parameter["description"]
        for item in spec["paths"].values()
        for operation in item.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "limit"
    }
    assert len(described) == 1
    [text] = described
    assert "at most 5 " in text and "reduced to 5;" in text and "up to 3 records" in text
    assert "500" not in text


def test_max_export_rows_caps_csv_and_geojson(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_export_rows=3, response_cache_entries=0)
    # A limit above the cap is cut to it; the Link header leads to the rest.
    cut = client.get("/v1/quotes", params={"format": "csv", "limit": 4})
    assert cut.status_code == 200
    assert len(list(csv.reader(io.StringIO(cut.text)))) == 1 + 3
    assert 'rel="next"' in cut.headers["link"]
    rows = list(csv.reader(io.StringIO(client.get("/v1/quotes?format=csv").text)))
    assert len(rows) == 1 + 3
    features = client.get("/v1/places?format=geojson").json()
    assert features["numberReturned"] == 3 and features["numberMatched"] > 3
    # JSON pages keep their own cap.
    assert client.get("/v1/quotes", params={"limit": 50}).status_code == 200


@contextmanager
def statements(client: TestClient) -> Iterator[list[str]]:
    """The SQL the app runs while the block runs, however it runs it."""
    with sql_statements(client) as seen:
        sql: list[str] = []
        yield sql
    sql.extend(text for _, text in seen)


def test_parameter_checks_run_before_any_sql(make_client: Callable[..., TestClient]) -> None:
    # The periodic check for a new PostgreSQL build (a query the response cache runs at most
    # every version_check_s, whatever the route) is put off, so a slow machine cannot make
    # it fall inside the blocks below: what is counted is the route's own SQL.
    client = make_client(response_cache_entries=0, version_check_s=3600)
    refusals = [
        ("/v1/projects", {"facet": "sector,bogus"}, 422),
        ("/v1/projects", {"sort": "bogus"}, 422),
        ("/v1/projects", {"after": "Not a cursor"}, 422),
        ("/v1/projects", {"sector": "energy"}, 422),
        ("/v1/projects", {"limit": ["1", "2"]}, 422),
        ("/v1/trade-stats/series", {"metric": "nope"}, 422),
        ("/v1/projects/zhanatas-wind-farm", {"format": ["json", "csv"]}, 422),
        ("/v1/people", {"format": "geojson"}, 422),
        ("/v1/search", {"q": "wind", "after": "nowhere"}, 422),
    ]
    for path, params, status in refusals:
        with statements(client) as seen:
            response = client.get(path, params=params)
        assert response.status_code == status, (path, params, response.text)
        assert seen == [], (path, params, seen)
    # The counter sees the statements of an answer that is computed.
    with statements(client) as seen:
        assert client.get("/v1/projects", params={"facet": "sector"}).status_code == 200
    assert len(seen) >= 2
