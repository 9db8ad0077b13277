"""The OpenAPI document is complete enough to generate clients from, and the docs pages work
without internet access."""

import importlib.metadata
import re
from typing import Any
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient

from tests.conftest import COLLECTIONS

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    assert ref.startswith("#/components/schemas/"), ref
    name = ref.rsplit("/", 1)[-1]
    assert name in spec["components"]["schemas"], f"dangling $ref {ref}"
    resolved: dict[str, Any] = spec["components"]["schemas"][name]
    return resolved


def test_every_collection_and_item_is_documented(spec: dict[str, Any]) -> None:
    for collection in COLLECTIONS:
        assert "get" in spec["paths"].get(f"/v1/{collection}", {}), collection
        assert "get" in spec["paths"].get(f"/v1/{collection}/{{id}}", {}), collection
    for path in ("/v1/sources/{id}/text", "/v1/sources/{id}/records", "/v1/meta", "/healthz"):
        assert "get" in spec["paths"].get(path, {}), path


def test_every_operation_has_tags_summary_and_a_200_schema(spec: dict[str, Any]) -> None:
    operations = _operations(spec)
    assert operations
    failures = []
    for method, path, operation in operations:
        where = f"{method.upper()} {path}"
        if not operation.get("tags"):
            failures.append(f"{where}: no tags")
        if not (operation.get("summary") or "").strip():
            failures.append(f"{where}: no summary")
        ok = operation.get("responses", {}).get("200")
        if ok is None:
            failures.append(f"{where}: no 200 response")
            continue
        content = ok.get("content") or {}
        schemas = [media.get("schema") for media in content.values()]
        if not schemas or not all(schemas):
            failures.append(f"{where}: 200 response without a schema")
            continue
        for schema in schemas:
            resolved = _resolve(spec, schema)
            if not resolved:
                failures.append(f"{where}: empty 200 schema")
    assert not failures, "\n".join(failures)


def test_json_200_responses_name_a_component_schema(spec: dict[str, Any]) -> None:
    for method, path, operation in _operations(spec):
        content = operation["responses"]["200"].get("content", {})
        if "application/json" in content:
            schema = content["application/json"]["schema"]
            assert "$ref" in schema or schema.get("type") in ("object", "array"), (method, path)
            _resolve(spec, schema)


