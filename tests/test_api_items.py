"""Item endpoints: every record as the curators wrote it, with the summaries it points to in
their Public shapes; the source texts and the records citing them; meta, health and
disagreements."""

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from app.registry import BY_KEY, Collection
from app.registry import COLLECTIONS as REGISTRY
from tests.conftest import COLLECTIONS, PUBLIC

Record = dict[str, Any]
Data = dict[str, list[Record]]


def _model_in(annotation: Any) -> type[BaseModel]:
    """The model a field's type holds (`PlaceSummary | None`, `list[PersonSummary]`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    (model,) = {_model_in(a) for a in get_args(annotation) if a is not type(None)}
    return model


def _references(collection: Collection) -> dict[str, tuple[str, str, bool, Any]]:
    """YAML field -> (API field, collection it names, is a list, the summary model it is
    served as, or None for a bare id), from the registry's `references` and the Public model.
    Nested references (a source's `credits[].person`) are checked by their own tests."""
    found = {}
    fields = collection.public.model_fields
    for name, key in collection.references.items():
        field = name.removesuffix("[]")
        if "." in field:
            continue
        api = field if field in fields else f"{field}_id"
        assert api in fields, (collection.path, name)
        shape = None if api.endswith("_id") else _model_in(fields[api].annotation)
        found[field] = (api, BY_KEY[key].path, name.endswith("[]"), shape)
    return found


# collection -> YAML field -> (API field, collection it names, is a list, summary model)
REFERENCES = {c.path: _references(c) for c in REGISTRY}
PRECISION = {None: "unknown", 4: "year", 7: "month", 10: "day"}
# Fields checked by their own tests.
SEPARATE = ("citations", "figures", "partners", "credits")
# Fields a curator may leave out of a record, and the value they then have.
DEFAULTS: dict[str, Any] = {"qualifier": "exact", "aliases": [], "authors": []}
# Fields a curator writes as null that are served as a value: a project no source ties to
# the Belt and Road Initiative (`bri: null`) is served as `bri: false`.
NULL_MEANS = {"bri": False}


def _index(data: Data) -> dict[str, dict[str, Record]]:
    return {collection: {r["id"]: r for r in records} for collection, records in data.items()}


def _precision(date: Any) -> str:
    return PRECISION[None if date is None else len(str(date))]


def _same(api: Any, curated: Any) -> bool:
    if isinstance(api, float) or isinstance(curated, float):
        return api is not None and curated is not None and float(api) == float(curated)
    if isinstance(curated, int) and not isinstance(curated, bool) and isinstance(api, str):
        return api == str(curated)  # an unquoted year in YAML
    return bool(api == curated)


def _assert_summary(
    summary: Any, target: str, shape: type[BaseModel], record_id: str, index: dict[str, Any]
) -> None:
    assert isinstance(summary, dict), summary
    assert set(summary) == set(shape.model_fields), (target, set(summary))
    assert summary["id"] == record_id
    curated = index[target][record_id]
    for field in shape.model_fields:
        assert _same(summary[field], curated.get(field)), (target, record_id, field)


def test_a_collection_is_summarised_one_way_wherever_it_is_referenced() -> None:
    shapes: dict[str, set[Any]] = defaultdict(set)
    for references in REFERENCES.values():
        for _, target, _, shape in references.values():
            if shape is not None:
                shapes[target].add(shape)
    assert shapes, "no reference is served as a summary"
    assert {target: len(found) for target, found in shapes.items()} == dict.fromkeys(shapes, 1)


@pytest.fixture(scope="module")
def index(dataset: Data) -> dict[str, dict[str, Record]]:
    return _index(dataset)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_item_is_the_curated_record(
    client: TestClient,
    collection: str,
    dataset: Data,
    index: dict[str, dict[str, Record]],
    fetch_all: Callable[..., list[Record]],
) -> None:
    public = PUBLIC[collection]
    listed = {item["id"]: item for item in fetch_all(f"/v1/{collection}")}
    references = REFERENCES.get(collection, {})
    reference_api_fields = {api for api, _, _, _ in references.values()}
    assert dataset[collection]
    for record in dataset[collection]:
        response = client.get(f"/v1/{collection}/{record['id']}")
        assert response.status_code == 200, (collection, record["id"], response.text)
        assert response.headers["content-type"].startswith("application/json")
        item = response.json()
        assert set(item) == set(public.model_fields), (collection, record["id"])
        assert item == listed[record["id"]], "the item differs from the same record in the list"
        for field, value in item.items():
            if field in reference_api_fields or field in SEPARATE:
                continue
            if field.endswith("_precision") and field.removesuffix("_precision") in item:
                assert value == _precision(record.get(field.removesuffix("_precision")))
            elif field in record and record[field] is None and field in NULL_MEANS:
                assert value == NULL_MEANS[field], (collection, record["id"], field)
            elif field in record:
                assert _same(value, record[field]), (collection, record["id"], field)
            elif field in DEFAULTS:
                assert value == DEFAULTS[field], (collection, record["id"], field)
        for field, (api, target, many, shape) in references.items():
            wanted = record.get(field)
            if many:
                got = item[api]
                assert sorted(s["id"] for s in got) == sorted(set(wanted or [])), (record, api)
                for summary in got:
                    _assert_summary(summary, target, shape, summary["id"], index)
            elif api.endswith("_id"):
                assert item[api] == wanted
            elif wanted is None:
                assert item[api] is None, (collection, record["id"], api)
            else:
                _assert_summary(item[api], target, shape, wanted, index)
        if collection != "sources":
            got_citations = [(c["source_id"], c["excerpt"]) for c in item["citations"]]
            assert got_citations == [(c["source"], c["excerpt"]) for c in record["citations"]]


def test_projects_embed_their_figures_and_partners(client: TestClient, dataset: Data) -> None:
    for record in dataset["projects"]:
        item = client.get(f"/v1/projects/{record['id']}").json()
        figures = [{**{"qualifier": "exact"}, **figure} for figure in record.get("figures") or []]
        assert len(item["figures"]) == len(figures), record["id"]
        for got, wanted in zip(item["figures"], figures, strict=True):
            assert set(got) == {"metric", "value", "unit", "qualifier"}
            for key in got:
                assert _same(got[key], wanted[key]), (record["id"], key)
        partners = record.get("partners") or []
        assert [(p["name"], p["country"], p["role"]) for p in item["partners"]] == [
            (p["name"], p.get("country"), p.get("role")) for p in partners
        ]


def test_places_mark_coordinates_as_the_curators(client: TestClient, dataset: Data) -> None:
    # DESIGN: coordinates are gazetteer facts supplied by the curator, marked as such.
    for record in dataset["places"]:
        item = client.get(f"/v1/places/{record['id']}").json()
        assert "curator" in item["coord_source"].lower(), record["id"]
        assert item["coord_precision"] == record.get("coord_precision")


def test_sources_carry_hash_length_text_url_and_credits(
    client: TestClient, dataset: Data, source_texts: dict[str, bytes], index: Any
) -> None:
    for record in dataset["sources"]:
        item = client.get(f"/v1/sources/{record['id']}").json()
        data = source_texts[record["id"]]
        assert item["sha256"] == hashlib.sha256(data).hexdigest()
        assert item["length"] == len(data.decode("utf-8"))
        assert item["text_url"] == f"/v1/sources/{record['id']}/text"
        assert client.get(item["text_url"]).content == data
        credits = record.get("credits") or []
        assert [(c["person_id"], c["role"]) for c in item.get("credits", [])] == [
            (c["person"], c["role"]) for c in credits
        ]
        for credit in item.get("credits", []):
            assert credit["name"] == index["people"][credit["person_id"]]["name"]


# ------------------------------------------------------------------------------ errors


@pytest.mark.parametrize("collection", [*COLLECTIONS, "disagreements"])
def test_unknown_id_is_a_404_problem(
    client: TestClient, collection: str, assert_problem: Any
) -> None:
    body = assert_problem(client.get(f"/v1/{collection}/no-such-record-42"), 404)
    assert "no-such-record-42" in body["detail"]


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("bad", ["Bad_Id", "UPPER", "a.b", "semi;colon", "x" * 121])
def test_id_with_bad_characters_is_a_422_problem(
    client: TestClient, collection: str, bad: str, assert_problem: Any
) -> None:
    assert_problem(client.get(f"/v1/{collection}/{bad}"), 422)


@pytest.mark.parametrize("suffix", ["text", "records"])
def test_unknown_source_text_and_records_are_404_problems(
    client: TestClient, suffix: str, assert_problem: Any
) -> None:
    assert_problem(client.get(f"/v1/sources/no-such-source/{suffix}"), 404)
    assert_problem(client.get(f"/v1/sources/Bad_Id/{suffix}"), 422)


# ------------------------------------------------------------------------------ source texts


def test_source_text_is_the_stored_file_byte_for_byte(
    client: TestClient, source_texts: dict[str, bytes]
) -> None:
    assert source_texts
    for source_id, data in source_texts.items():
        response = client.get(f"/v1/sources/{source_id}/text")
        assert response.status_code == 200
        media_type, _, params = response.headers["content-type"].partition(";")
        assert media_type.strip() == "text/plain"
        assert "utf-8" in params.lower()
        assert response.content == data


def _citing(dataset: Data, source_id: str) -> dict[tuple[str, str], list[str]]:
    """(collection, id) -> the excerpts by which each record cites the source."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for collection, records in dataset.items():
        if collection == "sources":
            continue
        for record in records:
            for citation in record["citations"]:
                if citation["source"] == source_id:
                    found[(collection, record["id"])].append(citation["excerpt"])
    return found


def test_source_records_lists_every_record_citing_it(
    client: TestClient, dataset: Data, index: dict[str, dict[str, Record]]
) -> None:
    for source in dataset["sources"]:
        expected = _citing(dataset, source["id"])
        refs: list[Record] = []
        while True:
            response = client.get(
                f"/v1/sources/{source['id']}/records", params={"limit": 50, "offset": len(refs)}
            )
            assert response.status_code == 200
            body = response.json()
            assert body["total"] == len(expected), source["id"]
            refs += body["items"]
            if not body["items"] or len(refs) >= body["total"]:
                break
        assert len(refs) == len(expected)
        got = {(ref["collection"], ref["id"]): ref for ref in refs}
        assert set(got) == set(expected), source["id"]
        for key, ref in got.items():
            assert ref["url"] == f"/v1/{key[0]}/{key[1]}"
            assert ref["label"]
            assert Counter(c["excerpt"] for c in ref["citations"]) == Counter(expected[key])
            assert all(c["source_id"] == source["id"] for c in ref["citations"])
        # In the order of each record's first excerpt in the text.
        firsts = [min(c["start"] for c in ref["citations"]) for ref in refs]
        assert firsts == sorted(firsts)


def test_source_records_urls_resolve(client: TestClient, dataset: Data) -> None:
    source = dataset["sources"][0]
    body = client.get(f"/v1/sources/{source['id']}/records", params={"limit": 500}).json()
    assert body["items"]
    for ref in body["items"]:
        response = client.get(ref["url"])
        assert response.status_code == 200, ref["url"]
        assert response.json()["id"] == ref["id"]


def _by_cursor(client: TestClient, path: str, limit: int) -> list[Record]:
    """Every item of a list, following `Link: rel="next"` from `after=`."""
    items: list[Record] = []
    response = client.get(path, params={"after": "", "limit": limit})
    while True:
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        match = re.search(r'<([^>]+)>; rel="next"', response.headers.get("link", ""))
        if not match:
            return items
        assert "after=" in match.group(1)
        response = client.get(match.group(1))


@pytest.mark.parametrize("limit", [1, 4, 500])
def test_source_records_page_by_cursor(client: TestClient, dataset: Data, limit: int) -> None:
    for source in dataset["sources"]:
        path = f"/v1/sources/{source['id']}/records"
        everything = client.get(path, params={"limit": 500}).json()["items"]
        assert everything
        assert _by_cursor(client, path, limit) == everything
        # A cursor names a record: collection/id.
        middle = everything[len(everything) // 2]
        cursor = f"{middle['collection']}/{middle['id']}"
        rest = client.get(path, params={"after": cursor, "limit": 500}).json()["items"]
        assert rest == everything[len(everything) // 2 + 1 :]


def test_source_records_cursor_errors(
    client: TestClient, dataset: Data, assert_problem: Any
) -> None:
    citing = _citing(dataset, "sfc-2023-zhang-xiao")
    not_citing = next(p["id"] for p in dataset["people"] if ("people", p["id"]) not in citing)
    path = "/v1/sources/sfc-2023-zhang-xiao/records"
    assert_problem(client.get(path, params={"after": f"people/{not_citing}"}), 404)
    assert_problem(client.get(path, params={"after": "people/no-such-person"}), 404)
    for bad in ("nonsense", "no-such-collection/x", "people/"):
        assert_problem(client.get(path, params={"after": bad}), 422)
    # After a cursor, offset skips records after it: the same records as plain offsets.
    skipped = client.get(path, params={"after": "", "offset": 1, "limit": 3}).json()["items"]
    assert skipped == client.get(path, params={"offset": 1, "limit": 3}).json()["items"]
    for unsupported in ({"sort": "id"}, {"facet": "collection"}):
        assert_problem(client.get(path, params=unsupported), 422)


# ------------------------------------------------------------------------------ meta, health


def test_meta(client: TestClient, dataset: Data) -> None:
    response = client.get("/v1/meta")
    assert response.status_code == 200
    body = response.json()
    assert {"dataset_version", "built_at", "licence", "counts"} <= set(body)
    assert re.fullmatch(r"[0-9a-f]{8,64}", body["dataset_version"])
    built_at = dt.datetime.fromisoformat(body["built_at"])
    assert built_at.tzinfo is not None
    assert built_at <= dt.datetime.now(dt.UTC)
    assert isinstance(body["licence"], str) and body["licence"].strip()
    for collection in COLLECTIONS:
        assert body["counts"][collection] == len(dataset[collection]), collection
    if "citations" in body["counts"]:
        cited = sum(len(r["citations"]) for c in COLLECTIONS[1:] for r in dataset[c])
        assert body["counts"]["citations"] == cited


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_serves_the_meta_dataset_version(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["dataset_version"] == client.get("/v1/meta").json()["dataset_version"]


# ------------------------------------------------------------------------------ disagreements


def _rank_disagreements(dataset: Data) -> dict[str, list[Record]]:
    """Groups of indicators about China's rank among trade partners (the curators' fact_key)
    whose values differ."""
    groups: dict[str, list[Record]] = defaultdict(list)
    for record in dataset["indicators"]:
        if record["metric"] == "trade_partner_rank" and record.get("fact_key"):
            groups[record["fact_key"]].append(record)
    return {
        key: members
        for key, members in groups.items()
        if len({m["value"] for m in members if m.get("value") is not None}) > 1
    }


def test_disagreements_list_the_trade_partner_rank_with_both_sources(
    client: TestClient, dataset: Data
) -> None:
    expected = _rank_disagreements(dataset)
    assert expected, "the data holds a disagreement on China's rank among trade partners"
    response = client.get("/v1/disagreements")
    assert response.status_code == 200
    body = response.json()
    assert {"items", "total"} <= set(body)
    assert body["total"] == len(body["items"])
    groups = {group["id"]: group for group in body["items"]}
    for key, members in expected.items():
        assert key in groups, (key, sorted(groups))
        group = groups[key]
        assert group["collection"] == "indicators"
        assert group["metric"] == "trade_partner_rank"
        assert sorted(group["values"]) == sorted({float(m["value"]) for m in members})
        cited = {c["source"] for m in members for c in m["citations"]}
        assert len(cited) >= 2
        assert set(group["sources"]) == cited
        assert sorted(c["id"] for c in group["claims"]) == sorted(m["id"] for m in members)
        for claim in group["claims"]:
            assert claim["disagreement_id"] == key
            assert claim["citations"]
            item = client.get(f"/v1/indicators/{claim['id']}").json()
            assert item["disagreement_id"] == key
        one = client.get(f"/v1/disagreements/{key}")
        assert one.status_code == 200
        assert one.json() == group


def test_every_disagreement_has_differing_values_from_cited_claims(client: TestClient) -> None:
    for group in client.get("/v1/disagreements").json()["items"]:
        assert len(group["values"]) >= 2, group["id"]
        assert len(group["claims"]) >= 2, group["id"]
        values = {claim["value"] for claim in group["claims"] if claim["value"] is not None}
        assert values == set(group["values"])
        sources = {c["source_id"] for claim in group["claims"] for c in claim["citations"]}
        assert sources == set(group["sources"])
