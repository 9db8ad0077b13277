"""Every filter of every collection returns exactly the records the data files say match it,
and every allowed sort field orders the list correctly (nulls last, both directions).

Filter values are taken from the data itself, and the expected records are computed from
data/*.yaml, not from the database the API serves.
"""

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.params import vocabulary_of
from app.registry import BY_PATH, Collection
from app.registry import COLLECTIONS as REGISTRY

Record = dict[str, Any]
Data = dict[str, list[Record]]
# value -> does the curated record match it?
Predicate = Callable[[Record, Any], bool]
# the data -> the values to try
Values = Callable[[Data], Iterable[Any]]

PAGING = {"limit", "offset", "sort", "facet", "format", "after"}
QUERY_MODELS = {c.path: c.query for c in REGISTRY}
SORTABLE = {c.path: c.spec.sortable for c in REGISTRY}


# ------------------------------------------------------------------------------ predicates


def distinct(collection: str, field: str) -> Values:
    """Every non-null value of a field (lists are walked) in a collection."""

    def values(data: Data) -> list[Any]:
        found: set[Any] = set()
        for record in data[collection]:
            value = record.get(field)
            for one in value if isinstance(value, list) else [value]:
                if one is not None:
                    found.add(one)
        return sorted(found, key=str)

    return values


def equals(field: str) -> Predicate:
    return lambda record, value: record.get(field) == value


def has(field: str) -> Predicate:
    return lambda record, value: value in (record.get(field) or [])


def cites(record: Record, value: Any) -> bool:
    return any(citation["source"] == value for citation in record["citations"])


def source_ids(data: Data) -> list[str]:
    return [source["id"] for source in data["sources"]]


def _year(date: Any) -> int | None:
    return None if date is None else int(str(date)[:4])


def _years(*fields: str, collection: str) -> Values:
    def values(data: Data) -> list[int]:
        found = {_year(r.get(f)) for r in data[collection] for f in fields}
        return sorted(y for y in found if y is not None)

    return values


def year_from(field: str) -> Predicate:
    return lambda r, y: r.get(field) is not None and _year(r[field]) >= y  # type: ignore[operator]


def year_to(field: str) -> Predicate:
    return lambda r, y: r.get(field) is not None and _year(r[field]) <= y  # type: ignore[operator]


def _period(record: Record) -> tuple[int, int] | None:
    start, end = record.get("period_start"), record.get("period_end")
    if start is None and end is None:
        return None
    return _year(start or end) or 0, _year(end or start) or 0


def overlaps_from(record: Record, year: int) -> bool:
    period = _period(record)
    return period is not None and period[1] >= year


def overlaps_to(record: Record, year: int) -> bool:
    period = _period(record)
    return period is not None and period[0] <= year


def _span(record: Record) -> tuple[int, int] | None:
    """A project's years from start to completion (either alone when the other is null)."""
    start, end = record.get("start_date"), record.get("completion_date")
    if start is None and end is None:
        return None
    return _year(start or end) or 0, _year(end or start) or 0


def span_from(record: Record, year: int) -> bool:
    span = _span(record)
    return span is not None and span[1] >= year


def span_to(record: Record, year: int) -> bool:
    span = _span(record)
    return span is not None and span[0] <= year


def text_match(*fields: str) -> Predicate:
    """Case-insensitive substring of any field (a list field: of any of its items)."""

    def match(record: Record, text: str) -> bool:
        needle = text.lower()
        for field in fields:
            value = record.get(field)
            for one in value if isinstance(value, list) else [value]:
                if one is not None and needle in str(one).lower():
                    return True
        return False

    return match


