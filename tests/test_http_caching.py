"""HTTP caching (ETag, Cache-Control, Vary, 304), HEAD, and CORS."""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.response_cache import ResponseStore
from app.config import Settings
from app.loader.build import build
from tests.conftest import COLLECTION_KEYS

Records = dict[str, list[dict[str, Any]]]
ETAG = re.compile(r'^(W/)?"[^"]+"$')


@pytest.fixture(scope="module")
def get_paths(dataset: Records) -> list[str]:
    """A GET path of every kind: each list, one item of each collection, and the others."""
    paths = [f"/v1/{name}" for name in COLLECTION_KEYS]
    paths += [f"/v1/{name}/{dataset[name][0]['id']}" for name in COLLECTION_KEYS]
    source = dataset["sources"][0]["id"]
    paths += [
        f"/v1/sources/{source}/text",
        f"/v1/sources/{source}/records",
        "/v1/meta",
        "/v1/trade-stats/series?metric=trade_turnover",
        "/v1/disagreements",
        "/v1/projects?format=csv",
        "/v1/places?format=geojson",
    ]
    paths.append("/v1/search?q=Kazakhstan")
    return paths


def _max_age(cache_control: str) -> int:
    match = re.search(r"(?:^|[,\s])max-age=(\d+)", cache_control)
    assert match, cache_control
    return int(match.group(1))


def _vary(response: Any) -> set[str]:
    return {part.strip().lower() for part in response.headers.get("vary", "").split(",")}


def test_every_get_has_validators_and_caching_headers(
    client: TestClient, get_paths: list[str], settings: Settings
) -> None:
    for path in get_paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
        assert ETAG.match(response.headers.get("etag", "")), (path, response.headers)
        assert _max_age(response.headers["cache-control"]) == settings.cache_max_age, path
        assert "accept" in _vary(response), (path, response.headers.get("vary"))