def test_every_component_property_has_a_description(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert schemas
    missing = []
    for name, schema in schemas.items():
        for prop, definition in (schema.get("properties") or {}).items():
            if not (definition.get("description") or "").strip():
                missing.append(f"{name}.{prop}")
    assert not missing, "properties without a description: " + ", ".join(missing)


def test_every_parameter_has_a_description(spec: dict[str, Any]) -> None:
    missing = []
    for method, path, operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            if not (parameter.get("description") or "").strip():
                missing.append(f"{method.upper()} {path} {parameter['in']}:{parameter['name']}")
    assert not missing, "parameters without a description: " + ", ".join(missing)


def test_error_responses_are_documented_as_problems(spec: dict[str, Any]) -> None:
    for method, path, operation in _operations(spec):
        if not path.startswith("/v1/"):
            continue
        for status in ("404", "422"):
            if status == "404" and "{" not in path:
                continue  # only a path with an id can name something missing
            if status == "422" and not operation.get("parameters"):
                continue  # nothing to be invalid
            response = operation["responses"].get(status)
            assert response is not None, (method, path, status)
            assert "application/problem+json" in response.get("content", {}), (path, status)


# ------------------------------------------------------------------------------ docs pages

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
ANY_URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'<>)]*""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_page_uses_only_local_assets(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    remote = ANY_URL.findall(html)
    assert not remote, f"{page} references remote URLs: {remote}"
    assets = [url for url in ASSET.findall(html) if not url.startswith(("#", "data:"))]
    assert assets, f"{page} loads no assets?"
    for url in assets:
        asset = client.get(urljoin(f"http://testserver{page}", url))
        assert asset.status_code == 200, url
        assert asset.content, url
    # The page loads the OpenAPI document from this server.
    assert "/openapi.json" in html
    assert client.get("/openapi.json").status_code == 200


def test_swagger_ui_oauth2_redirect_is_served(client: TestClient) -> None:
    html = client.get("/docs").text
    if "oauth2-redirect" not in html:
        pytest.skip("the docs page does not use the OAuth2 redirect")
    assert client.get("/docs/oauth2-redirect").status_code == 200


# ------------------------------------------------------------------------ document metadata

OPERATION_IDS = {
    "list_sources", "get_source", "get_source_text", "list_source_records",
    "list_people", "get_person", "list_places", "get_place", "list_projects", "get_project",
    "list_awards", "get_award", "list_trade_stats", "get_trade_stat", "get_trade_series",
    "list_sister_cities", "get_sister_city", "list_quotes", "get_quote",
    "list_events", "get_event", "list_indicators", "get_indicator",
    "list_disagreements", "get_disagreement", "search", "get_meta", "get_health",
    "get_readiness",
}  # fmt: skip


def test_operation_ids_are_what_a_person_would_write(spec: dict[str, Any]) -> None:
    ids = [operation.get("operationId") for _, _, operation in _operations(spec)]
    assert len(ids) == len(set(ids)), "duplicate operation ids"
    for operation_id in ids:
        assert re.fullmatch(r"(list|get)_[a-z_]+|search(_csv)?", operation_id or ""), operation_id
    # Every id asked for exists under its plain name (new routes may add more).
    assert set(ids) >= OPERATION_IDS, sorted(OPERATION_IDS - set(ids))
    # A list is list_<collection>, an item get_<thing>, never FastAPI's generated id.
    by_path = {path: operation["operationId"] for _, path, operation in _operations(spec)}
    assert by_path["/v1/projects"] == "list_projects"
    assert by_path["/v1/projects/{id}"] == "get_project"
    assert by_path["/v1/sources/{id}/text"] == "get_source_text"
    assert by_path["/v1/search"] == "search"
    # A representation at a path of its own is its operation's id and the format.
    assert by_path["/v1/projects.csv"] == "list_projects_csv"
    assert by_path["/v1/places.geojson"] == "list_places_geojson"
    assert by_path["/v1/projects/{id}.geojson"] == "get_project_geojson"
    assert by_path["/v1/search.csv"] == "search_csv"


def test_tags_are_declared_once_with_descriptions(spec: dict[str, Any]) -> None:
    declared = [tag["name"] for tag in spec["tags"]]
    assert len(declared) == len(set(declared))
    assert all(tag.get("description", "").strip() for tag in spec["tags"])
    used = {tag for _, _, operation in _operations(spec) for tag in operation["tags"]}
    assert used <= set(declared), sorted(used - set(declared))
    assert set(declared) <= used, f"tags no operation uses: {sorted(set(declared) - used)}"


def test_info_servers_contact_licence_and_version(spec: dict[str, Any]) -> None:
    info = spec["info"]
    assert info["version"] == importlib.metadata.version("bilateral-relations-api")
    assert info["contact"]["name"]
    assert info["license"]["identifier"] == "MIT"
    assert spec["servers"] and all(server["url"] for server in spec["servers"])


def test_caching_headers_and_304_are_declared(client: TestClient, spec: dict[str, Any]) -> None:
    for method, path, operation in _operations(spec):
        if method != "get" or not path.startswith("/v1"):
            continue
        headers = operation["responses"]["200"].get("headers", {})
        assert {"ETag", "Cache-Control", "Vary"} <= set(headers), path
        assert "304" in operation["responses"], path
        if operation["operationId"].startswith("list_"):
            assert "Link" in headers, path
    # What is declared is what is served.
    first = client.get("/v1/projects", params={"limit": 2})
    assert first.headers["etag"] and first.headers["cache-control"] and first.headers["link"]
    again = client.get(
        "/v1/projects", params={"limit": 2}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304


def test_no_item_id_pattern_admits_the_path_of_another_route(spec: dict[str, Any]) -> None:
    """`/v1/trade-stats/series` is the series, so the trade statistics' id pattern refuses
    `series` (a client that took it for an id, Schemathesis' stateful phase among them, would
    get the series' answer): no sibling path's last segment matches an item's id pattern."""
    checked = 0
    for path, item in spec["paths"].items():
        if not path.endswith("/{id}"):
            continue
        (parameter,) = [p for p in item["get"]["parameters"] if p["name"] == "id"]
        pattern = re.compile(parameter["schema"]["pattern"])
        assert pattern.search("zhanatas-wind-farm"), path
        parent = path.removesuffix("{id}")
        for other in spec["paths"]:
            rest = other.removeprefix(parent)
            if other.startswith(parent) and "/" not in rest and "{" not in rest:
                assert not pattern.search(rest), (path, other)
                checked += 1
    assert checked >= 1  # the series beside the trade statistics
    trade_stat = spec["paths"]["/v1/trade-stats/{id}"]["get"]["parameters"][0]["schema"]
    assert trade_stat["pattern"] == "^(?!(?:series)$)[a-z0-9-]+$"


def test_a_reserved_id_is_refused_where_it_could_be_sent(client: TestClient) -> None:
    """The item route's id refuses `series` (the pattern is matched by Python's re, as ECMA
    regexes read it, since pydantic's default engine has no lookaround); a longer id that
    begins with it is an id like any other, and `/v1/trade-stats/series` is the series."""
    from pydantic import TypeAdapter, ValidationError

    from app.deps import record_id_except

    record_id = TypeAdapter(record_id_except(["series"]))
    assert record_id.validate_python("series-2023") == "series-2023"
    assert record_id.validate_python("a-series") == "a-series"
    with pytest.raises(ValidationError):
        record_id.validate_python("series")
    assert client.get("/v1/trade-stats/series-2023").status_code == 404
    series = client.get("/v1/trade-stats/series", params={"metric": "trade_turnover"})
    assert series.json()["metric"] == "trade_turnover"


def test_figures_link_to_their_disagreement(client: TestClient, spec: dict[str, Any]) -> None:
    """The declared links lead somewhere: a figure's `disagreement_id` is the id of
    get_disagreement (and a list declares its first item's, not each item's)."""
    from app.registry import COLLECTIONS as DECLARED

    disputable = [c.path for c in DECLARED if c.disputable]
    assert disputable == ["trade-stats", "indicators"]
    operations = {op["operationId"] for _, _, op in _operations(spec)}
    followed = 0
    for name in disputable:
        for path in (f"/v1/{name}", f"/v1/{name}/{{id}}"):
            (link,) = spec["paths"][path]["get"]["responses"]["200"]["links"].values()
            assert link["operationId"] == "get_disagreement" in operations, path
            assert link["parameters"]["id"].startswith("$response.body#/"), path
        for item in client.get(f"/v1/{name}", params={"limit": 500}).json()["items"]:
            pointer = spec["paths"][f"/v1/{name}/{{id}}"]["get"]["responses"]["200"]["links"]
            assert pointer["disagreement"]["parameters"]["id"] == "$response.body#/disagreement_id"
            if item["disagreement_id"] is not None:
                target = client.get(f"/v1/disagreements/{item['disagreement_id']}")
                assert target.status_code == 200, item["id"]
                followed += 1
    assert followed >= 2