def words(collection: str, *fields: str) -> Values:
    """Search probes: a word of the first records' fields (case changed), an alias in its own
    script, the LIKE wildcards '%' and '_', and JSON syntax ('[', '"', ','), which must match
    only themselves (`places?q=[` once matched every place through the JSON of its aliases)."""

    def values(data: Data) -> list[str]:
        probes: list[str] = ["%", "_", "zzqxw", "[", "]", '"', ",", '["', "{", ":"]
        for record in data[collection][:3]:
            for field in fields:
                value = record.get(field)
                for one in value if isinstance(value, list) else [value]:
                    if not one:
                        continue
                    text = str(one)
                    if not text.isascii():
                        # e.g. a Chinese alias, matched as written
                        probes.append(next(w for w in text.split() if not w.isascii())[:20])
                        continue
                    # The longest run of letters and digits ("Kazakhstan" of "Kazakhstan's").
                    word = max(re.findall(r"[^\W_]+", text), key=len)
                    if len(word) >= 4:
                        probes.append(word.swapcase())
        return list(dict.fromkeys(probes))

    return values


def disputed_ids(data: Data, collection: str) -> set[str]:
    """Records another source contradicts, by the loader's rule (app.loader.check._fact_key):
    the same fact_key, or else the same pair, metric, stated period and subject (trade
    statistics also kind and direction), with more than one distinct value."""
    groups: dict[tuple[Any, ...], list[Record]] = defaultdict(list)
    for record in data[collection]:
        if record.get("fact_key"):
            key: tuple[Any, ...] = ("fact", record["fact_key"])
        elif record.get("period_start") is None and record.get("period_end") is None:
            continue
        else:
            key = (
                record["pair"],
                record["metric"],
                record.get("period_start"),
                record.get("period_end"),
                record.get("subject"),
            )
            if collection == "trade-stats":
                key += (record.get("kind"), record.get("exporter"), record.get("importer"))
        groups[key].append(record)
    found = set()
    for members in groups.values():
        values = {(float(m["value"]), m["unit"]) for m in members if m.get("value") is not None}
        if len(values) > 1:
            found |= {m["id"] for m in members}
    return found


def disputed(collection: str) -> Callable[[Data], Predicate]:
    def make(data: Data) -> Predicate:
        ids = disputed_ids(data, collection)
        return lambda record, value: (record["id"] in ids) == value

    return make


def project_place(data: Data) -> Predicate:
    parents = {place["id"]: place.get("parent") for place in data["places"]}
    return lambda r, v: r.get("place") is not None and v in (r["place"], parents[r["place"]])


def project_place_values(data: Data) -> list[str]:
    parents = {place["id"]: place.get("parent") for place in data["places"]}
    found = {p["place"] for p in data["projects"] if p.get("place")}
    found |= {parents[p] for p in found if parents[p]}
    return sorted(found)


def project_region(data: Data) -> Predicate:
    codes = {place["id"]: place.get("region_code") for place in data["places"]}
    return lambda r, v: r.get("place") is not None and codes[r["place"]] == v


def project_region_values(data: Data) -> list[str]:
    codes = {place["id"]: place.get("region_code") for place in data["places"]}
    return sorted({codes[p["place"]] for p in data["projects"] if p.get("place")} - {None})


def either_side(record: Record, value: Any) -> bool:
    return value in (record["side_a"], record["side_b"])


def sides(data: Data) -> list[str]:
    return sorted({r[side] for r in data["sister-cities"] for side in ("side_a", "side_b")})


def booleans(_data: Data) -> list[bool]:
    return [True, False]


def bri(record: Record, value: bool) -> bool:
    return (record.get("bri") is True) == value


# API collection -> (date field, basis field) of each of its dates ("period": the period).
DATES = {c.path: [(d.name, d.basis) for d in c.dates] for c in REGISTRY if c.dates}


def _dated(record: Record, field: str) -> bool:
    if field == "period":
        return record.get("period_start") is not None or record.get("period_end") is not None
    return record.get(field) is not None


def bases(collection: str) -> Values:
    """The date bases the collection's records use."""
    return lambda data: sorted(
        {r[b] for r in data[collection] for _, b in DATES[collection] if r.get(b)}
    )


def basis_in(collection: str) -> Predicate:
    """The record has a date, and every date it has is of this basis."""

    def match(record: Record, value: Any) -> bool:
        dated = [basis for field, basis in DATES[collection] if _dated(record, field)]
        return bool(dated) and all(record.get(basis) == value for basis in dated)

    return match


