"""The fast path (app/api/fast_path.py) answers byte for byte as the middleware stack does.

Two apps on the same database, each with the response cache and direct reads on: one with the
fast path (as deployed), one without. For every collection's lists and items (valid ones and
refusals), each request is sent in the order a client meets the cache: a first GET (not kept
yet), the same GET again (kept), a HEAD, If-None-Match with the answer's ETag (304), a failing
If-Match (412), the same with an Origin (CORS), and with and without gzip. Both apps must give
the same status, headers and body at every step. Then with the response cache off.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api import middleware
from app.registry import COLLECTIONS, Collection
from tests.test_direct_reads import item_requests, list_requests

IDENTITY = {"accept-encoding": "identity"}
GZIP = {"accept-encoding": "gzip"}


@pytest.fixture(scope="module")
def cached(make_module_client: Callable[..., TestClient]) -> tuple[TestClient, TestClient]:
    return make_module_client(fast_path=True), make_module_client(fast_path=False)


@pytest.fixture(scope="module")
def uncached(make_module_client: Callable[..., TestClient]) -> tuple[TestClient, TestClient]:
    return (
        make_module_client(fast_path=True, response_cache_entries=0),
        make_module_client(fast_path=False, response_cache_entries=0),
    )


def _steps(headers: dict[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
    """The requests a client sends for one URL, in order (method, headers); ETag-dependent
    ones are filled in from the first answer."""
    plain = {**headers, **IDENTITY}
    yield "GET", plain  # not kept yet
    yield "GET", plain  # kept
    yield "HEAD", plain
    yield "GET", {**plain, "if-none-match": "{etag}"}
    yield "HEAD", {**plain, "if-none-match": '"other", {etag}'}
    yield "GET", {**plain, "if-match": '"not-this-one"'}
    yield "GET", {**plain, "if-match": "{etag}"}
    yield "GET", {**plain, "origin": "https://dashboard.example"}
    # A gzip answer is kept by the stack and replayed by the fast path.
    yield "GET", {**headers, **GZIP}
    yield "GET", {**headers, **GZIP}
    yield "GET", {**headers, **GZIP, "if-none-match": "{etag}"}


def _same(fast: TestClient, stack: TestClient, url: str, headers: dict[str, str]) -> set[int]:
    """Assert both apps answer every step for `url` alike; the statuses."""
    statuses = set()
    etag = ""
    for method, step in _steps(headers):
        sent = {name: value.replace("{etag}", etag) for name, value in step.items()}
        mine = fast.request(method, url, headers=sent)
        theirs = stack.request(method, url, headers=sent)
        where = (method, url, sent)
        assert mine.status_code == theirs.status_code, (where, mine.text, theirs.text)
        assert mine.headers.multi_items() == theirs.headers.multi_items(), where
        assert mine.content == theirs.content, where
        etag = etag or mine.headers.get("etag", '"none"')
        statuses.add(mine.status_code)
    return statuses


def _requests(collection: Collection, client: TestClient) -> list[tuple[str, dict[str, str]]]:
    ids = [item["id"] for item in client.get(f"/v1/{collection.path}?limit=2").json()["items"]]
    return [*list_requests(collection), *item_requests(collection, ids)]


def _statuses(apps: tuple[TestClient, TestClient], collection: Collection) -> set[int]:
    """Assert both apps answer every request for `collection` alike; the statuses seen."""
    fast, stack = apps
    statuses: set[int] = set()
    for url, headers in _requests(collection, fast):
        statuses |= _same(fast, stack, url, headers)
    return statuses


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.path)
def test_collections_answer_as_the_stack_does(
    cached: tuple[TestClient, TestClient], collection: Collection
) -> None:
    assert {200, 304, 404, 406, 412, 422} <= _statuses(cached, collection)


@pytest.mark.parametrize("collection", COLLECTIONS[:3], ids=lambda c: c.path)
def test_without_the_response_cache_too(
    uncached: tuple[TestClient, TestClient], collection: Collection
) -> None:
    assert {200, 404, 412, 422} <= _statuses(uncached, collection)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/v1",
        "/v1/meta",
        "/v1/search?q=wind",
        "/v1/timeline?limit=5",
        "/v1/trade-stats/series?metric=trade_turnover",
        "/v1/sources",
        "/v1/projects?limit=5000&format=csv",  # streamed by the stack, kept in one piece
        "/v1/projects?" + "x=1&" * 3000,  # over the request limits
        "/v1/projects?q=%ff",  # not UTF-8
        "/healthz",
        "/openapi.json",
    ],
)
def test_other_paths_answer_as_the_stack_does(
    cached: tuple[TestClient, TestClient], url: str
) -> None:
    fast, stack = cached
    assert _same(fast, stack, url, {}) & {200, 400, 414, 422}


class _Counted:
    """Counts the requests that reach the security headers middleware (below the fast path)."""

    calls = 0

    def __init__(self, original: Any) -> None:
        self.original = original

    def __call__(self, instance: Any, *args: Any) -> Any:
        type(self).calls += 1
        return self.original(instance, *args)


def test_plain_reads_are_answered_before_the_stack(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = _Counted(middleware.SecurityHeaders.__call__)
    monkeypatch.setattr(middleware.SecurityHeaders, "__call__", lambda self, *a: counted(self, *a))
    client = make_client()
    _Counted.calls = 0
    client.get("/healthz")  # through the stack: it is not a dataset answer
    assert _Counted.calls == 1
    sqlite = client.app.state.database.path is not None  # type: ignore[attr-defined]
    # A collection read without gzip: read, kept and sent by the fast path (SQLite: on
    # PostgreSQL the direct reader steps aside, so the stack reads it).
    first = client.get("/v1/projects?limit=3", headers=IDENTITY)
    assert first.status_code == 200
    assert _Counted.calls == (1 if sqlite else 2)
    # Kept: replayed by the fast path, GET and HEAD, conditional or not, any engine.
    before = _Counted.calls
    assert client.get("/v1/projects?limit=3", headers=IDENTITY).content == first.content
    assert client.head("/v1/projects?limit=3", headers=IDENTITY).content == b""
    etag = first.headers["etag"]
    not_modified = client.get("/v1/projects?limit=3", headers={**IDENTITY, "if-none-match": etag})
    assert not_modified.status_code == 304
    assert _Counted.calls == before
    # An Origin goes down the stack (CORS answers it).
    client.get("/v1/projects?limit=3", headers={**IDENTITY, "origin": "https://x.example"})
    assert _Counted.calls == before + 1


def test_off_every_request_goes_through_the_stack(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = _Counted(middleware.SecurityHeaders.__call__)
    monkeypatch.setattr(middleware.SecurityHeaders, "__call__", lambda self, *a: counted(self, *a))
    client = make_client(fast_path=False)
    _Counted.calls = 0
    for _ in range(3):
        assert client.get("/v1/projects?limit=3", headers=IDENTITY).status_code == 200
    assert _Counted.calls == 3
