"""The OpenAPI document declares each representation that is served, with a real schema:
`format` offers geojson only where records have coordinates, GeoJSON answers are typed
FeatureCollections (and Features) that the real answers validate against, every CSV
answer, search's included, is declared with its columns, and each representation besides
JSON is also an operation of its own (`/v1/projects.csv`) that declares only it."""

from typing import Any

# JSON Schema validator in Rust, installed with schemathesis (a dev dependency).
import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from app.registry import COLLECTIONS as DECLARED
from tests.conftest import COLLECTIONS

GEO = ("projects", "places", "events", "sister-cities")
GEOJSON = "application/geo+json"


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/openapi.json").json()
    return body


def _validate(spec: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    validator = jsonschema_rs.Draft202012Validator({**schema, "components": spec["components"]})
    return [f"{error.instance_path}: {error.message}" for error in validator.iter_errors(value)]


def _format_enum(spec: dict[str, Any], path: str) -> list[str]:
    (parameter,) = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "format"]
    enum: list[str] = next(s["enum"] for s in parameter["schema"]["anyOf"] if "enum" in s)
    return enum


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_format_offers_geojson_only_where_served(
    client: TestClient, spec: dict[str, Any], collection: str
) -> None:
    for path in (f"/v1/{collection}", f"/v1/{collection}/{{id}}"):
        offered = _format_enum(spec, path)
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        assert (GEOJSON in content) == (collection in GEO) == ("geojson" in offered), path
    answer = client.get(f"/v1/{collection}", params={"format": "geojson", "limit": 2})
    assert answer.status_code == (200 if collection in GEO else 422)


@pytest.mark.parametrize("collection", GEO)
def test_geojson_answers_validate_against_their_typed_schemas(
    client: TestClient, spec: dict[str, Any], collection: str
) -> None:
    listed = spec["paths"][f"/v1/{collection}"]["get"]["responses"]["200"]["content"][GEOJSON]
    schema = spec["components"]["schemas"][listed["schema"]["$ref"].rsplit("/", 1)[-1]]
    assert schema["properties"]["type"]["const"] == "FeatureCollection"
    body = client.get(f"/v1/{collection}", params={"format": "geojson"}).json()
    assert body["features"]
    assert not _validate(spec, listed["schema"], body)
    # A wrong property type is caught: the properties are typed, not any object.
    broken = {**body, "features": [{**body["features"][0], "properties": {"id": 3}}]}
    assert _validate(spec, listed["schema"], broken)

    item = spec["paths"][f"/v1/{collection}/{{id}}"]["get"]["responses"]["200"]["content"][GEOJSON]
    record_id = body["features"][0]["id"]
    feature = client.get(f"/v1/{collection}/{record_id}", params={"format": "geojson"}).json()
    assert feature["type"] == "Feature"
    assert not _validate(spec, item["schema"], feature)


def test_every_csv_answer_is_declared_with_its_columns(
    client: TestClient, spec: dict[str, Any]
) -> None:
    csv_paths = [
        *(f"/v1/{name}" for name in COLLECTIONS),
        *(f"/v1/{name}/{{id}}" for name in COLLECTIONS),
        "/v1/search",
        "/v1/sources/{id}/records",
        "/v1/trade-stats/series",
    ]
    for path in csv_paths:
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        assert "text/csv" in content, path
        declared = content["text/csv"]
        assert declared["schema"]["type"] == "string"
        (named,) = declared["examples"].values()
        example = spec["components"]["examples"][named["$ref"].rsplit("/", 1)[-1]]["value"]
        header = example.split("\r\n", 1)[0]
        assert header.startswith("id,") or path.startswith(("/v1/search", "/v1/sources/{id}/r"))
        for column in header.split(","):
            assert f"`{column}`" in declared["schema"]["description"], (path, column)
    served = client.get("/v1/search", params={"q": "wind", "format": "csv"})
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/csv")


def _representations(spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(negotiating path, its path for one format, the format) of every path per format:
    each collection's list and item (from the registry), and the other lists that answer CSV."""
    pairs = [
        (base, f"{base}.{fmt}", fmt)
        for collection in DECLARED
        for fmt in collection.formats
        for base in (f"/v1/{collection.path}", f"/v1/{collection.path}/{{id}}")
    ]
    others = ["/v1/search", "/v1/timeline", "/v1/sources/{id}/records", "/v1/trade-stats/series"]
    pairs += [(base, f"{base}.csv", "csv") for base in others]
    return pairs


def test_each_representation_is_an_operation_of_its_own(spec: dict[str, Any]) -> None:
    """One media type per operation, so a generated client parses each (openapi-python-client
    makes one parser per status): the path's format, described as the negotiating operation
    describes it, with the same parameters but `format` and `facet` (counts live in the JSON
    envelope), and errors as problems only."""
    media_types = {"csv": "text/csv", "geojson": GEOJSON}
    pairs = _representations(spec)
    # Each collection's list and item per format beside JSON; search, the timeline, a source's
    # records and the series as CSV.
    assert len(pairs) == 2 * sum(len(c.formats) for c in DECLARED) + 4
    for base, path, fmt in pairs:
        negotiating, operation = spec["paths"][base]["get"], spec["paths"][path]["get"]
        assert operation["operationId"] == f"{negotiating['operationId']}_{fmt}", path
        assert operation["tags"] == negotiating["tags"], path
        media_type = media_types[fmt]
        ok = operation["responses"]["200"]
        assert list(ok["content"]) == [media_type], path
        assert ok["content"][media_type] == negotiating["responses"]["200"]["content"][media_type]
        assert ok["headers"] == negotiating["responses"]["200"]["headers"], path
        names = [p["name"] for p in operation.get("parameters", [])]
        expected = [
            p["name"] for p in negotiating["parameters"] if p["name"] not in ("format", "facet")
        ]
        assert names == expected, path
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert list(response["content"]) == ["application/problem+json"], (path, status)
    # Every path per format is one of these (no other is declared).
    declared = {p for p in spec["paths"] if p.endswith((".csv", ".geojson"))}
    datapackage = {p for p in declared if p.startswith("/v1/datapackage/")}
    assert declared - datapackage == {path for _, path, _ in pairs}
