"""Items, search hits and a source's records negotiate formats like lists, and every endpoint
rejects parameters it does not know."""

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from tests.conftest import COLLECTIONS

GEO = {"projects", "places", "events", "sister-cities"}


def _first_id(client: TestClient, collection: str) -> str:
    return str(client.get(f"/v1/{collection}", params={"limit": 1}).json()["items"][0]["id"])


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_item_as_csv_is_the_list_row(client: TestClient, collection: str) -> None:
    record_id = _first_id(client, collection)
    one = client.get(f"/v1/{collection}/{record_id}", headers={"Accept": "text/csv"})
    assert one.headers["content-type"].startswith("text/csv")
    listed = client.get(f"/v1/{collection}", params={"format": "csv"}).text
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(listed))}
    (row,) = list(csv.DictReader(io.StringIO(one.text)))
    assert row == rows[record_id]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_item_geojson_only_where_there_are_coordinates(client: TestClient, collection: str) -> None:
    record_id = _first_id(client, collection)
    response = client.get(f"/v1/{collection}/{record_id}", params={"format": "geojson"})
    if collection in GEO:
        assert response.status_code == 200
        feature = response.json()
        assert feature["type"] == "Feature" and feature["id"] == record_id
        assert feature["properties"]["id"] == record_id
    else:
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_item_rejects_unknown_parameters_and_types(client: TestClient, collection: str) -> None:
    record_id = _first_id(client, collection)
    unknown = client.get(f"/v1/{collection}/{record_id}", params={"foo": "1"})
    assert unknown.status_code == 422
    refused = client.get(f"/v1/{collection}/{record_id}", headers={"Accept": "application/xml"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path", ["/v1/meta", "/v1/disagreements", "/v1/sources/sfc-2023-zhang-xiao/text"]
)
def test_parameterless_endpoints_reject_parameters(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200
    response = client.get(path, params={"foo": "1"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_search_and_source_records_answer_csv(client: TestClient) -> None:
    hits = client.get("/v1/search", params={"q": "wind"}).json()
    text = client.get("/v1/search", params={"q": "wind", "format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == [h["id"] for h in hits["items"]]
    assert all("<mark>" in r["snippet"] for r in rows)
    records = client.get("/v1/sources/sfc-2023-zhang-xiao/records", headers={"Accept": "text/csv"})
    assert records.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(records.text)))
    assert rows and {"collection", "id", "url", "citations"} <= set(rows[0])
    assert all(json.loads(row["citations"]) for row in rows)