def fixed(predicate: Predicate) -> Callable[[Data], Predicate]:
    return lambda _data: predicate


# collection -> filter -> (values to try, predicate maker)
FILTERS: dict[str, dict[str, tuple[Values, Callable[[Data], Predicate]]]] = {
    "sources": {
        "kind": (distinct("sources", "kind"), fixed(equals("kind"))),
        "language": (distinct("sources", "language"), fixed(equals("language"))),
        "q": (words("sources", "title", "publisher"), fixed(text_match("title", "publisher"))),
        "year_from": (_years("published", collection="sources"), fixed(year_from("published"))),
        "year_to": (_years("published", collection="sources"), fixed(year_to("published"))),
        "date_basis": (bases("sources"), fixed(basis_in("sources"))),
    },
    "people": {
        "country": (distinct("people", "country"), fixed(equals("country"))),
        "source": (source_ids, fixed(cites)),
        "q": (
            words("people", "name", "aliases", "description"),
            fixed(text_match("name", "aliases", "description")),
        ),
    },
    "places": {
        "kind": (distinct("places", "kind"), fixed(equals("kind"))),
        "country": (distinct("places", "country"), fixed(equals("country"))),
        "region": (distinct("places", "region_code"), fixed(equals("region_code"))),
        "parent": (distinct("places", "parent"), fixed(equals("parent"))),
        "source": (source_ids, fixed(cites)),
        "q": (words("places", "name", "aliases"), fixed(text_match("name", "aliases"))),
    },
    "projects": {
        "sector": (distinct("projects", "sector"), fixed(equals("sector"))),
        "status": (distinct("projects", "status"), fixed(equals("status"))),
        "place": (project_place_values, project_place),
        "region": (project_region_values, project_region),
        "host_country": (distinct("projects", "host_country"), fixed(equals("host_country"))),
        "bri": (booleans, fixed(bri)),
        "year_from": (
            _years("start_date", "completion_date", collection="projects"),
            fixed(span_from),
        ),
        "year_to": (
            _years("start_date", "completion_date", collection="projects"),
            fixed(span_to),
        ),
        "date_basis": (bases("projects"), fixed(basis_in("projects"))),
        "source": (source_ids, fixed(cites)),
        "pair": (distinct("projects", "pair"), fixed(equals("pair"))),
        "q": (
            words("projects", "name", "aliases", "description"),
            fixed(text_match("name", "aliases", "description")),
        ),
    },
    "awards": {
        "recipient": (distinct("awards", "recipient"), fixed(equals("recipient"))),
        "conferred_by_country": (
            distinct("awards", "conferred_by_country"),
            fixed(equals("conferred_by_country")),
        ),
        "place": (distinct("awards", "place"), fixed(equals("place"))),
        "year_from": (_years("date", collection="awards"), fixed(year_from("date"))),
        "year_to": (_years("date", collection="awards"), fixed(year_to("date"))),
        "date_basis": (bases("awards"), fixed(basis_in("awards"))),
        "source": (source_ids, fixed(cites)),
        "pair": (distinct("awards", "pair"), fixed(equals("pair"))),
        "q": (
            words("awards", "name", "local_name", "reason"),
            fixed(text_match("name", "local_name", "reason")),
        ),
    },
    "trade-stats": {
        "metric": (distinct("trade-stats", "metric"), fixed(equals("metric"))),
        "kind": (distinct("trade-stats", "kind"), fixed(equals("kind"))),
        "year_from": (
            _years("period_start", "period_end", collection="trade-stats"),
            fixed(overlaps_from),
        ),
        "year_to": (
            _years("period_start", "period_end", collection="trade-stats"),
            fixed(overlaps_to),
        ),
        "date_basis": (bases("trade-stats"), fixed(basis_in("trade-stats"))),
        "stated_by": (distinct("trade-stats", "stated_by"), fixed(equals("stated_by"))),
        "disputed": (booleans, disputed("trade-stats")),
        "source": (source_ids, fixed(cites)),
        "pair": (distinct("trade-stats", "pair"), fixed(equals("pair"))),
    },
    "sister-cities": {
        "place": (sides, fixed(either_side)),
        "tie_type": (distinct("sister-cities", "tie_type"), fixed(equals("tie_type"))),
        "year_from": (
            _years("established", collection="sister-cities"),
            fixed(year_from("established")),
        ),
        "year_to": (
            _years("established", collection="sister-cities"),
            fixed(year_to("established")),
        ),
        "date_basis": (bases("sister-cities"), fixed(basis_in("sister-cities"))),
        "source": (source_ids, fixed(cites)),
        "pair": (distinct("sister-cities", "pair"), fixed(equals("pair"))),
    },
    "quotes": {
        "speaker": (distinct("quotes", "speaker"), fixed(equals("speaker"))),
        "year_from": (_years("date", collection="quotes"), fixed(year_from("date"))),
        "year_to": (_years("date", collection="quotes"), fixed(year_to("date"))),
        "date_basis": (bases("quotes"), fixed(basis_in("quotes"))),
        "source": (source_ids, fixed(cites)),
        "pair": (distinct("quotes", "pair"), fixed(equals("pair"))),
        "q": (words("quotes", "text", "context"), fixed(text_match("text", "context"))),
    },
    "events": {
        "type": (distinct("events", "type"), fixed(equals("type"))),
        "year_from": (_years("date", collection="events"), fixed(year_from("date"))),
        "year_to": (_years("date", collection="events"), fixed(year_to("date"))),
        "date_basis": (bases("events"), fixed(basis_in("events"))),
        "place": (distinct("events", "places"), fixed(has("places"))),
        "person": (distinct("events", "people"), fixed(has("people"))),
        "project": (distinct("events", "projects"), fixed(has("projects"))),
        "source": (source_ids, fixed(cites)),
        "pair": (distinct("events", "pair"), fixed(equals("pair"))),
        "q": (
            words("events", "title", "description"),
            fixed(text_match("title", "description")),
        ),
    },
    "indicators": {
        "metric": (distinct("indicators", "metric"), fixed(equals("metric"))),
        "place": (distinct("indicators", "place"), fixed(equals("place"))),
        "year_from": (
            _years("period_start", "period_end", collection="indicators"),
            fixed(overlaps_from),
        ),
        "year_to": (
            _years("period_start", "period_end", collection="indicators"),
            fixed(overlaps_to),
        ),
        "date_basis": (bases("indicators"), fixed(basis_in("indicators"))),
        "disputed": (booleans, disputed("indicators")),
        "source": (source_ids, fixed(cites)),
        "pair": (distinct("indicators", "pair"), fixed(equals("pair"))),
        "q": (words("indicators", "subject"), fixed(text_match("subject"))),
    },
}


