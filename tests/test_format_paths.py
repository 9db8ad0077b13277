"""Each representation besides JSON at a path of its own, Datasette's way: `/v1/projects.csv`,
`/v1/places.geojson`, `/v1/projects/{id}.geojson`, `/v1/search.csv`, ... answer the bytes
of `?format=csv` / `?format=geojson` on the negotiating path, with the same parameters,
headers and caching; `format` itself is refused there, and the extension decides whatever
the Accept header says. The collections' paths follow the registry."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from app.registry import COLLECTIONS, Collection
from tests.conftest import sql_statements

Problem = Callable[..., dict[str, Any]]
# Headers that name the URL they answer (ETag: a validator per resource) and so differ.
PER_URL = {"etag", "link"}


def _same_answer(
    client: TestClient, path: str, negotiated: str, fmt: str, params: list[tuple[str, str]]
) -> Any:
    """Assert `path` answers `params` as `negotiated` answers them with `format=fmt`:
    status, body and every header but those naming the URL; the Link header names the
    same pages at its own path. The response of `path`."""
    query = urlencode(params)
    mine = client.get(f"{path}?{query}" if query else path)
    theirs = client.get(f"{negotiated}?{urlencode([('format', fmt), *params])}")
    assert mine.status_code == theirs.status_code == 200, (path, params, mine.text[:300])
    assert mine.content == theirs.content, (path, params)
    ours = {k: v for k, v in mine.headers.items() if k not in PER_URL}
    assert ours == {k: v for k, v in theirs.headers.items() if k not in PER_URL}, path
    assert ("link" in mine.headers) == ("link" in theirs.headers), path
    if "link" in mine.headers:
        expected = theirs.headers["link"].replace(f"<{negotiated}?format={fmt}&", f"<{path}?")
        assert mine.headers["link"] == expected, path
    return mine


def _list_params(collection: Collection) -> list[list[tuple[str, str]]]:
    """Parameters of a list: none, paging, a sort, a facet, a cursor and each filter example."""
    sortable = list(collection.spec.sortable)
    params: list[list[tuple[str, str]]] = [
        [],
        [("limit", "2")],
        [("limit", "2"), ("offset", "1")],
        [("sort", f"-{sortable[0]}"), ("limit", "3")],
        [("after", ""), ("limit", "2")],
    ]
    for name, field in collection.query.model_fields.items():
        if name in ("limit", "offset", "after", "format", "sort", "facet"):
            continue
        for example in field.examples or []:
            value = example[0] if isinstance(example, list) else example
            params.append([(name, str(value).lower() if isinstance(value, bool) else str(value))])
    return params


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.path)
def test_a_list_per_format_is_the_negotiated_answer(
    client: TestClient, collection: Collection
) -> None:
    negotiated = f"/v1/{collection.path}"
    for fmt in collection.formats:
        for params in _list_params(collection):
            _same_answer(client, f"{negotiated}.{fmt}", negotiated, fmt, params)
        # Follow its own Link to the end: every page at the path of its format.
        total = client.get(negotiated, params={"limit": 1}).json()["total"]
        url: str | None = f"{negotiated}.{fmt}?after=&limit=2"
        pages = 0
        while url is not None:
            response = client.get(url)
            assert response.status_code == 200 and url.startswith(f"{negotiated}.{fmt}?"), url
            link = response.links.get("next")
            url = link["url"].removeprefix("http://testserver") if link else None
            pages += 1
        assert pages == max(1, -(-total // 2)), (collection.path, fmt, total, pages)


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.path)
def test_an_item_per_format_is_the_negotiated_answer(
    client: TestClient, assert_problem: Problem, collection: Collection
) -> None:
    ids = [item["id"] for item in client.get(f"/v1/{collection.path}?limit=2").json()["items"]]
    for record_id in ids:
        negotiated = f"/v1/{collection.path}/{record_id}"
        for fmt in collection.formats:
            _same_answer(client, f"{negotiated}.{fmt}", negotiated, fmt, [])
    for fmt in collection.formats:
        missing = assert_problem(client.get(f"/v1/{collection.path}/no-such-record.{fmt}"), 404)
        assert "no-such-record" in missing["detail"]
        assert_problem(client.get(f"/v1/{collection.path}/Not_A_Slug.{fmt}"), 422)
    if "geojson" not in collection.formats:  # no coordinates: no GeoJSON path
        assert_problem(client.get(f"/v1/{collection.path}.geojson"), 404)
        assert client.get(f"/v1/{collection.path}/{ids[0]}.geojson").status_code in (404, 422)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/search", [("q", "wind"), ("limit", "3")]),
        ("/v1/search", [("q", "Xi'an OR Astana"), ("collection", "events")]),
        ("/v1/timeline", [("limit", "5"), ("collection", "awards")]),
        ("/v1/timeline", [("after", ""), ("limit", "2")]),
        ("/v1/sources/sfc-2023-zhang-xiao/records", [("limit", "2")]),
        ("/v1/trade-stats/series", [("metric", "trade_turnover")]),
        ("/v1/trade-stats/series", [("metric", "trade_turnover"), ("pair", "CN-KZ")]),
    ],
)
def test_the_other_lists_as_csv_are_the_negotiated_answer(
    client: TestClient, path: str, params: list[tuple[str, str]]
) -> None:
    response = _same_answer(client, f"{path}.csv", path, "csv", params)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.text.count("\r\n") >= 2  # a header row and at least one record


def test_the_path_names_the_format_whatever_accept_says(client: TestClient) -> None:
    """Like a file's extension: no negotiation, so no 406 either."""
    csv = client.get("/v1/projects.csv", params={"limit": 2})
    for accept in ("application/json", "application/geo+json", "image/png", "text/csv"):
        answer = client.get("/v1/projects.csv", params={"limit": 2}, headers={"Accept": accept})
        assert answer.status_code == 200 and answer.content == csv.content, accept
        assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    geo = client.get("/v1/places/astana.geojson", headers={"Accept": "text/csv"})
    assert geo.headers["content-type"] == "application/geo+json"
    assert geo.json()["type"] == "Feature"


