"""Keyset pagination (`after`) walks a list in the same order as offsets, with no gaps."""

import pytest
from fastapi.testclient import TestClient

from app.registry import COLLECTIONS as REGISTRY_COLLECTIONS

CASES = [
    ("quotes", "-date"),
    ("quotes", "date"),
    ("quotes", None),
    ("projects", "-completion_date"),
    ("events", "date"),
    ("places", "name"),
]


def _walk(client: TestClient, collection: str, sort: str | None, size: int) -> list[str]:
    params: dict[str, str | int] = {"limit": size, "after": ""}
    if sort:
        params["sort"] = sort
    response = client.get(f"/v1/{collection}", params=params)
    seen: list[str] = []
    while True:
        assert response.status_code == 200, response.text
        items = [item["id"] for item in response.json()["items"]]
        assert items or not seen, "a next link led to an empty page"
        seen += items
        link = response.headers.get("link")
        if not link:
            return seen
        assert 'rel="next"' in link and "after=" in link
        response = client.get(link.split(">", 1)[0].lstrip("<"))


@pytest.mark.parametrize(("collection", "sort"), CASES)
def test_keyset_walk_matches_the_full_list(
    client: TestClient, collection: str, sort: str | None
) -> None:
    # Without `sort`, the list's default order, as its offset pages give it.
    params: dict[str, str | int] = {"limit": 500, **({"sort": sort} if sort else {})}
    full = client.get(f"/v1/{collection}", params=params).json()
    expected = [item["id"] for item in full["items"]]
    assert len(expected) == full["total"] > 3
    assert _walk(client, collection, sort, 3) == expected


def test_a_cursor_names_a_record(client: TestClient) -> None:
    """Stripe's `starting_after`: the page continues after the record the id names, in the
    requested order; a record that does not exist is a 404, a malformed id a 422."""
    full = client.get("/v1/projects", params={"limit": 500, "sort": "-completion_date"}).json()
    ids = [item["id"] for item in full["items"]]
    middle = ids[len(ids) // 2]
    rest = client.get("/v1/projects", params={"after": middle, "sort": "-completion_date"})
    assert [item["id"] for item in rest.json()["items"]] == ids[len(ids) // 2 + 1 :][:50]
    # `offset` skips records after the cursor (here in the default order, by name).
    skipped = client.get("/v1/projects", params={"after": middle, "offset": 2, "limit": 3})
    by_name = [item["id"] for item in client.get("/v1/projects?limit=500").json()["items"]]
    start = by_name.index(middle) + 1
    assert [item["id"] for item in skipped.json()["items"]] == by_name[start + 2 : start + 5]
    for params, status in (({"after": "no-such-project"}, 404), ({"after": "Not A Cursor"}, 422)):
        response = client.get("/v1/projects", params=params)
        assert response.status_code == status, params
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "sort", ["sector,-completion_date", "-status,name", "host_country,-start_date"]
)
def test_keyset_walk_with_several_sort_fields(client: TestClient, sort: str) -> None:
    full = client.get("/v1/projects", params={"limit": 500, "sort": sort}).json()
    expected = [item["id"] for item in full["items"]]
    assert _walk(client, "projects", sort, 4) == expected


def test_the_next_link_after_an_offset_continues_from_the_page(client: TestClient) -> None:
    """`offset` skipped records after this page's cursor; the next page's cursor already
    starts after them, so the link drops it."""
    # Without `sort`: the default order, as offset pages give it.
    ids = [i["id"] for i in client.get("/v1/quotes", params={"limit": 500}).json()["items"]]
    first = client.get("/v1/quotes", params={"after": ids[0], "offset": 2, "limit": 3})
    assert [item["id"] for item in first.json()["items"]] == ids[3:6]
    link = first.headers["link"]
    assert "offset" not in link and f"after={ids[5]}" in link
    second = client.get(link.split(">", 1)[0].lstrip("<"))
    assert [item["id"] for item in second.json()["items"]] == ids[6:9]


@pytest.mark.parametrize("path", [*(f"/v1/{c.path}" for c in REGISTRY_COLLECTIONS), "/v1/timeline"])
def test_a_cursor_walk_without_sort_keeps_the_default_order(client: TestClient, path: str) -> None:
    # Offset pages and cursor pages of the same list come in the same (default) order, e.g.
    # the timeline's date order; nulls of a default key sit where the offset pages put them.
    offset_order = [item["id"] for item in client.get(path, params={"limit": 500}).json()["items"]]
    walked: list[str] = []
    url: str | None = f"{path}?after=&limit=4"
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, url
        walked += [item["id"] for item in response.json()["items"]]
        link = response.links.get("next")
        url = link["url"].removeprefix("http://testserver") if link else None
    assert walked == offset_order


@pytest.mark.parametrize(
    "path",
    ["/v1/projects", "/v1/search?q=wind", "/v1/sources/chinadaily-2024-bri-partner/records"],
)
def test_a_full_last_page_links_to_no_empty_one(client: TestClient, path: str) -> None:
    """Read by cursor, a page links to a next one only when more records follow (one more
    is read to know it): a page holding the last records, full or not, has no next link."""
    separator = "&" if "?" in path else "?"
    total = client.get(path).json()["total"]
    assert total > 2
    last = client.get(f"{path}{separator}after=&limit={total}")
    assert len(last.json()["items"]) == total and "link" not in last.headers
    first = client.get(f"{path}{separator}after=&limit={total - 1}")
    link = first.headers["link"]
    following = client.get(link.split(">", 1)[0].lstrip("<")).json()
    assert len(following["items"]) == 1 and following["total"] == total