Oracle = tuple[Values, Callable[[Data], Predicate]]


def _shared_filters(collection: Collection) -> dict[str, Oracle]:
    """The oracles of the filters lists share (a cited source, the pair, the years and date
    bases of its one date or period), for those of the collection's filters that are."""
    path = collection.path
    found: dict[str, Oracle] = {
        "source": (source_ids, fixed(cites)),
        "pair": (distinct(path, "pair"), fixed(equals("pair"))),
    }
    if collection.dates:
        found["date_basis"] = (bases(path), fixed(basis_in(path)))
    if len(collection.dates) == 1 and collection.dates[0].name == "period":
        years = _years("period_start", "period_end", collection=path)
        found["year_from"] = (years, fixed(overlaps_from))
        found["year_to"] = (years, fixed(overlaps_to))
    elif len(collection.dates) == 1:
        date = collection.dates[0].name
        found["year_from"] = (_years(date, collection=path), fixed(year_from(date)))
        found["year_to"] = (_years(date, collection=path), fixed(year_to(date)))
    return {name: oracle for name, oracle in found.items() if name in collection.query.model_fields}


# A collection's filters beyond the shared ones need their oracle above:
# test_every_filter_of_every_collection_is_tested names any that has none.
for _collection in REGISTRY:
    FILTERS[_collection.path] = {
        **_shared_filters(_collection),
        **FILTERS.get(_collection.path, {}),
    }

