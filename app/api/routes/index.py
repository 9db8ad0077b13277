"""The way in: `GET /` and `GET /v1` name the service and link to everything it serves.

The collections are the declared ones (app/registry.py's COLLECTIONS),
and the other links come from the OpenAPI document of the running app, so the index lists
exactly the endpoints that exist: every GET path under /v1 without a path parameter. An href
is always a plain path, never an RFC 6570 template (clients and crawlers, Schemathesis'
stateful phase among them, follow hrefs as they are); the query parameters an endpoint
requires, like search's `q`, are named beside it.
"""

from html import escape
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, Response
from pydantic import BaseModel, Field

from app.api.examples import media_example
from app.api.problems import PROBLEM_RESPONSES
from app.deps import SessionDep
from app.errors import ServiceUnavailable
from app.queries.meta import build_info
from app.queries.parameters import NoQuery
from app.registry import COLLECTIONS

router = APIRouter(tags=["meta"], responses=PROBLEM_RESPONSES)

NAME = "Bilateral Relations API"
DESCRIPTION = (
    "A read-only API over a hand-curated, source-cited dataset of bilateral relations "
    "(first pair: China and Kazakhstan). Every record cites its source with a verbatim excerpt."
)


class Link(BaseModel):
    """A link to an endpoint or a page of the service."""

    href: str = Field(description="Relative reference to the endpoint: a plain path.")
    title: str = Field(description="What is there.")
    parameters: list[str] = Field(
        default_factory=list,
        description="The query parameters the endpoint requires, by name (search's `q`); "
        "empty when it needs none. The OpenAPI document describes every parameter.",
    )


class Index(BaseModel):
    """What the service is and where everything is."""

    name: str = Field(description="Name of the service.")
    description: str = Field(description="What the service serves.")
    api_version: str = Field(description="Version of the API (the package version).")
    dataset_version: str = Field(description="Content hash of the data/ served (as /v1/meta).")
    collections: dict[str, Link] = Field(
        description="Every collection, by name: its list (items are at `<href>/{id}`)."
    )
    links: dict[str, Link] = Field(
        description="Every other endpoint under /v1 (meta, search, timeline, data package, "
        "...) and the documentation, by name."
    )


_EXAMPLE = {
    "name": NAME,
    "description": DESCRIPTION,
    "api_version": "1.0.0",
    "dataset_version": "3f2a9c0d1b7e4a55",
    "collections": {
        "projects": {"href": "/v1/projects", "title": "List projects", "parameters": []}
    },
    "links": {
        "meta": {"href": "/v1/meta", "title": "Describe the dataset", "parameters": []},
        "search": {"href": "/v1/search", "title": "Search everything", "parameters": ["q"]},
        "docs": {"href": "/docs", "title": "Interactive documentation", "parameters": []},
    },
}
_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {
            "application/json": media_example("index", _EXAMPLE),
            "text/html": {"schema": {"type": "string"}},
        },
        "description": "The index as JSON, or as an HTML page for a browser (Accept: text/html).",
    }
}


def _name(path: str) -> str:
    return path.removeprefix("/v1/").removesuffix(".json")


def _links(app: FastAPI) -> tuple[dict[str, Link], dict[str, Link]]:
    """(collections, other links), from the app's OpenAPI document."""
    paths = app.openapi()["paths"]
    declared = {f"/v1/{c.path}" for c in COLLECTIONS}
    collections: dict[str, Link] = {}
    links: dict[str, Link] = {}
    for path, item in paths.items():
        operation = item.get("get")
        if operation is None or "{" in path or not path.startswith("/v1/"):
            continue
        title = str(operation.get("summary", ""))
        required = [
            p["name"]
            for p in operation.get("parameters", [])
            if p.get("in") == "query" and p.get("required")
        ]
        if path in declared:
            collections[_name(path)] = Link(href=path, title=title)
        else:
            links[_name(path)] = Link(href=path, title=title, parameters=required)
    if app.state.settings.docs_enabled:
        links["docs"] = Link(href="/docs", title="Interactive documentation (Swagger UI)")
        links["redoc"] = Link(href="/redoc", title="Reference documentation (ReDoc)")
        links["openapi"] = Link(href="/openapi.json", title="OpenAPI document")
    links["problems"] = Link(href="/problems", title="What each kind of error means")
    links["health"] = Link(href="/healthz", title="Liveness")
    links["readiness"] = Link(href="/readyz", title="Readiness")
    return collections, links


def _wants_html(accept: str) -> bool:
    """True when the Accept header ranks text/html above JSON (a browser's does)."""
    html = json = 0.0
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.strip().lower()
        if media == "text/html":
            html = max(html, quality)
        elif media in ("application/json", "application/*"):
            json = max(json, quality)
    return html > json


def _html(index: Index) -> str:
    def items(links: dict[str, Link]) -> str:
        return "\n".join(
            f'<li><a href="{escape(link.href)}">{escape(name)}</a>: {escape(link.title)}</li>'
            if not link.parameters
            else f"<li><code>{escape(link.href)}?{escape('=…&'.join(link.parameters))}=…</code>"
            f": {escape(link.title)}</li>"
            for name, link in links.items()
        )

    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(index.name)}</title></head>\n<body>\n"
        f"<h1>{escape(index.name)}</h1>\n<p>{escape(index.description)}</p>\n"
        f"<p>API {escape(index.api_version)}, dataset version "
        f"<code>{escape(index.dataset_version)}</code>.</p>\n"
        f"<h2>Collections</h2>\n<ul>\n{items(index.collections)}\n</ul>\n"
        f"<h2>Everything else</h2>\n<ul>\n{items(index.links)}\n</ul>\n"
        "<p>Every answer is JSON by default; lists and records also answer CSV "
        "(<code>?format=csv</code>) and, with coordinates, GeoJSON.</p>\n</body></html>\n"
    )


def _index(request: Request, session: SessionDep) -> Response:
    info = build_info(session)
    if info is None:
        raise ServiceUnavailable("The database holds no build.")
    collections, links = _links(request.app)
    index = Index(
        name=NAME,
        description=DESCRIPTION,
        api_version=request.app.version,
        dataset_version=info.dataset_version,
        collections=collections,
        links=links,
    )
    headers = {"Vary": "Accept"}
    if _wants_html(request.headers.get("accept", "")):
        return Response(_html(index), media_type="text/html; charset=utf-8", headers=headers)
    return Response(index.model_dump_json(), media_type="application/json", headers=headers)


@router.get(
    "/v1",
    operation_id="get_index",
    summary="Start here",
    response_model=Index,
    responses=_RESPONSES,
)
def read_index(
    request: Request, session: SessionDep, _query: Annotated[NoQuery, Query()]
) -> Response:
    """The service's name, the dataset version, and links to every collection and endpoint."""
    return _index(request, session)


@router.get(
    "/",
    operation_id="get_root_index",
    summary="Start here (the same index as /v1)",
    response_model=Index,
    responses=_RESPONSES,
)
def read_root_index(
    request: Request, session: SessionDep, _query: Annotated[NoQuery, Query()]
) -> Response:
    """The index of /v1, at the root, for whoever starts there."""
    return _index(request, session)
