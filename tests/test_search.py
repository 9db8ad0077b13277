"""Full-text search across every collection and the source texts: /v1/search."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.registry import COLLECTIONS as REGISTRY

Records = dict[str, list[dict[str, Any]]]
# The field of a record that the search hit shows as its label.
LABEL_FIELDS = {c.path: c.label or "id" for c in REGISTRY}
# The collections whose records cite sources are indexed for search.
SEARCHABLE = [c.path for c in REGISTRY if c.cited]
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
    for name in LABEL_FIELDS:
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
        {"q": "a" * 201},
        {"q": ""},
        {},
        {"q": "wind", "collection": "no-such-collection"},
        {"q": "wind", "limit": 0},
        {"q": "wind", "offset": -1},
        {"q": "wind", "unknown": "1"},
        {"q": "wind", "sort": "score"},
        {"q": "wind", "facet": "collection"},
        {"q": "wind", "after": "no-such-collection/x"},
        {"q": "wind", "after": "sources/sfc-2023-zhang-xiao@x"},
    ],
)
def test_bad_requests_are_422_problems(
    client: TestClient, params: dict[str, Any], assert_problem: Callable[..., dict[str, Any]]
) -> None:
    body = assert_problem(client.get("/v1/search", params=params), 422)
    assert body.get("errors"), body


# Inputs from public bug reports filed against peer data APIs, and what the data hold.
ORDINARY_TEXT = [
    "China-Kazakhstan",
    "Nur-Sultan",
    "Xi'an",
    "Xi\u2019an",
    "Khorgos:",
    "U.S.",
    '"wind farm"',
    '"unterminated',
    "(wind",
    "wind)",
    "(wind farm)",
    "AND",
    "NOT",
    "OR",
    "wind AND",
    "NEAR(a b",
    "col:value",
    "^x",
    "*",
    "a:b",
    "'",
    '"',
    "-",
    "https://example.org/a?b=c",
    "50%",
    "C++",
    "a" * 200,
]


@pytest.mark.parametrize("q", ORDINARY_TEXT)
def test_any_text_is_a_query(client: TestClient, q: str) -> None:
    response = client.get("/v1/search", params={"q": q})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(all_hits(client, q=q))


def words_in(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def holds_phrase(text: str, phrase: list[str]) -> bool:
    """True when the words of `phrase` are consecutive words of `text`."""
    found = words_in(text)
    return any(found[i : i + len(phrase)] == phrase for i in range(len(found)))


@pytest.mark.parametrize(
    ("q", "phrase"),
    [
        ("China-Kazakhstan", ["china", "kazakhstan"]),
        ("Xi'an", ["xi", "an"]),
        ("Khorgos:", ["khorgos"]),
        ("U.S.", ["u", "s"]),
        ('"wind farm"', ["wind", "farm"]),
    ],
)
def test_punctuated_words_find_the_records_holding_them(
    client: TestClient, q: str, phrase: list[str]
) -> None:
    """Each hit's passage holds the words, consecutive; each passage holding them is a hit."""
    hits = all_hits(client, q=q, collection="sources")
    assert hits, q
    texts = {h["id"]: client.get(h["url"]).text for h in hits}
    for hit in hits:
        assert holds_phrase(texts[hit["id"]][hit["start"] : hit["end"]], phrase), (q, hit)
    for source_id, text in texts.items():
        expected = {
            m.start() for m in re.finditer(r"[^\n]+", text) if holds_phrase(m.group(), phrase)
        }
        assert {h["start"] for h in hits if h["id"] == source_id} == expected, (q, source_id)


def test_trailing_punctuation_changes_nothing(client: TestClient) -> None:
    assert all_hits(client, q="Khorgos:") == all_hits(client, q="Khorgos")
    assert all_hits(client, q="(wind") == all_hits(client, q="wind")
    assert all_hits(client, q='"unterminated phrase') == all_hits(client, q='"unterminated phrase"')


def test_a_hyphenated_name_absent_from_the_data_finds_nothing(client: TestClient) -> None:
    # Astana was called Nur-Sultan from 2019 to 2022; no source uses that name.
    assert client.get("/v1/search", params={"q": "Nur-Sultan"}).json()["total"] == 0
    assert client.get("/v1/search", params={"q": "Sultan"}).json()["total"] == 0


def test_punctuation_only_is_an_empty_page(client: TestClient) -> None:
    for q in ("*", "()", '"', "-", "..."):
        body = client.get("/v1/search", params={"q": q}).json()
        assert body == {"items": [], "total": 0, "limit": 50, "offset": 0}


def keys(hits: list[dict[str, Any]]) -> set[tuple[str, str, int | None]]:
    return {(h["collection"], h["id"], h["start"]) for h in hits}


