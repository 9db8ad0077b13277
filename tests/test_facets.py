"""Facet counts on the lists (?facet=a,b): they add up, follow filters, and match the data."""

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import COLLECTION_KEYS

Records = dict[str, list[dict[str, Any]]]
COLLECTIONS = list(COLLECTION_KEYS)


def allowed_facets(client: TestClient, collection: str) -> list[str]:
    """The facets a list offers, as its 422 problem for an unknown one lists them."""
    response = client.get(f"/v1/{collection}", params={"facet": "no_such_field"})
    assert response.status_code == 422
    allowed = response.json()["allowed"]
    assert isinstance(allowed, list) and allowed
    return allowed


def facets(client: TestClient, collection: str, names: list[str], **filters: Any) -> dict[str, Any]:
    response = client.get(
        f"/v1/{collection}", params={"facet": ",".join(names), "limit": 1, **filters}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body["facets"]) == set(names)
    return body


def as_counter(counts: list[dict[str, Any]]) -> Counter[Any]:
    values = [entry["value"] for entry in counts]
    assert len(values) == len(set(map(repr, values))), f"a value is counted twice: {counts}"
    assert all(entry["count"] > 0 for entry in counts)
    return Counter({entry["value"]: entry["count"] for entry in counts})


def test_project_facets_match_the_data(client: TestClient, dataset: Records) -> None:
    projects = dataset["projects"]
    body = facets(client, "projects", ["sector", "status", "year", "source"])
    assert body["total"] == len(projects)
    assert as_counter(body["facets"]["sector"]) == Counter(p["sector"] for p in projects)
    assert as_counter(body["facets"]["status"]) == Counter(p["status"] for p in projects)
    years = Counter((p["completion_date"] or "")[:4] or None for p in projects)
    assert as_counter(body["facets"]["year"]) == years
    cited = Counter(s for p in projects for s in {c["source"] for c in p["citations"]})
    assert as_counter(body["facets"]["source"]) == cited


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_single_valued_facets_add_up_to_the_total(client: TestClient, collection: str) -> None:
    names = [name for name in allowed_facets(client, collection) if name != "source"]
    body = facets(client, collection, names)
    for name in names:
        counts = body["facets"][name]
        assert sum(entry["count"] for entry in counts) == body["total"], (collection, name)
        ordered = [entry["count"] for entry in counts]
        assert ordered == sorted(ordered, reverse=True), "most frequent first"


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_source_facet_counts_records_citing_each_source(
    client: TestClient, collection: str, dataset: Records
) -> None:
    assert "source" in allowed_facets(client, collection)
    body = facets(client, collection, ["source"])
    counted = as_counter(body["facets"]["source"])
    expected = Counter(
        source
        for record in dataset[collection]
        for source in {c["source"] for c in record.get("citations") or []}
    )
    assert counted == expected
    assert all(count <= body["total"] for count in counted.values())


@pytest.mark.parametrize("collection", ["projects", "quotes", "events", "awards", "places"])
def test_source_facet_agrees_with_the_source_filter(client: TestClient, collection: str) -> None:
    counted = as_counter(facets(client, collection, ["source"])["facets"]["source"])
    assert counted
    for source, count in counted.items():
        filtered = client.get(f"/v1/{collection}", params={"source": source, "limit": 1})
        assert filtered.json()["total"] == count, (collection, source)


def test_facets_respect_filters(client: TestClient, dataset: Records) -> None:
    projects = dataset["projects"]
    sector = Counter(p["sector"] for p in projects).most_common(1)[0][0]
    chosen = [p for p in projects if p["sector"] == sector]
    assert 0 < len(chosen) < len(projects)
    body = facets(client, "projects", ["status", "sector", "source"], sector=sector)
    assert body["total"] == len(chosen)
    assert as_counter(body["facets"]["sector"]) == Counter({sector: len(chosen)})
    assert as_counter(body["facets"]["status"]) == Counter(p["status"] for p in chosen)
    cited = Counter(s for p in chosen for s in {c["source"] for c in p["citations"]})
    assert as_counter(body["facets"]["source"]) == cited


def test_facets_with_text_filter_and_paging(client: TestClient) -> None:
    """Facets count the whole filtered set, not the page."""
    whole = facets(client, "quotes", ["speaker"])
    assert whole["total"] > 1
    paged = client.get("/v1/quotes", params={"facet": "speaker", "limit": 1, "offset": 1}).json()
    assert paged["facets"] == whole["facets"]
    assert len(paged["items"]) == 1


def test_facets_absent_unless_asked(client: TestClient) -> None:
    assert "facets" not in client.get("/v1/projects", params={"limit": 1}).json()


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_unknown_facet_is_a_422_listing_the_allowed(
    client: TestClient, collection: str, assert_problem: Callable[..., dict[str, Any]]
) -> None:
    response = client.get(f"/v1/{collection}", params={"facet": "no_such_field"})
    body = assert_problem(response, 422)
    allowed = body["allowed"]
    assert "no_such_field" not in allowed
    assert "source" in allowed
    for name in allowed:
        assert name in body["detail"]
    mixed = client.get(f"/v1/{collection}", params={"facet": f"{allowed[0]},bogus"})
    assert_problem(mixed, 422)


def test_facet_with_csv_is_the_same_csv(client: TestClient) -> None:
    """A CSV has nowhere to put counts: `facet` (schema-valid on every format) changes nothing."""
    plain = client.get("/v1/projects", params={"format": "csv"})
    faceted = client.get("/v1/projects", params={"facet": "sector", "format": "csv"})
    assert faceted.status_code == 200
    assert faceted.content == plain.content


def test_source_facet_with_a_source_filter(client: TestClient) -> None:
    """The `source` facet joins citations while the `source` filter tests them in a subquery:
    the two together once lost the subquery's table to correlation (a 500)."""
    source = "sfc-2023-zhang-xiao"
    response = client.get("/v1/projects", params={"source": source, "facet": "source"})
    assert response.status_code == 200, response.text
    body = response.json()
    counts = {entry["value"]: entry["count"] for entry in body["facets"]["source"]}
    assert counts[source] == body["total"] > 0