def test_if_none_match_gives_304_with_the_same_etag(
    client: TestClient, get_paths: list[str]
) -> None:
    for path in get_paths:
        first = client.get(path)
        etag = first.headers["etag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.content == b"", path
        assert again.headers["etag"] == etag, path
        assert "accept" in _vary(again), path
        assert _max_age(again.headers["cache-control"]) == _max_age(first.headers["cache-control"])


def test_if_none_match_forms(client: TestClient) -> None:
    path = "/v1/projects"
    etag = client.get(path).headers["etag"]
    assert client.get(path, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert client.get(path, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": "*"}).status_code == 304
    stale = client.get(path, headers={"If-None-Match": '"not-the-etag"'})
    assert stale.status_code == 200
    assert stale.json()["items"]


def test_etag_names_one_representation(client: TestClient, dataset: Records) -> None:
    """Other URL, other query or other Accept: another ETag; the same request: the same one."""
    first, second = (record["id"] for record in dataset["projects"][:2])
    etags = {
        "list": client.get("/v1/projects").headers["etag"],
        "list again": client.get("/v1/projects").headers["etag"],
        "csv by accept": client.get("/v1/projects", headers={"Accept": "text/csv"}).headers["etag"],
        "csv by format": client.get("/v1/projects?format=csv").headers["etag"],
        "page 2": client.get("/v1/projects?limit=2&offset=2").headers["etag"],
        "item 1": client.get(f"/v1/projects/{first}").headers["etag"],
        "item 2": client.get(f"/v1/projects/{second}").headers["etag"],
    }
    assert etags["list"] == etags["list again"]
    del etags["list again"]
    assert len(set(etags.values())) == len(etags), etags


def test_csv_etag_does_not_validate_json(client: TestClient) -> None:
    csv_etag = client.get("/v1/places", headers={"Accept": "text/csv"}).headers["etag"]
    response = client.get("/v1/places", headers={"If-None-Match": csv_etag})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


def test_errors_are_not_given_an_etag(client: TestClient) -> None:
    response = client.get("/v1/projects/no-such-project")
    assert response.status_code == 404
    assert "etag" not in response.headers
    again = client.get("/v1/projects/no-such-project", headers={"If-None-Match": "*"})
    assert again.status_code == 404


def test_etags_change_with_the_dataset_version(
    client: TestClient,
    make_client: Callable[..., TestClient],
    change_description: Callable[[Path, str, str], None],
    data_copy: Path,
    dataset: Records,
    new_database_url: Callable[[], str],
) -> None:
    project = dataset["projects"][0]["id"]
    new_description = "A changed description, for the caching test."
    change_description(data_copy / "projects.yaml", project, new_description)
    url = new_database_url()
    build(url, data_copy)
    changed = make_client(database_url=url)

    old_meta, new_meta = client.get("/v1/meta"), changed.get("/v1/meta")
    assert old_meta.json()["dataset_version"] != new_meta.json()["dataset_version"]
    assert changed.get(f"/v1/projects/{project}").json()["description"] == new_description

    untouched_person = dataset["people"][0]["id"]
    for path in (
        "/v1/meta",
        "/v1/projects",
        f"/v1/projects/{project}",
        f"/v1/people/{untouched_person}",
        "/v1/projects?format=csv",
    ):
        old_etag = client.get(path).headers["etag"]
        new_etag = changed.get(path).headers["etag"]
        assert old_etag != new_etag, path
        # A client holding the old validator gets the new representation, not a 304.
        answer = changed.get(path, headers={"If-None-Match": old_etag})
        assert answer.status_code == 200, path
        assert answer.headers["etag"] == new_etag


def test_head_is_get_without_a_body(client: TestClient, get_paths: list[str]) -> None:
    for path in get_paths:
        for encoding in ("gzip", "identity"):
            headers = {"Accept-Encoding": encoding}
            got = client.get(path, headers=headers)
            head = client.head(path, headers=headers)
            assert head.status_code == 200, path
            assert head.content == b"", path
            assert head.headers["etag"] == got.headers["etag"], path
            assert head.headers["content-type"] == got.headers["content-type"], path
            assert head.headers.get("content-encoding") == got.headers.get("content-encoding")
            assert head.headers["content-length"] == got.headers["content-length"], path
    etag = client.get("/v1/meta").headers["etag"]
    assert client.head("/v1/meta", headers={"If-None-Match": etag}).status_code == 304
    assert client.head("/v1/projects/no-such-project").status_code == 404


@pytest.mark.parametrize(
    "path", ["/healthz", "/readyz", "/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"]
)
def test_head_on_every_get_route_outside_v1(client: TestClient, path: str) -> None:
    got = client.get(path)
    assert got.status_code == 200, path
    head = client.head(path)
    assert head.status_code == 200, (path, head.text)
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]


def test_every_get_route_answers_head(client: TestClient, dataset: Records) -> None:
    """Each GET operation of the OpenAPI document (its id filled in) answers HEAD like GET."""
    paths = [p for p, ops in client.get("/openapi.json").json()["paths"].items() if "get" in ops]
    assert len(paths) > 20
    for template in paths:
        collection = template.split("/")[2] if template.startswith("/v1/") else ""
        path = template
        if "{id}" in template:
            records = dataset.get(collection) or client.get(f"/v1/{collection}").json()["items"]
            path = template.replace("{id}", records[0]["id"])
        base = path.removesuffix(".csv")  # a path per format takes its list's parameters
        if base == "/v1/search":
            path += "?q=wind"
        if base.endswith("/series"):
            path += "?metric=trade_turnover"
        got, head = client.get(path), client.head(path)
        assert got.status_code == 200, (path, got.text)
        assert head.status_code == 200, (path, head.text)
        assert head.content == b"", path
        assert head.headers.get("etag") == got.headers.get("etag"), path


def test_405_allows_get_and_head(
    client: TestClient, assert_problem: Callable[..., dict[str, Any]]
) -> None:
    for path in ("/v1/projects", "/healthz", "/v1/meta"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            response = client.request(method, path)
            assert_problem(response, 405)
            assert response.headers["allow"] == "GET, HEAD", (method, path)


# ------------------------------------------------------------------------------------------ gzip


def test_gzip_when_asked_for_answers_over_1_kb(client: TestClient) -> None:
    big = client.get("/v1/projects?limit=50", headers={"Accept-Encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip"
    assert int(big.headers["content-length"]) < len(big.content) / 3
    assert {"accept", "accept-encoding"} <= _vary(big)
    plain = client.get("/v1/projects?limit=50", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(plain.content)
    assert plain.content == big.content  # httpx decompressed it
    assert {"accept", "accept-encoding"} <= _vary(plain)
    # Small answers are not worth compressing; they still say what they vary on.
    small = client.get("/v1/meta", headers={"Accept-Encoding": "gzip"})
    assert len(small.content) < 1024
    assert "content-encoding" not in small.headers
    assert "accept-encoding" in _vary(small)


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("GZIP", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0, *", False),
        ("*;q=0", False),
        ("br;q=1, *;q=0.1", True),
        ("deflate", False),
        ("identity", False),
        ("", False),
    ],
)
def test_gzip_follows_accept_encoding_q_values(
    client: TestClient, accept_encoding: str, gzipped: bool
) -> None:
    response = client.get("/v1/projects", headers={"Accept-Encoding": accept_encoding})
    assert response.status_code == 200
    assert (response.headers.get("content-encoding") == "gzip") is gzipped


def test_each_encoding_has_its_own_etag_and_cached_bytes(client: TestClient) -> None:
    path = "/v1/places?limit=40"
    first = client.get(path, headers={"Accept-Encoding": "gzip"})
    again = client.get(path, headers={"Accept-Encoding": "gzip"})
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert first.headers["etag"] == again.headers["etag"] != plain.headers["etag"]
    assert first.headers["content-length"] == again.headers["content-length"]
    # The cache keeps the compressed bytes: the second answer comes from it, gzipped.
    cache = _response_cache(client)
    stored = [e for k, e in cache.entries.items() if k[1] == "/v1/places" and k[-1] == "gzip"]
    assert stored and all(_is_gzip(e.body) for e in stored if len(e.body) > 1024)
    # A validator of one coding does not validate the other.
    cross = client.get(
        path, headers={"Accept-Encoding": "identity", "If-None-Match": first.headers["etag"]}
    )
    assert cross.status_code == 200
    same = client.get(
        path, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["etag"]}
    )
    assert same.status_code == 304
    assert "accept-encoding" in _vary(same)


def _is_gzip(body: bytes) -> bool:
    return body[:2] == b"\x1f\x8b"


def test_gzip_outside_v1(client: TestClient) -> None:
    response = client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["openapi"]


# ------------------------------------------------------------------------ conditional requests


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/*, */*;q=0.1"])
def test_etag_follows_the_representation_not_the_accept_string(
    client: TestClient, accept: str | None
) -> None:
    plain = client.get("/v1/projects")
    headers = {"Accept": accept} if accept is not None else {}
    if accept is None:
        # httpx sends */* unless told otherwise; send no Accept at all.
        plain = client.get("/v1/projects", headers={"Accept": ""})
    response = client.get("/v1/projects", headers=headers)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["etag"] == plain.headers["etag"]
    csv = client.get("/v1/projects", headers={"Accept": "text/csv"})
    assert csv.headers["etag"] != response.headers["etag"]


def test_failing_if_match_is_412(
    client: TestClient, assert_problem: Callable[..., dict[str, Any]]
) -> None:
    path = "/v1/projects"
    etag = client.get(path).headers["etag"]
    assert client.get(path, headers={"If-Match": etag}).status_code == 200
    assert client.get(path, headers={"If-Match": f'"other", {etag}'}).status_code == 200
    assert client.get(path, headers={"If-Match": "*"}).status_code == 200
    for failing in ('"not-the-etag"', f"W/{etag}"):  # If-Match compares strongly
        body = assert_problem(client.get(path, headers={"If-Match": failing}), 412)
        assert body["instance"] == path
    # If-Match is evaluated first: a failing one wins over a matching If-None-Match.
    both = client.get(path, headers={"If-Match": '"x"', "If-None-Match": etag})
    assert both.status_code == 412
    assert client.head(path, headers={"If-Match": '"x"'}).status_code == 412
    # Routes without validators have no representation an entity tag can name.
    assert client.get("/healthz", headers={"If-Match": '"x"'}).status_code == 412
    assert client.get("/healthz", headers={"If-Match": "*"}).status_code == 200
    # Preconditions are ignored when the answer would not be a 2xx (RFC 9110 13.1).
    assert client.get("/v1/projects/no-such", headers={"If-Match": '"x"'}).status_code == 404
    # A cached answer is checked too.
    assert client.get(path, headers={"If-Match": '"x"'}).status_code == 412


# ------------------------------------------------------------------------------------------ CORS


def test_cors_allows_any_origin_by_default(client: TestClient) -> None:
    response = client.get("/v1/projects", headers={"Origin": "https://dashboard.example"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    exposed_header = response.headers["access-control-expose-headers"]
    exposed = {h.strip().lower() for h in exposed_header.split(",")}
    assert {"etag", "link"} <= exposed


def test_cors_preflight_for_get_succeeds(client: TestClient) -> None:
    response = client.options(
        "/v1/projects",
        headers={"Origin": "https://dashboard.example", "Access-Control-Request-Method": "GET"},
    )
    assert 200 <= response.status_code < 300
    assert response.headers["access-control-allow-origin"] == "*"
    methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
    assert "GET" in methods


def test_cors_with_an_allow_list(make_client: Callable[..., TestClient]) -> None:
    allowed, other = "https://allowed.example", "https://other.example"
    restricted = make_client(cors_origins=[allowed])
    # The same URL for both origins: the response cache must not carry one's CORS headers over.
    for _ in range(2):
        ok = restricted.get("/v1/meta", headers={"Origin": allowed})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == allowed
        refused = restricted.get("/v1/meta", headers={"Origin": other})
        assert "access-control-allow-origin" not in refused.headers

    preflight = {"Access-Control-Request-Method": "GET"}
    ok = restricted.options("/v1/meta", headers={"Origin": allowed, **preflight})
    assert 200 <= ok.status_code < 300
    assert ok.headers["access-control-allow-origin"] == allowed
    refused = restricted.options("/v1/meta", headers={"Origin": other, **preflight})
    assert not 200 <= refused.status_code < 300
    assert "access-control-allow-origin" not in refused.headers


def test_refused_preflight_is_a_problem(
    make_client: Callable[..., TestClient], assert_problem: Callable[..., dict[str, Any]]
) -> None:
    """The design: every 4xx is an RFC 9457 problem, a refused CORS preflight included."""
    restricted = make_client(cors_origins=["https://allowed.example"])
    response = restricted.options(
        "/v1/meta",
        headers={"Origin": "https://other.example", "Access-Control-Request-Method": "GET"},
    )
    assert_problem(response, response.status_code)
    assert 400 <= response.status_code < 500


def _response_cache(client: TestClient) -> ResponseStore:
    store: ResponseStore = client.app.state.response_store  # type: ignore[attr-defined]
    return store


def test_response_cache_is_bounded_in_bytes(make_client: Callable[..., TestClient]) -> None:
    limit = 200_000  # a single answer may take at most a sixteenth: 12,500 bytes
    client = make_client(response_cache_bytes=limit)
    sizes = []
    for offset in range(40):
        response = client.get(
            "/v1/quotes",
            params={"limit": 4, "offset": offset},
            headers={"Accept-Encoding": "identity"},
        )
        assert response.status_code == 200
        sizes.append(len(response.content))
    assert max(sizes) <= limit // 16, "every answer must be small enough to be cached"
    assert sum(sizes) > limit, "the answers must overflow the cache for this test to tell"
    cache = _response_cache(client)
    assert 0 < cache.size <= limit
    assert cache.size == sum(len(entry.body) for entry in cache.entries.values())
    assert len(cache.entries) < 40
    # The most recent answers stay; the oldest were evicted.
    last = client.get(
        "/v1/quotes", params={"limit": 20, "offset": 39}, headers={"If-None-Match": "*"}
    )
    assert last.status_code == 304
