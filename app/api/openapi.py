"""The OpenAPI document: FastAPI's, plus what the routes cannot say one by one.

Added here, once for every operation: the global tags with their descriptions, `servers`,
`contact`, the licence, the package version, and the caching contract of every GET under
/v1 (the `ETag`, `Cache-Control` and `Vary` headers of a 200, the `Link` header of a list,
and the 304 answer to `If-None-Match`), which the response cache middleware implements.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.api.examples import registered_examples
from app.api.geojson import declared_schemas
from app.queries.parameters import COMMA_SEPARATED, VOCABULARY_KEY, limit_description
from app.registry import COLLECTIONS

PACKAGE = "bilateral-relations-api"

# Every tag an operation uses, in the order the docs list them: each collection's (from its
# declaration), then the views across collections. A route with a new tag adds it here
# (tests/test_openapi.py refuses an undeclared tag).
TAGS: list[dict[str, str]] = [
    *({"name": c.tag, "description": c.tag_description} for c in COLLECTIONS),
    {
        "name": "timeline",
        "description": "Every dated fact across collections, in date order, each date with its "
        "basis.",
    },
    {
        "name": "disagreements",
        "description": "Where sources state different values for the same fact.",
    },
    {
        "name": "search",
        "description": "Full-text search over every collection and the source texts.",
    },
    {"name": "meta", "description": "The dataset served: version, build time, licence and counts."},
    {"name": "health", "description": "Liveness and readiness probes."},
]

CONTACT = {"name": "Bilateral Relations API maintainers"}
LICENSE = {"name": "MIT", "identifier": "MIT"}
SERVERS = [{"url": "/", "description": "This server"}]


def api_version() -> str:
    """The installed package's version (pyproject.toml), which the document states."""
    try:
        return package_version(PACKAGE)
    except PackageNotFoundError:  # running from a tree that was never installed
        return "0+unknown"


_ETAG = {
    "description": "Strong validator of this representation of this dataset version; send it "
    "back in If-None-Match to get a 304.",
    "schema": {"type": "string", "example": '"3f2a9c0d1b7e4a55-9b1c2d3e4f5a6b7c"'},
}
_CACHE_CONTROL = {
    "description": "How long a cache may reuse the answer (public, max-age in seconds).",
    "schema": {"type": "string", "example": "public, max-age=300"},
}
_VARY = {
    "description": "The request headers the representation depends on.",
    "schema": {"type": "string", "example": "Accept, Accept-Encoding"},
}
_LINK = {
    "description": 'RFC 8288 links to the next and previous pages (rel="next", rel="prev"), '
    "as relative references; absent on the last page.",
    "schema": {
        "type": "string",
        "example": '</v1/projects?offset=50&limit=50>; rel="next"',
    },
}
_NOT_MODIFIED = {
    "description": "Not modified: the If-None-Match ETag matches the current representation.",
    "headers": {"ETag": _ETAG, "Cache-Control": _CACHE_CONTROL, "Vary": _VARY},
}


def _is_list(operation: dict[str, Any]) -> bool:
    return str(operation.get("operationId", "")).startswith(("list_", "search"))


def _declare_caching(document: dict[str, Any]) -> None:
    for path, item in document.get("paths", {}).items():
        operation = item.get("get")
        if operation is None or not path.startswith("/v1"):
            continue
        responses = operation["responses"]
        ok = responses.get("200")
        if ok is not None:
            headers = ok.setdefault("headers", {})
            headers.update({"ETag": _ETAG, "Cache-Control": _CACHE_CONTROL, "Vary": _VARY})
            if _is_list(operation):
                headers["Link"] = _LINK
        responses.setdefault("304", _NOT_MODIFIED)


def _single_value_too(schema: dict[str, Any]) -> None:
    """A repeatable query parameter (an array, `explode: true`) given once is one value on the
    wire, `sector=wind`: declare that form too, so the document says exactly what is sent."""
    options = schema.get("anyOf", [])
    arrays = [option for option in options if option.get("type") == "array"]
    if len(arrays) == 1 and "items" in arrays[0]:
        options.insert(options.index(arrays[0]) + 1, arrays[0]["items"])


def _declare_parameters(document: dict[str, Any], vocabularies: dict[str, tuple[str, ...]]) -> None:
    """Comma-separated lists (sort, facet) are `style: form, explode: false`; the other
    repeatable parameters also declare their one-value form; a vocabulary's terms (read
    from data/vocabularies.yaml when the app was made) are the enum of its parameters."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if schema.pop(COMMA_SEPARATED, False):
                    parameter["style"] = "form"
                    parameter["explode"] = False
                elif parameter["in"] == "query":
                    _single_value_too(schema)
                name = schema.get(VOCABULARY_KEY)
                if name in vocabularies:
                    terms = list(vocabularies[name])
                    for option in [schema, *schema.get("anyOf", [])]:
                        target = option.get("items", option)
                        if target.get("type") == "string":
                            target["enum"] = terms


def _declare_limits(document: dict[str, Any], max_limit: int, max_export_rows: int) -> None:
    """Every `limit` parameter states this app's caps (its Settings), not the defaults."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "limit" and parameter["in"] == "query":
                    parameter["description"] = limit_description(max_limit, max_export_rows)


def _declare_links(document: dict[str, Any]) -> None:
    """OpenAPI links from a stated figure to the disagreement it belongs to (its
    `disagreement_id`; null when no source contradicts it), on the list and item of every
    collection whose figures sources may contradict.

    Declared for the list too (its first item's), so that a tool inferring links does not
    make its own from every item's `disagreement_id`: Schemathesis' stateful phase picks one
    of those values, nulls included, and sends a null as the id `None`."""
    for collection in COLLECTIONS:
        if not collection.disputable:
            continue
        for path, pointer in (
            (f"/v1/{collection.path}", "/items/0/disagreement_id"),
            (f"/v1/{collection.path}/{{id}}", "/disagreement_id"),
        ):
            ok = document["paths"][path]["get"]["responses"]["200"]
            ok.setdefault("links", {})["disagreement"] = {
                "operationId": "get_disagreement",
                "parameters": {"id": f"$response.body#{pointer}"},
                "description": "The disagreement the "
                + ("first " if "items" in pointer else "")
                + f"{collection.noun} belongs to, when a source contradicts it "
                "(`disagreement_id`; null otherwise).",
            }


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The document served at /openapi.json (made once, then kept on the app)."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=TAGS,
        servers=SERVERS,
        contact=CONTACT,
        license_info=LICENSE,
    )
    components = document.setdefault("components", {})
    components["examples"] = registered_examples()
    components.setdefault("schemas", {}).update(declared_schemas())
    _declare_caching(document)
    _declare_links(document)
    _declare_parameters(document, getattr(app.state, "vocabularies", {}))
    settings = getattr(app.state, "settings", None)
    if settings is not None:
        _declare_limits(document, settings.max_limit, settings.max_export_rows)
    app.openapi_schema = document
    return document


def install(app: FastAPI) -> None:
    """Serve `build_openapi(app)` as the app's OpenAPI document."""
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
