"""Full-text search across every collection and the source texts: /v1/search."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import COLLECTION_KEYS

# The search runs on SQLite FTS5; its PostgreSQL counterpart is not built yet.
pytestmark = pytest.mark.fts5

Records = dict[str, list[dict[str, Any]]]
# The field of a record that the search hit shows as its label.
LABEL_FIELDS = {
    "people": "name",
    "places": "name",
    "projects": "name",
    "awards": "name",
    "trade-stats": "period_label",
    "sister-cities": "id",
    "quotes": "text",
    "events": "title",
    "indicators": "subject",
}
SEARCHABLE = [name for name in COLLECTION_KEYS if name != "sources"]
FTS_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


def all_hits(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    """Every hit of a search, paging with limit=500."""
    hits: list[dict[str, Any]] = []
    while True:
        response = client.get("/v1/search", params={**params, "limit": 500, "offset": len(hits)})
        assert response.status_code == 200, response.text
        body = response.json()
        hits += body["items"]
        if not body["items"] or len(hits) >= body["total"]:
            assert len(hits) == body["total"]
            return hits


def a_term(text: str) -> str | None:
    """A word of `text` that FTS5 treats as a plain term (quoted, so never an operator)."""
    for word in re.findall(r"\w{4,}", text):
        if word.upper() not in FTS_OPERATORS and not word.isdigit():
            return word
    return None


@pytest.mark.parametrize("collection", SEARCHABLE)
def test_every_collection_is_searchable(
    client: TestClient, dataset: Records, collection: str
) -> None:
    """For a record of each collection, a word of its label finds it, labelled as the data say."""
    field = LABEL_FIELDS[collection]
    found = 0
    for record in dataset[collection][:5]:
        label = str(record.get(field) or record["id"])
        term = a_term(label)
        if term is None:
            continue
        hits = all_hits(client, q=f'"{term}"', collection=collection)
        assert {hit["collection"] for hit in hits} <= {collection}
        mine = [hit for hit in hits if hit["id"] == record["id"]]
        assert len(mine) == 1, (collection, record["id"], term)
        assert mine[0]["label"] == label.strip()
        assert mine[0]["url"] == f"/v1/{collection}/{record['id']}"
        assert client.get(mine[0]["url"]).status_code == 200
        assert mine[0]["start"] is None and mine[0]["end"] is None
        found += 1
    assert found, f"no searchable word in the labels of {collection}"


def test_source_passages_have_offsets_into_the_text(client: TestClient, dataset: Records) -> None:
    texts: dict[str, str] = {}
    for source in dataset["sources"]:
        response = client.get(f"/v1/sources/{source['id']}/text")
        texts[source["id"]] = response.text
    for term in ("Kazakhstan", "cooperation", "China"):
        hits = all_hits(client, q=term, collection="sources")
        assert hits, term
        for hit in hits:
            assert hit["collection"] == "sources"
            assert hit["url"] == f"/v1/sources/{hit['id']}/text"
            start, end = hit["start"], hit["end"]
            assert isinstance(start, int) and isinstance(end, int) and 0 <= start < end
            passage = texts[hit["id"]][start:end]
            assert term.lower() in passage.lower(), (term, hit)
            assert "\n" not in passage  # one paragraph
        assert len({hit["id"] for hit in hits}) >= 2, "the term is in several texts"


def test_passages_cover_every_paragraph_with_the_term(client: TestClient, dataset: Records) -> None:
    """Each paragraph of a source containing the word is one hit (FTS finds them all)."""
    source = dataset["sources"][0]["id"]
    text = client.get(f"/v1/sources/{source}/text").text
    term = "Kazakhstan"
    paragraphs = [
        (m.start(), m.end())
        for m in re.finditer(r"[^\n]+", text)
        if re.search(rf"\b{term}\b", m.group(), re.I)
    ]
    assert paragraphs
    hits = [h for h in all_hits(client, q=term, collection="sources") if h["id"] == source]
    assert sorted((h["start"], h["end"]) for h in hits) == paragraphs


def test_non_ascii_terms_are_found(client: TestClient, dataset: Records) -> None:
    people = [p for p in dataset["people"] if not p["name"].isascii()]
    assert people, "no non-ASCII name in the data; the check is vacuous"
    person = people[0]
    hits = all_hits(client, q=f'"{person["name"]}"', collection="people")
    assert person["id"] in {hit["id"] for hit in hits}


def test_hits_come_best_first_with_marked_snippets(client: TestClient) -> None:
    hits = all_hits(client, q="Kazakhstan")
    assert len(hits) > 10
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores), "bm25: lower is better, best first"
    assert len({hit["collection"] for hit in hits}) >= 3
    for hit in hits:
        assert "<mark>" in hit["snippet"] and "</mark>" in hit["snippet"], hit
        marked = re.findall(r"<mark>(.*?)</mark>", hit["snippet"])
        assert all(word.lower() == "kazakhstan" for word in marked), hit


def test_collection_filter_is_repeatable(client: TestClient) -> None:
    q = "Kazakhstan"
    alone = {name: len(all_hits(client, q=q, collection=name)) for name in ("projects", "events")}
    both = all_hits(client, q=q, collection=["projects", "events"])
    assert {hit["collection"] for hit in both} == {"projects", "events"}
    assert len(both) == alone["projects"] + alone["events"]
    everything = all_hits(client, q=q)
    assert len(everything) > len(both)
    for name in COLLECTION_KEYS:
        hits = all_hits(client, q=q, collection=name)
        assert {hit["collection"] for hit in hits} <= {name}


def test_pagination_envelope(client: TestClient) -> None:
    everything = all_hits(client, q="Kazakhstan")
    response = client.get("/v1/search", params={"q": "Kazakhstan", "limit": 3, "offset": 2})
    body = response.json()
    assert set(body) == {"items", "total", "limit", "offset"}
    assert (body["total"], body["limit"], body["offset"]) == (len(everything), 3, 2)
    assert body["items"] == everything[2:5]
    assert 'rel="next"' in response.headers["link"]
    assert 'rel="prev"' in response.headers["link"]
    last = client.get("/v1/search", params={"q": "Kazakhstan", "offset": len(everything) - 1})
    assert len(last.json()["items"]) == 1
    assert 'rel="next"' not in last.headers.get("link", "")


def test_no_hit_is_an_empty_page(client: TestClient) -> None:
    body = client.get("/v1/search", params={"q": "zzyzxqwv"}).json()
    assert body["items"] == [] and body["total"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"q": '"unterminated'},
        {"q": "AND"},
        {"q": "NOT"},
        {"q": "wind AND"},
        {"q": "(wind"},
        {"q": "a" * 201},
        {"q": ""},
        {},
        {"q": "wind", "collection": "no-such-collection"},
        {"q": "wind", "limit": 0},
        {"q": "wind", "offset": -1},
        {"q": "wind", "unknown": "1"},
    ],
)
def test_bad_queries_are_422_problems(
    client: TestClient, params: dict[str, Any], assert_problem: Callable[..., dict[str, Any]]
) -> None:
    body = assert_problem(client.get("/v1/search", params=params), 422)
    assert body.get("errors"), body


def test_fts_syntax_is_supported(client: TestClient) -> None:
    wind = len(all_hits(client, q="wind"))
    farm = len(all_hits(client, q="farm"))
    both = len(all_hits(client, q="wind farm"))
    either = len(all_hits(client, q="wind OR farm"))
    assert 0 < both <= min(wind, farm) <= max(wind, farm) <= either
    assert len(all_hits(client, q="wind NOT farm")) == wind - both
    assert len(all_hits(client, q="Kazakh*")) >= len(all_hits(client, q="Kazakhstan"))


def test_chinese_text_is_found_by_substring(client: TestClient) -> None:
    # The word tokenizer sees an unspaced Chinese sentence as one token; the trigram index
    # (three or more characters) and a substring scan (one or two) still find the term.
    term = "哈萨克斯坦"
    body = client.get("/v1/search", params={"q": term, "collection": "sources"}).json()
    assert body["total"] >= 1
    for hit in body["items"]:
        text = client.get(hit["url"]).text
        assert term in text[hit["start"] : hit["end"]]
        assert f"<mark>{term}</mark>" in hit["snippet"]
    short = client.get("/v1/search", params={"q": "施诗", "collection": "people"}).json()
    assert [hit["id"] for hit in short["items"]] == ["shi-shi"]
    assert "<mark>施诗</mark>" in short["items"][0]["snippet"]
