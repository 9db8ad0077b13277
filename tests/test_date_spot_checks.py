"""Spot checks of dates through the API (issue 10 §8): facts whose date a source gives only
relative to its own date, or not at all, served with the right date, basis and interval."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

Fetch = Callable[..., list[dict[str, Any]]]


def test_visa_free_regime_in_force_in_november_2023(fetch_all: Fetch) -> None:
    # Kazinform (published 2024-06): "Last November, ... visa-free regime ..."
    events = fetch_all("/v1/events", date_basis="relative", year_from=2023, year_to=2023)
    (event,) = [e for e in events if "visa-free" in e["title"].lower()]
    assert event["date"] == "2023-11"
    assert event["date_precision"] == "month"
    assert event["date_text"] == "Last November"
    assert (event["date_start"], event["date_end"]) == ("2023-11-01", "2023-11-30")
    timeline = fetch_all("/v1/timeline", collection="events", date_basis="relative")
    (entry,) = [t for t in timeline if t["record_id"] == event["id"]]
    assert (entry["date"], entry["date_start"], entry["date_end"]) == (
        "2023-11",
        "2023-11-01",
        "2023-11-30",
    )


def test_trade_january_to_may_2024(fetch_all: Fetch, client: TestClient) -> None:
    # Kazinform: "In January-May of this year, ... reached 17.62 billion US dollars"
    stats = fetch_all("/v1/trade-stats", date_basis="relative", metric="trade_turnover")
    (stat,) = [s for s in stats if s["value"] == pytest.approx(17_620_000_000)]
    assert stat["unit"] == "USD"
    assert (stat["period_start"], stat["period_end"]) == ("2024-01-01", "2024-05-31")
    assert stat["date_text"] == "January-May of this year"
    series = client.get("/v1/trade-stats/series", params={"metric": "trade_turnover"}).json()
    points = {p["id"]: p for s in series["series"] for p in s["points"]}
    point = points[stat["id"]]
    assert point["date_basis"] == "relative"
    assert point["period_kind"] == "year_to_date"
    assert point["time"] == "2024-05-31T00:00:00Z"  # where the period ends


def test_zhang_xiao_kazinform_quote_dated_by_publication(fetch_all: Fetch) -> None:
    quotes = fetch_all(
        "/v1/quotes",
        speaker="zhang-xiao",
        source="kazinform-2024-zhang-xiao",
        date_basis="publication",
    )
    assert quotes
    for quote in quotes:
        assert quote["date"] == "2024-06" and quote["date_precision"] == "month"
        assert (quote["date_start"], quote["date_end"]) == ("2024-06-01", "2024-06-30")
    stated = fetch_all("/v1/quotes", speaker="zhang-xiao", date_basis="stated")
    assert not {q["id"] for q in quotes} & {q["id"] for q in stated}


@pytest.mark.parametrize("collection", ["quotes", "events", "trade-stats", "timeline"])
def test_date_basis_is_repeatable_and_means_any_of(collection: str, fetch_all: Fetch) -> None:
    every = fetch_all(f"/v1/{collection}")
    bases = sorted({item["date_basis"] for item in every} - {None})
    assert len(bases) >= 2, f"{collection}: the data should use several bases"
    alone = {
        b: {item["id"] for item in fetch_all(f"/v1/{collection}", date_basis=b)} for b in bases
    }
    for basis in bases:
        assert alone[basis] == {i["id"] for i in every if i["date_basis"] == basis}
    both = {item["id"] for item in fetch_all(f"/v1/{collection}", date_basis=bases[:2])}
    assert both == alone[bases[0]] | alone[bases[1]]


def test_every_date_has_a_basis(fetch_all: Fetch) -> None:
    # The curated data is complete: the loader requires a basis for every date (issue 10).
    for entry in fetch_all("/v1/timeline"):
        assert entry["date_basis"] is not None, entry["id"]
    for quote in fetch_all("/v1/quotes"):
        assert quote["date"] is not None and quote["date_basis"] is not None, quote["id"]
