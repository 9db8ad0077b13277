"""The OpenAPI document declares each representation that is served, with a real schema:
`format` offers geojson only where records have coordinates, GeoJSON answers are typed
FeatureCollections (and Features) that the real answers validate against, and every CSV
answer, search's included, is declared with its columns."""

from typing import Any

# JSON Schema validator in Rust, installed with schemathesis (a dev dependency).
import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

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
