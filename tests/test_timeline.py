"""GET /v1/timeline: every dated record appears exactly once per date, in date order, with the
date, basis and interval of its record; its filters keep exactly the matching entries; it
pages and answers CSV like any list.

Expectations come from data/*.yaml (the `dataset` fixture), not from the database.
"""

import csv
import io
import itertools
import json
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.loader.timeline import period_date
from app.models.types import interval_of
from app.registry import COLLECTIONS

# Collection path -> the date fields its records are on the timeline by (from the registry).
SOURCES = {c.path: [d.name for d in c.dates] for c in COLLECTIONS if c.timeline is not None}

Data = dict[str, list[dict[str, Any]]]
Fetch = Callable[..., list[dict[str, Any]]]


def _expected(dataset: Data) -> dict[str, tuple[str, str, Any, dict[str, Any]]]:
    """entry id -> (first day, last day, basis, record) of every date the data files hold."""
    found = {}
    for collection, fields in SOURCES.items():
        for record in dataset[collection]:
            for field in fields:
                if field == "period":
                    dated = period_date(record.get("period_start"), record.get("period_end"))
                    if dated is None:
                        continue
                    first, last, basis = dated[2], dated[3], record.get("date_basis")
                else:
                    if record.get(field) is None:
                        continue
                    first, last = interval_of(str(record[field]))
                    basis = record.get("date_basis" if field == "date" else f"{field}_basis")
                found[f"{collection}/{record['id']}/{field}"] = (first, last, basis, record)
    return found


@pytest.fixture(scope="module")
def timeline(fetch_all: Fetch) -> list[dict[str, Any]]:
    return fetch_all("/v1/timeline")


def test_every_dated_record_appears_exactly_once(
    timeline: list[dict[str, Any]], dataset: Data
) -> None:
    expected = _expected(dataset)
    ids = [entry["id"] for entry in timeline]
    assert len(ids) == len(set(ids)), "an entry appears twice"
    assert set(ids) == set(expected)
    for entry in timeline:
        first, last, basis, record = expected[entry["id"]]
        if record.get("period_start") is None and entry["field"] == "period":
            # An open period ("so far", "as of February"): dated as precisely as the phrase
            # and its source's date allow, ending on the period's last day.
            assert entry["date_end"] == last, entry["id"]
            assert interval_of(entry["date"]) == (entry["date_start"], entry["date_end"])
        else:
            assert (entry["date_start"], entry["date_end"]) == (first, last), entry["id"]
        assert entry["date_basis"] == basis, entry["id"]
        assert entry["url"] == f"/v1/{entry['collection']}/{entry['record_id']}"
        excerpts = [c["excerpt"] for c in record["citations"]]
        assert [c["excerpt"] for c in entry["citations"]] == excerpts, entry["id"]


def test_entries_are_in_date_order(timeline: list[dict[str, Any]]) -> None:
    keys = [(e["date_start"], e["date_end"], e["id"]) for e in timeline]
    for position, (before, after) in enumerate(itertools.pairwise(keys)):
        assert before <= after, f"entries {position} and {position + 1} out of order"
    assert len({e["collection"] for e in timeline}) > 3


def test_places_and_people_are_the_records(timeline: list[dict[str, Any]], dataset: Data) -> None:
    expected = _expected(dataset)
    for entry in timeline:
        record = expected[entry["id"]][3]
        places = [p["id"] for p in entry["places"]]
        people = [p["id"] for p in entry["people"]]
        collection = entry["collection"]
        if collection == "events":
            assert places == list(dict.fromkeys(record.get("places") or []))
            assert people == list(dict.fromkeys(record.get("people") or []))
        elif collection == "sister-cities":
            assert places == [record["side_a"], record["side_b"]] and people == []
        elif collection == "awards":
            assert places == [p for p in [record.get("place")] if p]
            assert people == [record["recipient"]]
        elif collection == "trade-stats":
            assert places == [] and people == [p for p in [record.get("stated_by")] if p]
        else:
            assert places == [p for p in [record.get("place")] if p] and people == []