# Filters that may legitimately match nothing for a value taken from the data.
MAY_BE_EMPTY = {"q", "source", "disputed", "bri"}

CASES = [(collection, name) for collection, names in FILTERS.items() for name in names]


def _param(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def test_every_filter_of_every_collection_is_tested() -> None:
    for collection, model in QUERY_MODELS.items():
        declared = set(model.model_fields) - PAGING
        assert declared == set(FILTERS[collection]), collection


@pytest.mark.parametrize(("collection", "name"), CASES)
def test_filter_returns_exactly_the_matching_records(
    collection: str,
    name: str,
    dataset: Data,
    fetch_all: Callable[..., list[Record]],
) -> None:
    values_of, predicate_of = FILTERS[collection][name]
    predicate = predicate_of(dataset)
    values = list(values_of(dataset))
    assert values, f"the data gives no value to try for {collection}?{name}="
    matched_something = False
    for value in values:
        expected = {r["id"] for r in dataset[collection] if predicate(r, value)}
        items = fetch_all(f"/v1/{collection}", **{name: _param(value)})
        got = [item["id"] for item in items]
        assert len(got) == len(set(got)), (collection, name, value)
        assert set(got) == expected, (collection, name, value)
        if name not in MAY_BE_EMPTY:
            assert got, f"{collection}?{name}={value} found nothing, but the data has it"
        matched_something = matched_something or bool(got)
    assert matched_something, f"no value of {collection}?{name} matched anything"


@pytest.mark.parametrize("collection", [c for c, names in FILTERS.items() if "year_from" in names])
def test_year_range_is_inclusive_on_both_ends(
    collection: str, dataset: Data, fetch_all: Callable[..., list[Record]]
) -> None:
    predicate_from = FILTERS[collection]["year_from"][1](dataset)
    predicate_to = FILTERS[collection]["year_to"][1](dataset)
    years = list(FILTERS[collection]["year_from"][0](dataset))
    for year in years:
        expected = {
            r["id"]
            for r in dataset[collection]
            if predicate_from(r, year) and predicate_to(r, year)
        }
        items = fetch_all(f"/v1/{collection}", year_from=year, year_to=year)
        assert {item["id"] for item in items} == expected, (collection, year)
        assert expected, (collection, year)


@pytest.mark.parametrize("collection", ["trade-stats", "indicators"])
def test_disputed_matches_the_disagreements(
    collection: str, client: TestClient, fetch_all: Callable[..., list[Record]]
) -> None:
    groups = client.get("/v1/disagreements").json()["items"]
    claimed = {
        claim["id"]
        for group in groups
        if group["collection"] == collection
        for claim in group["claims"]
    }
    disputed_items = fetch_all(f"/v1/{collection}", disputed="true")
    assert {item["id"] for item in disputed_items} == claimed
    assert all(item["disagreement_id"] for item in disputed_items)
    undisputed = fetch_all(f"/v1/{collection}", disputed="false")
    assert all(item["disagreement_id"] is None for item in undisputed)
    assert len(disputed_items) + len(undisputed) == len(fetch_all(f"/v1/{collection}"))


@pytest.mark.parametrize("collection", list(FILTERS))
def test_filters_combine_with_and(
    collection: str, dataset: Data, fetch_all: Callable[..., list[Record]]
) -> None:
    # Two filters at once: the intersection of what each gives alone.
    names = [n for n in FILTERS[collection] if n not in ("q", "year_to")][:2]
    if len(names) < 2:
        pytest.skip(f"{collection} has fewer than two filters")
    # Values both matched by one record, so that the intersection is not empty.
    record, values = next(
        (record, values)
        for record in dataset[collection]
        if len(values := _values_matching(collection, record, names, dataset)) == 2
    )
    alone = [
        {item["id"] for item in fetch_all(f"/v1/{collection}", **{n: _param(v)})}
        for n, v in values.items()
    ]
    both = {
        item["id"]
        for item in fetch_all(f"/v1/{collection}", **{n: _param(v) for n, v in values.items()})
    }
    assert both == alone[0] & alone[1]
    assert record["id"] in both
    expected = {
        r["id"]
        for r in dataset[collection]
        if all(FILTERS[collection][n][1](dataset)(r, v) for n, v in values.items())
    }
    assert both == expected


def _values_matching(
    collection: str, record: Record, names: list[str], dataset: Data
) -> dict[str, Any]:
    """For each filter, a value the record matches (filters it matches none of are left out)."""
    found = {}
    for name in names:
        values_of, predicate_of = FILTERS[collection][name]
        predicate = predicate_of(dataset)
        for value in values_of(dataset):
            if predicate(record, value):
                found[name] = value
                break
    return found


ABSENT = {
    "country": "ZZ",
    "host_country": "ZZ",
    "conferred_by_country": "ZZ",
    "pair": "AA-ZZ",
    "region": "ZZ-99",
}


@pytest.mark.parametrize("collection", list(FILTERS))
def test_filter_value_nothing_has_gives_an_empty_list(collection: str, client: TestClient) -> None:
    name = next(
        n
        for n in FILTERS[collection]
        if n not in ("bri", "disputed", "date_basis")  # (booleans, an enum)
        and "year" not in n
        and vocabulary_of(QUERY_MODELS[collection], n) is None  # (an unknown term is a 422)
    )
    # A well-formed value (a country code is two capitals) that no record has.
    value = ABSENT.get(name, "zz-no-such-value")
    response = client.get(f"/v1/{collection}", params={name: value})
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []
    assert response.json()["total"] == 0


@pytest.mark.parametrize(
    ("collection", "name", "value"),
    [
        ("projects", "bri", "maybe"),
        ("projects", "year_from", "twenty"),
        ("projects", "year_to", "99999"),
        ("trade-stats", "disputed", "perhaps"),
        ("people", "source", "Not A Slug!"),
        ("quotes", "q", "x" * 201),
        ("quotes", "q", ""),
        ("quotes", "date_basis", "guessed"),
        ("projects", "date_basis", "STATED"),
    ],
)
def test_invalid_filter_value_is_a_problem(
    client: TestClient, collection: str, name: str, value: str, assert_problem: Any
) -> None:
    body = assert_problem(client.get(f"/v1/{collection}", params={name: value}), 422)
    assert name in json.dumps(body)


# ------------------------------------------------------------------------------ sorting


# A date sorts by the first day of its interval (issue 10: date sorts use the interval).
INTERVAL_OF = {
    "date": "date_start",
    "start_date": "start_date_start",
    "completion_date": "completion_date_start",
    "established": "established_start",
    "published": "published_start",
}


def _sort_value(item: Record, field: str) -> Any:
    value = item.get(INTERVAL_OF.get(field, field))
    if isinstance(value, dict):  # an embedded summary (recipient, speaker)
        return value["id"]
    return value


def _assert_ordered(items: list[Record], fields: list[str], label: str) -> None:
    """Ordered by the fields ('-' for descending), each with nulls last."""

    def key(item: Record) -> tuple[Any, ...]:
        parts: list[Any] = []
        for raw in fields:
            value = _sort_value(item, raw.removeprefix("-"))
            descending = raw.startswith("-")
            parts.append(value is None)  # nulls last in either direction
            if value is None:
                parts.append(0)
            elif descending:
                parts.append(_Reversed(value))
            else:
                parts.append(value)
        return tuple(parts)

    keys = [key(item) for item in items]
    for position, (before, after) in enumerate(itertools.pairwise(keys)):
        assert not (after < before), (
            f"{label}: items {position} and {position + 1} out of order: "
            f"{items[position]['id']} then {items[position + 1]['id']}"
        )


class _Reversed:
    """Wraps a value so that comparisons go the other way."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.value == other.value

    def __lt__(self, other: "_Reversed") -> bool:
        return bool(other.value < self.value)

    def __hash__(self) -> int:
        return hash(self.value)


SORT_CASES = [(c, f) for c, fields in SORTABLE.items() for f in fields]


@pytest.mark.parametrize(("collection", "field"), SORT_CASES)
def test_sort_by_each_allowed_field(
    collection: str, field: str, fetch_all: Callable[..., list[Record]], dataset: Data
) -> None:
    ids = {r["id"] for r in dataset[collection]}
    ascending = fetch_all(f"/v1/{collection}", sort=field)
    descending = fetch_all(f"/v1/{collection}", sort=f"-{field}")
    assert {item["id"] for item in ascending} == ids
    assert {item["id"] for item in descending} == ids
    _assert_ordered(ascending, [field], f"{collection}?sort={field}")
    _assert_ordered(descending, [f"-{field}"], f"{collection}?sort=-{field}")
    values = {_sort_value(item, field) for item in ascending} - {None}
    if len(values) > 1:
        assert [i["id"] for i in ascending] != [i["id"] for i in descending]


# A field with repeated values per collection, to test a comma list with a tiebreak.
GROUPING = {
    "sources": "kind",
    "people": "country",
    "places": "kind",
    "projects": "sector",
    "awards": "recipient",
    "trade-stats": "metric",
    "sister-cities": "tie_type",
    "quotes": "speaker",
    "events": "type",
    "indicators": "metric",
}


@pytest.mark.parametrize("collection", list(SORTABLE))
def test_sort_by_a_comma_list(
    collection: str, client: TestClient, fetch_all: Callable[..., list[Record]]
) -> None:
    field = GROUPING.get(collection, "id")
    if field not in SORTABLE[collection]:
        field = next(f for f in SORTABLE[collection] if f != "id")
    for fields in ([field, "-id"], [f"-{field}", "id"]):
        items = fetch_all(f"/v1/{collection}", sort=",".join(fields))
        _assert_ordered(items, fields, f"{collection}?sort={','.join(fields)}")
    # Spaces around the commas are tolerated or rejected, never a server error.
    spaced = client.get(f"/v1/{collection}", params={"sort": f"{field}, -id"})
    assert spaced.status_code in (200, 422)


@pytest.mark.parametrize("collection", list(SORTABLE))
@pytest.mark.parametrize("sort", ["no_such_field", "-no_such_field", "id,no_such_field"])
def test_unknown_sort_field_is_a_problem_listing_the_allowed_fields(
    collection: str, sort: str, client: TestClient, assert_problem: Any
) -> None:
    body = assert_problem(client.get(f"/v1/{collection}", params={"sort": sort}), 422)
    allowed = sorted(SORTABLE[collection])
    assert sorted(body["allowed"]) == allowed
    for field in allowed:
        assert field in body["detail"]
    assert "no_such_field" in body["detail"]


@pytest.mark.parametrize("collection", list(SORTABLE))
def test_facet_counts_add_up_to_the_total(
    collection: str, client: TestClient, dataset: Data
) -> None:
    declared = BY_PATH[collection]
    # Beyond GROUPING's choices, a collection's first facet on a field of its records.
    plain = [name for name in declared.spec.facets if name in declared.public.model_fields]
    field = GROUPING.get(collection) or next(iter(plain), None)
    if field is None:
        pytest.skip(f"{collection} has no facet on a field of its records")
    body = client.get(f"/v1/{collection}", params={"facet": field, "limit": 1})
    if body.status_code == 422:
        pytest.skip(f"{collection} has no facet {field}")
    counts = body.json()["facets"][field]
    assert sum(entry["count"] for entry in counts) == body.json()["total"]
    expected: dict[Any, int] = defaultdict(int)
    for record in dataset[collection]:
        expected[record.get(field)] += 1
    assert {entry["value"]: entry["count"] for entry in counts} == dict(expected)