@pytest.mark.parametrize(
    "url",
    [
        "/v1/projects.csv?format=csv",
        "/v1/projects.csv?format=json",
        "/v1/places.geojson?format=geojson",
        "/v1/projects/zhanatas-wind-farm.csv?format=csv",
        "/v1/search.csv?q=wind&format=csv",
        "/v1/timeline.csv?format=csv",
        "/v1/trade-stats/series.csv?metric=trade_turnover&format=json",
        "/v1/sources/sfc-2023-zhang-xiao/records.csv?format=csv",
    ],
)
def test_format_is_refused_where_the_path_names_it(
    client: TestClient, assert_problem: Problem, url: str
) -> None:
    body = assert_problem(client.get(url), 422)
    assert [error["loc"] for error in body["errors"]] == [["query", "format"]], body


@pytest.mark.parametrize(
    "url",
    [
        "/v1/projects.csv?sector=energy",
        "/v1/projects.csv?sort=bogus",
        "/v1/projects.csv?limit=0",
        "/v1/projects.csv?limit=1&limit=2",
        "/v1/projects.csv?bogus=1",
        "/v1/projects.csv?pair=xxxx",
        "/v1/places.geojson?after=Not_A_Cursor",
        "/v1/search.csv",
        "/v1/search.csv?q=wind&facet=collection",
        "/v1/trade-stats/series.csv",
        "/v1/trade-stats/series.csv?metric=nope",
    ],
)
def test_refusals_are_the_negotiated_ones(
    client: TestClient, assert_problem: Problem, url: str
) -> None:
    """A wrong parameter is refused as the negotiating path refuses it, in the same words."""
    path, _, query = url.partition("?")
    base = path.rsplit(".", 1)[0]
    negotiated = f"{base}?format={path.rsplit('.', 1)[1]}" + (f"&{query}" if query else "")
    mine = assert_problem(client.get(url), 422)
    theirs = assert_problem(client.get(negotiated), 422)
    assert mine["detail"] == theirs["detail"], (url, mine, theirs)


@pytest.mark.parametrize(
    "url", ["/v1/projects.csv?facet=sector", "/v1/places.geojson?facet=country"]
)
def test_a_path_per_format_takes_no_facet(
    client: TestClient, assert_problem: Problem, url: str
) -> None:
    """Facet counts live in the JSON envelope: a CSV or GeoJSON path does not declare `facet`
    and refuses it, before any SQL (issue 9's `facet=...&format=csv`). The negotiating path,
    whose schema allows both together, answers the CSV without counts (issue 11: every
    schema-valid request means something)."""
    with sql_statements(client) as seen:
        body = assert_problem(client.get(url), 422)
    assert seen == []
    assert "facet" in body["detail"]


def test_the_series_csv_is_not_taken_for_a_trade_statistic(client: TestClient) -> None:
    answer = client.get("/v1/trade-stats/series.csv", params={"metric": "trade_turnover"})
    assert answer.status_code == 200
    assert answer.text.startswith("id,period_start,")


def test_caching_per_path_of_a_format(client: TestClient) -> None:
    """A strong ETag of its own (it names another resource), a 304 to If-None-Match, a 412
    to a failing If-Match, HEAD without a body, and its own gzip ETag."""
    url = "/v1/projects.csv?limit=3"
    first = client.get(url)
    etag = first.headers["etag"]
    assert etag != client.get("/v1/projects?format=csv&limit=3").headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Match": '"other"'}).status_code == 412
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == etag
    gzip = client.get("/v1/projects.csv", headers={"Accept-Encoding": "gzip"})
    assert gzip.headers["content-encoding"] == "gzip"
    assert gzip.headers["etag"].endswith('-gzip"')
    assert gzip.content == client.get("/v1/projects?format=csv").content
