"""The direct read path (app/api/direct_reads.py) answers byte for byte as the routes do.

Two apps on the same database, both without the response cache: one with direct reads (as
deployed), one with them off (every request through the FastAPI routes). Every collection's
lists (each sort, facet, format, filter example, cursor page) and items (each format, by
parameter, by Accept and by path: `/v1/projects.csv`), and a set of refusals, must get the
same status, headers and body from both; and a valid list or item must really be answered
by the direct path, never touching SQLAlchemy's execution.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from app.registry import COLLECTIONS, Collection
from tests.conftest import sql_statements

Request = tuple[str, dict[str, str]]  # URL (path and query), request headers


def _examples(collection: Collection) -> Iterator[tuple[str, Any]]:
    """Each filter of the collection's query model with its documented example value."""
    for name, field in collection.query.model_fields.items():
        if name in ("limit", "offset", "after", "format", "sort", "facet"):
            continue
        for example in field.examples or []:
            yield name, example


def list_requests(collection: Collection) -> list[Request]:
    """URLs of a collection's list, valid and invalid, with the Accept headers to send."""
    path = f"/v1/{collection.path}"
    formats = ["json", "csv", *(["geojson"] if collection.geometry is not None else [])]
    queries: list[Any] = [
        {},
        {"limit": 3},
        {"limit": 2, "offset": 1},
        {"offset": 100000},
        *({"format": fmt} for fmt in formats),
        *({"format": fmt, "limit": 2, "offset": 1} for fmt in formats),
        {"after": ""},
        {"after": "", "limit": 2},
        # Refusals: the direct path passes them to the routes, which word them.
        {"limit": 0},
        {"limit": "many"},
        {"limit": 100000},
        {"bogus": 1},
        {"sort": "bogus"},
        {"facet": "bogus"},
        {"format": "xml"},
        {"after": "not-a-cursor"},
        {"after": "", "offset": 2},
        [("limit", "2"), ("limit", "3")],
    ]
    if collection.geometry is None:
        queries.append({"format": "geojson"})
    for name in collection.spec.sortable:
        queries += [{"sort": name, "limit": 4}, {"sort": f"-{name}", "limit": 4}]
        queries.append({"sort": name, "after": "", "limit": 3})
    for name in [*collection.spec.facets, *(["source"] if collection.spec.cited else [])]:
        queries += [{"facet": name, "limit": 1}, {"facet": name, "format": "csv"}]
    for name, example in _examples(collection):
        value = example if not isinstance(example, list) else example[0]
        if isinstance(value, bool):
            value = str(value).lower()
        queries.append({name: value})
        queries.append({name: value, "format": "csv"})
        if isinstance(example, list):  # repeatable: any of the values
            queries.append([(name, value), (name, value), ("limit", "5")])
            queries.append([(name, value), (name, "zz-no-such-value")])
    requests: list[Request] = []
    for query in queries:
        url = f"{path}?{urlencode(query)}" if query else path
        requests.append((url, {}))
    # The paths per format (`/v1/projects.csv`): paging, a cursor, a sort, a filter, and
    # refusals (`format` among them).
    sortable = next(iter(collection.spec.sortable))
    filters = [{name: example[0] if isinstance(example, list) else example}
               for name, example in _examples(collection)][:1]  # fmt: skip
    for fmt in collection.formats:
        for query in [
            {},
            {"limit": 2, "offset": 1},
            {"after": "", "limit": 2},
            {"sort": f"-{sortable}", "limit": 3},
            *filters,
            {"format": fmt},
            {"bogus": 1},
            {"sort": "bogus"},
            [("limit", "2"), ("limit", "3")],
        ]:
            url = f"{path}.{fmt}?{urlencode(query)}" if query else f"{path}.{fmt}"
            requests.append((url, {}))
        requests.append((f"{path}.{fmt}", {"accept": "application/json"}))
    requests.append((f"{path}.xml", {}))
    requests += [
        (path, {"accept": "text/csv"}),
        (path, {"accept": "application/geo+json"}),
        (path, {"accept": "text/html"}),
        (path, {"accept": "*/*"}),
        (f"{path}?limit=2", {"accept-encoding": "gzip"}),
    ]
    return requests


def item_requests(collection: Collection, ids: list[str]) -> list[Request]:
    """URLs of a collection's items (known and unknown ids), each format and Accept."""
    path = f"/v1/{collection.path}"
    requests: list[Request] = []
    for record_id in [*ids, "no-such-record", "Not_A_Slug"]:
        url = f"{path}/{record_id}"
        requests += [
            (url, {}),
            (f"{url}?format=json", {}),
            (f"{url}?format=csv", {}),
            (f"{url}?format=geojson", {}),
            (f"{url}?format=xml", {}),
            (f"{url}?bogus=1", {}),
            (f"{url}?format=csv&format=json", {}),
            (url, {"accept": "text/csv"}),
            (url, {"accept": "application/geo+json"}),
            (url, {"accept": "image/png"}),
        ]
    # The paths per format (`/v1/projects/{id}.csv`), of a record and of none.
    for record_id in [ids[0], "no-such-record"]:
        url = f"{path}/{record_id}"
        requests += [
            (f"{url}.csv", {}),
            (f"{url}.geojson", {}),
            (f"{url}.csv?format=csv", {}),
            (f"{url}.csv?bogus=1", {}),
            (f"{url}.csv", {"accept": "application/geo+json"}),
            (f"{url}.xml", {}),
            (f"{url}.", {}),
            (f"{url}.csv.csv", {}),
        ]
    return requests


