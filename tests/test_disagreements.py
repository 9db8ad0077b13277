"""Disagreements between sources: /v1/disagreements, the records' disagreement_id, ?disputed=.

The expected groups are worked out from data/*.yaml: figures about the same fact (the curator's
fact_key, or the same metric, pair, period and kind) whose stated values differ.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

Records = dict[str, list[dict[str, Any]]]
FIGURES = ("trade-stats", "indicators")


def _fact(record: dict[str, Any]) -> tuple[Any, ...] | None:
    if record.get("fact_key"):
        return ("key", record["fact_key"])
    if not (record.get("period_start") or record.get("period_end")):
        return None
    fields = (
        "pair",
        "metric",
        "period_start",
        "period_end",
        "kind",
        "exporter",
        "importer",
        "subject",
    )
    return ("period", *(record.get(field) for field in fields))


@pytest.fixture(scope="module")
def expected_groups(dataset: Records) -> list[tuple[str, frozenset[str]]]:
    """(collection, ids of the claims) of every fact on which the data's sources disagree."""
    groups = []
    for collection in FIGURES:
        facts: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
        for record in dataset[collection]:
            fact = _fact(record)
            if fact is not None:
                facts[fact].append(record)
        for records in facts.values():
            values = {(r["value"], r["unit"]) for r in records if r["value"] is not None}
            if len(values) > 1:
                groups.append((collection, frozenset(r["id"] for r in records)))
    return groups


@pytest.fixture(scope="module")
def listed(client: TestClient) -> dict[str, Any]:
    response = client.get("/v1/disagreements")
    assert response.status_code == 200, response.text
    return response.json()


def test_lists_every_disagreement(
    listed: dict[str, Any], expected_groups: list[tuple[str, frozenset[str]]]
) -> None:
    assert expected_groups, "the data hold no disagreement; nothing is checked"
    assert listed["total"] == len(listed["items"]) == len(expected_groups)
    served = [
        (item["collection"], frozenset(claim["id"] for claim in item["claims"]))
        for item in listed["items"]
    ]
    assert sorted(served, key=repr) == sorted(expected_groups, key=repr)
    assert len({item["id"] for item in listed["items"]}) == len(listed["items"])


def test_china_rank_among_kazakhstan_trade_partners(listed: dict[str, Any]) -> None:
    """The sources' known disagreement: China first (Kazinform) or second (SFC) partner."""
    ranks = [item for item in listed["items"] if item["metric"] == "trade_partner_rank"]
    assert len(ranks) == 1
    rank = ranks[0]
    assert sorted(rank["values"]) == [1, 2]
    assert set(rank["sources"]) == {"kazinform-2024-zhang-xiao", "sfc-2023-zhang-xiao"}
    by_source = {claim["citations"][0]["source_id"]: claim["value"] for claim in rank["claims"]}
    assert by_source == {"kazinform-2024-zhang-xiao": 1, "sfc-2023-zhang-xiao": 2}


def test_each_claim_carries_its_citations(
    client: TestClient, listed: dict[str, Any], dataset: Records
) -> None:
    texts: dict[str, str] = {}
    records = {r["id"]: r for name in FIGURES for r in dataset[name]}
    for item in listed["items"]:
        values = []
        sources = []
        for claim in item["claims"]:
            assert claim["disagreement_id"] == item["id"]
            assert claim["metric"] == item["metric"]
            assert claim["citations"], claim["id"]
            expected = [(c["source"], c["excerpt"]) for c in records[claim["id"]]["citations"]]
            assert [(c["source_id"], c["excerpt"]) for c in claim["citations"]] == expected
            for citation in claim["citations"]:
                source = citation["source_id"]
                if source not in texts:
                    texts[source] = client.get(f"/v1/sources/{source}/text").text
                text = texts[source]
                assert text[citation["start"] : citation["end"]] == citation["excerpt"]
                if source not in sources:
                    sources.append(source)
            if claim["value"] is not None and claim["value"] not in values:
                values.append(claim["value"])
        assert sorted(item["values"]) == sorted(values)
        assert len(item["values"]) >= 2
        assert sorted(item["sources"]) == sorted(sources)


def test_records_carry_their_disagreement_id(client: TestClient, listed: dict[str, Any]) -> None:
    for item in listed["items"]:
        for claim in item["claims"]:
            record = client.get(f"/v1/{item['collection']}/{claim['id']}").json()
            assert record["disagreement_id"] == item["id"]


@pytest.mark.parametrize("collection", FIGURES)
def test_disputed_filter(
    client: TestClient,
    collection: str,
    listed: dict[str, Any],
    fetch_all: Callable[..., list[dict[str, Any]]],
) -> None:
    claims = {
        claim["id"]
        for item in listed["items"]
        if item["collection"] == collection
        for claim in item["claims"]
    }
    everything = {r["id"] for r in fetch_all(f"/v1/{collection}")}
    disputed = fetch_all(f"/v1/{collection}", disputed="true")
    undisputed = fetch_all(f"/v1/{collection}", disputed="false")
    assert {r["id"] for r in disputed} == claims
    assert all(r["disagreement_id"] for r in disputed)
    assert {r["id"] for r in undisputed} == everything - claims
    assert all(r["disagreement_id"] is None for r in undisputed)


def test_one_disagreement_by_id(client: TestClient, listed: dict[str, Any]) -> None:
    for item in listed["items"]:
        response = client.get(f"/v1/disagreements/{item['id']}")
        assert response.status_code == 200
        assert response.json() == item


def test_unknown_disagreement_is_a_404_problem(
    client: TestClient, assert_problem: Callable[..., dict[str, Any]]
) -> None:
    assert_problem(client.get("/v1/disagreements/no-such-fact"), 404)