def test_advanced_syntax(client: TestClient) -> None:
    wind = len(all_hits(client, q="wind"))
    farm = len(all_hits(client, q="farm"))
    both = len(all_hits(client, q="wind farm"))
    either = len(all_hits(client, q="wind OR farm"))
    assert 0 < both <= min(wind, farm) <= max(wind, farm) <= either < wind + farm
    assert len(all_hits(client, q="wind NOT farm")) == wind - both
    assert len(all_hits(client, q="wind -farm")) == wind - both
    phrase = len(all_hits(client, q='"wind farm"'))
    assert 0 < phrase <= both
    assert len(all_hits(client, q="Kazakh*")) > len(all_hits(client, q="Kazakhstan"))
    # OR binds tighter than AND: (wind OR solar) AND farm.
    grouped = keys(all_hits(client, q="wind OR solar farm"))
    assert grouped == keys(all_hits(client, q="wind farm")) | keys(all_hits(client, q="solar farm"))


def test_chinese_text_is_found_and_ranked(client: TestClient) -> None:
    term = "哈萨克斯坦"
    body = client.get("/v1/search", params={"q": term, "collection": "sources"}).json()
    assert body["total"] >= 1
    for hit in body["items"]:
        text = client.get(hit["url"]).text
        assert term in text[hit["start"] : hit["end"]]
        assert f"<mark>{term}</mark>" in hit["snippet"]
        assert "\u200b" not in hit["snippet"] + hit["label"]
    short = all_hits(client, q="施诗", collection="people")
    assert [hit["id"] for hit in short] == ["shi-shi"]
    assert "<mark>施诗</mark>" in short[0]["snippet"]
    # One and two characters are found too, and ranked like any other term (bm25 < 0).
    for q in ("施", "施诗", term):
        hits = all_hits(client, q=q)
        assert hits and all(hit["score"] < 0 for hit in hits), q
        scores = [hit["score"] for hit in hits]
        assert scores == sorted(scores)


def test_mixed_chinese_and_latin_words_combine(client: TestClient, dataset: Records) -> None:
    """`施诗 reporter`: the one record holding both words, and no record lacking one."""
    hits = all_hits(client, q="施诗 reporter")
    assert [(h["collection"], h["id"]) for h in hits] == [("people", "shi-shi")]
    person = next(p for p in dataset["people"] if p["id"] == "shi-shi")
    assert "施诗" in person["aliases"] and "reporter" in person["description"]
    assert "<mark>施诗</mark>" in hits[0]["snippet"]
    assert "<mark>reporter</mark>" in hits[0]["snippet"]
    chinese = keys(all_hits(client, q="施诗"))
    latin = keys(all_hits(client, q="reporter"))
    assert keys(hits) == chinese & latin
    assert keys(all_hits(client, q="施诗 OR reporter")) == chinese | latin


def pages_by_cursor(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list, following `Link: rel="next"` from `after=`."""
    items: list[dict[str, Any]] = []
    response = client.get(path, params={**params, "after": ""})
    while True:
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        match = re.search(r'<([^>]+)>; rel="next"', response.headers.get("link", ""))
        if not match:
            return items
        response = client.get(match.group(1))


@pytest.mark.parametrize("limit", [1, 7, 50])
def test_search_pages_by_cursor(client: TestClient, limit: int) -> None:
    everything = all_hits(client, q="Kazakhstan")
    assert len(everything) > 50
    assert pages_by_cursor(client, "/v1/search", q="Kazakhstan", limit=limit) == everything
    response = client.get("/v1/search", params={"q": "Kazakhstan", "after": "", "limit": 3})
    assert response.json()["items"] == everything[:3]
    link = response.headers["link"]
    assert 'rel="next"' in link and "after=" in link


def test_search_cursor_names_a_hit(client: TestClient) -> None:
    everything = all_hits(client, q="wind")
    passage = next(h for h in everything if h["collection"] == "sources")
    cursor = f"sources/{passage['id']}@{passage['start']}"
    after = client.get("/v1/search", params={"q": "wind", "after": cursor, "limit": 500})
    position = everything.index(passage)
    assert after.json()["items"] == everything[position + 1 :]
    record = next(h for h in everything if h["collection"] != "sources")
    after = client.get(
        "/v1/search", params={"q": "wind", "after": f"{record['collection']}/{record['id']}"}
    )
    assert after.json()["items"][0] == everything[everything.index(record) + 1]


def test_search_cursor_not_among_the_hits_is_404(
    client: TestClient, assert_problem: Callable[..., dict[str, Any]]
) -> None:
    response = client.get("/v1/search", params={"q": "wind", "after": "people/shi-shi"})
    assert_problem(response, 404)
