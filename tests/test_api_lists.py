"""Every collection lists the same way: envelope, paging, Link headers, embedded citations."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import COLLECTIONS

CITED = tuple(c for c in COLLECTIONS if c != "sources")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
LINK = re.compile(r'<(?P<url>[^>]+)>\s*;\s*rel="?(?P<rel>[a-z]+)"?')


def links(response: Any) -> dict[str, str]:
    """rel -> URL of the Link header."""
    return {m["rel"]: m["url"] for m in LINK.finditer(response.headers.get("link", ""))}


@pytest.fixture(scope="module")
def meta_counts(client: TestClient) -> dict[str, int]:
    response = client.get("/v1/meta")
    assert response.status_code == 200
    counts: dict[str, int] = response.json()["counts"]
    return counts


@pytest.fixture(scope="module")
def everything(
    fetch_all: Callable[..., list[dict[str, Any]]],
) -> dict[str, list[dict[str, Any]]]:
    """The whole of every collection, in its default order."""
    return {collection: fetch_all(f"/v1/{collection}") for collection in COLLECTIONS}


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_envelope_and_default_limit(
    client: TestClient, collection: str, dataset: dict[str, list[dict[str, Any]]]
) -> None:
    response = client.get(f"/v1/{collection}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"items", "total", "limit", "offset"}
    assert body["limit"] == DEFAULT_LIMIT
    assert body["offset"] == 0
    assert body["total"] == len(dataset[collection])
    assert len(body["items"]) == min(DEFAULT_LIMIT, body["total"])
    assert all(isinstance(item, dict) and item["id"] for item in body["items"])


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_total_equals_the_count_in_meta(
    client: TestClient, collection: str, meta_counts: dict[str, int]
) -> None:
    body = client.get(f"/v1/{collection}", params={"limit": 1}).json()
    assert body["total"] == meta_counts[collection]
    assert body["total"] > 0


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_limit_is_capped(client: TestClient, collection: str, assert_problem: Any) -> None:
    at_cap = client.get(f"/v1/{collection}", params={"limit": MAX_LIMIT})
    assert at_cap.status_code == 200
    assert at_cap.json()["limit"] == MAX_LIMIT
    assert len(at_cap.json()["items"]) == min(MAX_LIMIT, at_cap.json()["total"])
    # Above the cap, the page is as large as it may be, and the envelope says how large.
    above = client.get(f"/v1/{collection}", params={"limit": MAX_LIMIT + 1})
    assert above.status_code == 200
    assert above.json()["limit"] == MAX_LIMIT
    for bad in (0, -1, "ten"):
        assert_problem(client.get(f"/v1/{collection}", params={"limit": bad}), 422)
    assert_problem(client.get(f"/v1/{collection}", params={"offset": -1}), 422)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_offset_past_the_end(client: TestClient, collection: str) -> None:
    total = client.get(f"/v1/{collection}", params={"limit": 1}).json()["total"]
    for offset in (total, total + 10):
        response = client.get(f"/v1/{collection}", params={"offset": offset})
        assert response.status_code == 200
        body = response.json()
        assert body["items"] == []
        assert body["total"] == total
        assert body["offset"] == offset
        assert "next" not in links(response)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_pages_cover_the_collection_once(
    client: TestClient, collection: str, everything: dict[str, list[dict[str, Any]]]
) -> None:
    full = everything[collection]
    ids = [item["id"] for item in full]
    assert len(ids) == len(set(ids))
    size = max(1, len(full) // 3)
    seen: list[str] = []
    for offset in range(0, len(full), size):
        body = client.get(f"/v1/{collection}", params={"limit": size, "offset": offset}).json()
        assert body["limit"] == size and body["offset"] == offset
        seen += [item["id"] for item in body["items"]]
    assert seen == ids


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_last_page_has_no_next_link(client: TestClient, collection: str) -> None:
    total = client.get(f"/v1/{collection}", params={"limit": 1}).json()["total"]
    size = 2
    last = max(0, total - size)
    response = client.get(f"/v1/{collection}", params={"limit": size, "offset": last})
    assert response.status_code == 200
    assert len(response.json()["items"]) == min(size, total)
    assert "next" not in links(response)
    whole = client.get(f"/v1/{collection}", params={"limit": MAX_LIMIT})
    assert "next" not in links(whole)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_middle_page_links_to_the_next_records(
    client: TestClient, collection: str, everything: dict[str, list[dict[str, Any]]]
) -> None:
    full = [item["id"] for item in everything[collection]]
    if len(full) < 3:
        pytest.skip(f"{collection} has fewer than 3 records")
    size = max(1, len(full) // 3)
    response = client.get(f"/v1/{collection}", params={"limit": size, "offset": size})
    assert [item["id"] for item in response.json()["items"]] == full[size : 2 * size]
    found = links(response)
    assert "next" in found, response.headers.get("link")
    following = client.get(found["next"])
    assert following.status_code == 200
    body = following.json()
    assert body["offset"] == 2 * size
    assert body["limit"] == size
    assert [item["id"] for item in body["items"]] == full[2 * size : 3 * size]
    # And rel="prev" goes back.
    assert "prev" in found
    back = client.get(found["prev"]).json()
    assert [item["id"] for item in back["items"]] == full[:size]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_next_link_keeps_the_filters_and_sort(
    client: TestClient, collection: str, everything: dict[str, list[dict[str, Any]]]
) -> None:
    full = everything[collection]
    if len(full) < 2:
        pytest.skip(f"{collection} has fewer than 2 records")
    expected = sorted((item["id"] for item in full), reverse=True)
    response = client.get(f"/v1/{collection}", params={"limit": 1, "sort": "-id"})
    url = links(response)["next"]
    assert "sort=-id" in url
    assert [item["id"] for item in client.get(url).json()["items"]] == expected[1:2]


@pytest.mark.parametrize("collection", CITED)
def test_items_embed_their_citations(
    collection: str,
    everything: dict[str, list[dict[str, Any]]],
    dataset: dict[str, list[dict[str, Any]]],
) -> None:
    sources = {source["id"]: source for source in dataset["sources"]}
    for item in everything[collection]:
        assert item["citations"], (collection, item["id"])
        for citation in item["citations"]:
            assert {"source_id", "excerpt", "start", "end", "source"} <= set(citation)
            assert isinstance(citation["start"], int) and isinstance(citation["end"], int)
            assert 0 <= citation["start"] < citation["end"]
            assert citation["end"] - citation["start"] == len(citation["excerpt"])
            summary = citation["source"]
            assert summary["id"] == citation["source_id"]
            curated = sources[summary["id"]]
            assert summary["title"] == curated["title"]
            for key in ("publisher", "published"):
                if key in summary:
                    assert summary[key] == curated.get(key)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_unknown_query_parameter_is_a_problem(
    client: TestClient, collection: str, assert_problem: Any
) -> None:
    body = assert_problem(client.get(f"/v1/{collection}", params={"no_such_filter": "x"}), 422)
    assert "no_such_filter" in body["detail"] or "no_such_filter" in str(body.get("errors"))