@pytest.fixture(scope="module")
def both(
    make_module_client: Callable[..., TestClient],
) -> tuple[TestClient, TestClient]:
    direct = make_module_client(response_cache_entries=0, direct_reads=True)
    routed = make_module_client(response_cache_entries=0, direct_reads=False)
    return direct, routed


@contextmanager
def executions(client: TestClient) -> Iterator[dict[str, int]]:
    """How many statements SQLAlchemy executes and how many compiled ones run directly."""
    counts = {"sqlalchemy": 0, "compiled": 0}
    with sql_statements(client) as seen:
        yield counts
    for how, _ in seen:
        counts[how] += 1


def _same(direct: TestClient, routed: TestClient, url: str, headers: dict[str, str]) -> int:
    """Assert both apps answer `url` alike; the status."""
    mine, theirs = direct.get(url, headers=headers), routed.get(url, headers=headers)
    assert mine.status_code == theirs.status_code, (url, headers, mine.text, theirs.text)
    assert mine.content == theirs.content, (url, headers)
    assert mine.headers.multi_items() == theirs.headers.multi_items(), (url, headers)
    return mine.status_code


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.path)
def test_lists_answer_as_the_routes_do(
    both: tuple[TestClient, TestClient], collection: Collection
) -> None:
    direct, routed = both
    statuses = {_same(direct, routed, url, headers) for url, headers in list_requests(collection)}
    assert {200, 406, 422} <= statuses
    # Follow a keyset cursor to the end: every page alike, two records a page.
    total = direct.get(f"/v1/{collection.path}?limit=1").json()["total"]
    url: str | None = f"/v1/{collection.path}?after=&limit=2"
    pages = 0
    while url is not None:
        assert _same(direct, routed, url, {}) == 200
        link = direct.get(url).links.get("next")
        url = link["url"].removeprefix("http://testserver") if link else None
        pages += 1
    assert pages == max(1, -(-total // 2)), (total, pages)
    # And with every sort field (nulls included), and several: the cursor names a record.
    names = list(collection.spec.sortable)
    for sort in [*names, *(f"-{name}" for name in names), f"{names[-1]},-{names[0]}"]:
        url = f"/v1/{collection.path}?after=&limit=25&sort={sort}"
        while url is not None:
            assert _same(direct, routed, url, {}) == 200
            link = direct.get(url).links.get("next")
            url = link["url"].removeprefix("http://testserver") if link else None


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.path)
def test_items_answer_as_the_routes_do(
    both: tuple[TestClient, TestClient], collection: Collection
) -> None:
    direct, routed = both
    ids = [item["id"] for item in direct.get(f"/v1/{collection.path}?limit=3").json()["items"]]
    assert ids
    statuses = {
        _same(direct, routed, url, headers) for url, headers in item_requests(collection, ids)
    }
    assert {200, 404, 406, 422} <= statuses


@pytest.mark.sqlite  # the direct path reads SQLite files only, for now
@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.path)
def test_sqlite_valid_reads_take_the_direct_path(
    both: tuple[TestClient, TestClient], collection: Collection
) -> None:
    direct, routed = both
    record_id = direct.get(f"/v1/{collection.path}?limit=1").json()["items"][0]["id"]
    names = list(collection.spec.sortable)
    for url in (
        f"/v1/{collection.path}",
        f"/v1/{collection.path}?format=csv",
        f"/v1/{collection.path}?after=&limit=2",
        f"/v1/{collection.path}?after={record_id}&sort={names[-1]},-{names[0]}&offset=1",
        f"/v1/{collection.path}?sort={names[0]}&sort=-{names[-1]}",
        f"/v1/{collection.path}/{record_id}",
        *(f"/v1/{collection.path}.{fmt}?limit=3" for fmt in collection.formats),
        *(f"/v1/{collection.path}/{record_id}.{fmt}" for fmt in collection.formats),
    ):
        with executions(direct) as counts:
            assert direct.get(url).status_code == 200
        assert counts == {"sqlalchemy": 0, "compiled": counts["compiled"]}, url
        assert counts["compiled"] >= 1, url
        # Off, the same request goes through the routes and their session.
        with executions(routed) as counts:
            assert routed.get(url).status_code == 200
        assert counts["sqlalchemy"] >= 1, url


@pytest.mark.postgres
def test_postgres_reads_go_through_the_routes(both: tuple[TestClient, TestClient]) -> None:
    """On PostgreSQL the direct path steps aside (it reads SQLite files only, for now): with
    it on, lists and items are answered by the routes, each in its own snapshot."""
    direct, _ = both
    for url in ("/v1/projects", "/v1/projects?format=csv", "/v1/projects/zhanatas-wind-farm"):
        with executions(direct) as counts:
            assert direct.get(url).status_code == 200
        assert counts["sqlalchemy"] >= 1, url


def test_a_route_beside_an_item_path_is_not_taken_for_an_item(
    both: tuple[TestClient, TestClient],
) -> None:
    direct, routed = both
    url = "/v1/trade-stats/series?metric=trade_turnover"
    assert _same(direct, routed, url, {}) == 200
    # The series, not a "no trade statistic with id 'series'" 404.
    assert direct.get(url).json()["metric"] == "trade_turnover"
    url = "/v1/trade-stats/series.csv?metric=trade_turnover"
    assert _same(direct, routed, url, {}) == 200
    assert direct.get(url).text.startswith("id,period_start,")
