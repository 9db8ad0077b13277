"""RFC 9457 problems: declared types whose pages the service serves, one title per type, and
an `instance` that is a valid URI reference on every problem, middleware ones included."""

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urljoin

import anyio
import pytest
from fastapi.testclient import TestClient

from app.errors import PROBLEM_TYPES
from tests.conftest import is_uri_reference

Problem = Callable[..., dict[str, Any]]


@pytest.mark.parametrize("slug", list(PROBLEM_TYPES))
def test_every_problem_type_resolves_to_a_page_describing_it(client: TestClient, slug: str) -> None:
    problem = PROBLEM_TYPES[slug]
    # The type is a relative reference: resolved against any request URL, it is this page.
    url = urljoin("http://testserver/v1/projects/x?limit=1", problem.uri)
    page = client.get(url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert problem.title in page.text and str(problem.status) in page.text
    assert problem.description.split(".")[0] in page.text
    assert client.head(url).status_code == 200
    assert problem.uri in client.get("/problems").text


def test_unknown_problem_type_page_is_a_404(client: TestClient, assert_problem: Problem) -> None:
    assert_problem(client.get("/problems/no-such-problem"), 404)


def test_titles_are_unique_per_type_and_types_per_title() -> None:
    titles = [p.title for p in PROBLEM_TYPES.values()]
    assert len(titles) == len(set(titles))
    assert len({t.lower() for t in titles}) == len(titles)


def _problems(client: TestClient) -> list[Any]:
    """A problem of every kind the service produces through the test client."""
    long = "a/" * 600
    return [
        client.get("/no/such/route"),  # Starlette's 404
        client.get("/v1/projects/no-such-project"),  # the API's 404
        client.get("/v1/projects", params={"limit": "abc"}),  # validation 422
        client.get("/v1/projects", params={"sort": "nope"}),  # the API's 422
        client.get("/v1/projects", headers={"Accept": "image/png"}),  # 406
        client.post("/v1/projects"),  # 405
        client.get("/v1/projects", headers={"If-Match": '"x"'}),  # 412, middleware
        client.get("/v1/" + long),  # 414, middleware
        client.get("/v1/projects?q=%ff%fe"),  # 400, middleware
        client.options(
            "/v1/projects",
            headers={"Origin": "https://x.example", "Access-Control-Request-Method": "DELETE"},
        ),  # CORS refused, middleware
    ]


def test_one_title_per_type_everywhere(client: TestClient, assert_problem: Problem) -> None:
    titles: dict[str, set[str]] = {}
    for response in _problems(client):
        body = assert_problem(response, response.status_code)
        titles.setdefault(body["type"], set()).add(body["title"])
    assert all(len(found) == 1 for found in titles.values()), titles
    # Starlette's 404 (no route) and the API's 404 (no record) are one type, "Not found".
    assert titles["/problems/not-found"] == {"Not found"}
    produced = {t.removeprefix("/problems/") for t in titles}
    assert produced == set(PROBLEM_TYPES) - {"internal-error", "service-unavailable"}


def test_every_problem_has_a_uri_reference_instance(
    client: TestClient, assert_problem: Problem
) -> None:
    for response in _problems(client):
        body = assert_problem(response, response.status_code)
        assert is_uri_reference(body["instance"]), body


@pytest.mark.parametrize(
    ("path", "params", "instance"),
    [
        ("/v1/projects/a b", None, "/v1/projects/a%20b"),
        ("/v1/projects/<x>", None, "/v1/projects/%3Cx%3E"),
        ("/v1/projects/施诗", None, "/v1/projects/%E6%96%BD%E8%AF%97"),
        ("/v1/projects", {"limit": "abc"}, "/v1/projects?limit=abc"),
        ("/v1/projects", {"q": "施 <x>", "limit": "0"}, None),
        ("/v1/no such", None, "/v1/no%20such"),
    ],
)
def test_instance_is_the_percent_encoded_path_and_query(
    client: TestClient,
    assert_problem: Problem,
    path: str,
    params: dict[str, str] | None,
    instance: str | None,
) -> None:
    response = client.get(path, params=params)
    body = assert_problem(response, response.status_code)
    assert response.status_code in (404, 422)
    if instance is not None:
        assert body["instance"] == instance
    target, _, query = body["instance"].partition("?")
    assert unquote(target) == path
    if params:
        assert query  # the query string is part of the instance


def test_instance_keeps_an_encoded_slash_in_its_segment(
    client: TestClient, assert_problem: Problem
) -> None:
    """`a%2Fb` is one path segment: the instance says so (the decoded `a/b` would name
    another resource)."""
    for sent in ("/v1/projects/a%2Fb", "/v1/nope/a%2Fb%3Fc"):
        body = assert_problem(client.get(sent), 404)
        assert body["instance"] == sent


def _raw(app: Any, path: bytes, query: bytes = b"") -> dict[str, Any]:
    """A GET sent straight through ASGI with bytes no HTTP client would send unencoded."""
    import json

    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path.decode("utf-8"),
        "raw_path": path,
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    anyio.run(app, scope, receive, send)
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return dict(json.loads(body))


@pytest.mark.parametrize(
    ("path", "query"),
    [
        (b"/v1/projects/<x>", b""),
        (b"/v1/projects/a b", b""),
        ("/v1/projects/施诗".encode(), b""),
        (b"/v1/projects", "q=<x> 施&limit=0".encode()),
        (b"/v1/projects", b"q=\xff\xfe"),  # not UTF-8: a 400 from the middleware
        (b"/v1/projects", b"limit=%ZZ&q=50%"),  # stray percent signs
        (b"/v1/projects", b"limit=x#y|z^`{}"),
        (b"/v1/projects/" + b"a" * 600, b""),  # a 414 from the middleware
    ],
)
def test_raw_requests_get_a_uri_reference_instance(
    client: TestClient, path: bytes, query: bytes
) -> None:
    body = _raw(client.app, path, query)
    assert body["status"] in (400, 404, 414, 422), body
    assert is_uri_reference(body["instance"]), body


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/v1/projects?date_basis=nope", ["stated", "relative", "publication", "inferred"]),
        ("/v1/projects?format=xml", ["json", "csv", "geojson"]),
        ("/v1/people?format=xml", ["json", "csv"]),
        ("/v1/projects/x?format=xml", ["json", "csv", "geojson"]),
    ],
)
def test_a_value_outside_a_fixed_list_names_the_allowed_ones(
    client: TestClient, url: str, allowed: list[str]
) -> None:
    # As a vocabulary refusal does (sector=energy): the `allowed` member lists them.
    body = client.get(url).json()
    assert body["status"] == 422 and body["allowed"] == allowed, body


def test_the_timeline_collection_refusal_lists_the_timeline_collections(
    client: TestClient,
) -> None:
    from app.registry import COLLECTIONS

    body = client.get("/v1/timeline?collection=nope").json()
    assert body["allowed"] == [c.path for c in COLLECTIONS if c.timeline is not None]
    # A refusal that is no choice among values has no `allowed`.
    assert "allowed" not in client.get("/v1/projects?limit=many").json()