def _year_overlaps(entry: dict[str, Any], year_from: int, year_to: int) -> bool:
    return int(entry["date_end"][:4]) >= year_from and int(entry["date_start"][:4]) <= year_to


def test_filters_keep_exactly_the_matching_entries(
    timeline: list[dict[str, Any]], fetch_all: Fetch
) -> None:
    def ids(**params: Any) -> set[str]:
        return {entry["id"] for entry in fetch_all("/v1/timeline", **params)}

    years = sorted({int(e["date_start"][:4]) for e in timeline})
    middle = years[len(years) // 2]
    for year_from, year_to in ((middle, middle), (years[0], middle), (middle, years[-1])):
        expected = {e["id"] for e in timeline if _year_overlaps(e, year_from, year_to)}
        assert expected
        assert ids(year_from=year_from, year_to=year_to) == expected
    collections = sorted({e["collection"] for e in timeline})
    for collection in collections:
        assert ids(collection=collection) == {
            e["id"] for e in timeline if e["collection"] == collection
        }
    two = collections[:2]
    assert ids(collection=two) == {e["id"] for e in timeline if e["collection"] in two}
    place = next(p["id"] for e in timeline for p in e["places"])
    assert ids(place=place) == {
        e["id"] for e in timeline if place in [p["id"] for p in e["places"]]
    }
    person = next(p["id"] for e in timeline for p in e["people"])
    assert ids(person=person) == {
        e["id"] for e in timeline if person in [p["id"] for p in e["people"]]
    }
    pair = timeline[0]["pair"]
    assert ids(pair=pair) == {e["id"] for e in timeline if e["pair"] == pair}
    assert ids(pair="AA-ZZ") == set()
    bases = sorted({e["date_basis"] for e in timeline} - {None})
    assert len(bases) > 1
    for basis in bases:
        assert ids(date_basis=basis) == {e["id"] for e in timeline if e["date_basis"] == basis}
    assert ids(date_basis=bases[:2]) == {e["id"] for e in timeline if e["date_basis"] in bases[:2]}


def test_source_filter_keeps_the_facts_whose_record_cites_it(
    timeline: list[dict[str, Any]], fetch_all: Fetch, dataset: Data
) -> None:
    expected = _expected(dataset)
    for source in dataset["sources"]:
        cited = {
            entry_id
            for entry_id, (*_, record) in expected.items()
            if source["id"] in {c["source"] for c in record["citations"]}
        }
        assert cited, f"no dated fact cites {source['id']}; the test shows nothing"
        got = fetch_all("/v1/timeline", source=source["id"])
        assert [e["id"] for e in got] == [e["id"] for e in timeline if e["id"] in cited]
        for entry in got:
            assert source["id"] in {c["source_id"] for c in entry["citations"]}
    assert fetch_all("/v1/timeline", source="no-such-source") == []
    # With the other filters, it narrows them.
    both = fetch_all("/v1/timeline", source=dataset["sources"][0]["id"], collection="events")
    assert both and all(e["collection"] == "events" for e in both)


def test_unknown_collection_is_a_problem(client: TestClient, assert_problem: Any) -> None:
    body = assert_problem(client.get("/v1/timeline", params={"collection": "quotes"}), 422)
    assert "collection" in str(body)


def test_pages_and_csv(client: TestClient, timeline: list[dict[str, Any]]) -> None:
    first = client.get("/v1/timeline", params={"limit": 5})
    assert first.json()["total"] == len(timeline)
    assert [e["id"] for e in first.json()["items"]] == [e["id"] for e in timeline[:5]]
    assert 'rel="next"' in first.headers["link"]
    second = client.get("/v1/timeline", params={"limit": 5, "offset": 5})
    assert [e["id"] for e in second.json()["items"]] == [e["id"] for e in timeline[5:10]]
    response = client.get("/v1/timeline", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["id"] for row in rows] == [e["id"] for e in timeline]
    # Like every partial date in CSV (README "CSV"), a date is its interval and precision:
    # no raw `date` column, which tools would read as a number (2023) or as text (a period).
    assert rows and "date" not in rows[0]
    for row, entry in zip(rows, timeline, strict=True):
        assert (row["date_start"], row["date_end"]) == (entry["date_start"], entry["date_end"])
        assert row["date_precision"] == entry["date_precision"]
        assert _date_of(row) == entry["date"], entry["id"]
        assert json.loads(row["places"]) == entry["places"]
        assert json.loads(row["citations"]) == entry["citations"]


def _date_of(row: dict[str, str]) -> str:
    """The JSON `date` again, from a CSV row's interval and precision."""
    start, end, precision = row["date_start"], row["date_end"], row["date_precision"]
    partial = {"year": start[:4], "month": start[:7], "day": start}[precision]
    return partial if interval_of(partial) == (start, end) else f"{start}/{end}"


def test_a_figure_title_writes_its_value_as_people_do(timeline: list[dict[str, Any]]) -> None:
    figures = [e for e in timeline if e["collection"] in ("trade-stats", "indicators")]
    assert any(e["title"].endswith(" 17,620,000,000 USD") for e in figures)
    for entry in figures:
        assert not re.search(r"\de[+-]\d", entry["title"]), entry["title"]  # never 3.1e+10


def test_year_facet_counts_add_up(client: TestClient, timeline: list[dict[str, Any]]) -> None:
    body = client.get("/v1/timeline", params={"facet": "collection,year", "limit": 1}).json()
    for name in ("collection", "year"):
        assert sum(f["count"] for f in body["facets"][name]) == len(timeline)


def test_keyset_pages_give_the_whole_timeline(
    client: TestClient, timeline: list[dict[str, Any]]
) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 7, "after": "", "sort": "date"}
    while True:
        response = client.get("/v1/timeline", params=params)
        assert response.status_code == 200, response.text
        seen += [entry["id"] for entry in response.json()["items"]]
        link = response.headers.get("link")
        if not link:
            break
        query = urllib.parse.urlparse(link.split(">", 1)[0].lstrip("<")).query
        params = {key: values[0] for key, values in urllib.parse.parse_qs(query).items()}
    # sort=date orders by the first day, then id (a keyset cursor takes one sort field).
    assert seen == [e["id"] for e in sorted(timeline, key=lambda e: (e["date_start"], e["id"]))]


def test_a_cursor_names_an_entry(
    client: TestClient, timeline: list[dict[str, Any]], assert_problem: Any
) -> None:
    """`after` is an entry id: the page continues after it in the requested order, with any
    sort; an id that names no entry is a 404, one of another shape a 422."""
    ordered = sorted(timeline, key=lambda e: (e["collection"], e["date_end"], e["id"]))
    ids = [entry["id"] for entry in ordered]
    middle = ids[len(ids) // 2]
    params = {"after": middle, "sort": "collection,date_end", "limit": 5}
    response = client.get("/v1/timeline", params=params)
    assert response.status_code == 200, response.text
    assert [e["id"] for e in response.json()["items"]] == ids[len(ids) // 2 + 1 :][:5]
    assert_problem(client.get("/v1/timeline", params={"after": "events/no-such/date"}), 404)
    assert_problem(client.get("/v1/timeline", params={"after": "Events/x"}), 422)


@pytest.mark.parametrize(
    ("entry_id", "date", "precision"),
    [
        # "So far" in the SFC interview, dated only to 2023: held as of 2023, not 2023-12-31.
        ("indicators/cn-kz-cross-border-pipelines/period", "2023", "year"),
        # "as of February of this year" in a source of June 2024.
        (
            "indicators/chinese-tourists-to-kz-growth-since-visa-abolition/period",
            "2024-02",
            "month",
        ),
        # "As of April 30, this year": the day the text gives.
        ("indicators/khorgos-alashankou-freight-trains/period", "2024-04-30", "day"),
        # `publication` in the Kazinform interview (June 2024).
        ("indicators/kz-territory-rank-world/period", "2024-06", "month"),
    ],
)
def test_an_open_period_is_dated_as_precisely_as_its_phrase(
    timeline: list[dict[str, Any]], entry_id: str, date: str, precision: str
) -> None:
    entry = next(e for e in timeline if e["id"] == entry_id)
    assert (entry["date"], entry["date_precision"]) == (date, precision)
