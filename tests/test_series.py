"""The trade time series: /v1/trade-stats/series, expectations from data/trade_stats.yaml."""

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

Records = dict[str, list[dict[str, Any]]]
METRIC = "trade_turnover"


def _period_key(record: dict[str, Any]) -> str:
    """Where the point sits on a time axis: the last day of its period (a target's deadline),
    or its first where no end is stated."""
    return record["period_end"] or record["period_start"]


def _period_kind(record: dict[str, Any]) -> str:
    """The kind of period a figure covers, from its dates as the data file gives them."""
    start, end = record["period_start"], record["period_end"]
    if start is None:
        return "until"
    if end is None or not start.endswith("-01-01") or start[:4] != end[:4]:
        return "other"
    return "year" if end.endswith("-12-31") else "year_to_date"


@pytest.fixture(scope="module")
def stated(dataset: Records) -> list[dict[str, Any]]:
    """The trade_turnover figures of the data, with and without a stated period."""
    records = [r for r in dataset["trade-stats"] if r["metric"] == METRIC]
    assert records
    return records


@pytest.fixture(scope="module")
def series(client: TestClient) -> dict[str, Any]:
    response = client.get("/v1/trade-stats/series", params={"metric": METRIC})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_series_holds_every_figure_with_a_period(
    series: dict[str, Any], stated: list[dict[str, Any]]
) -> None:
    assert series["metric"] == METRIC
    points = [point for s in series["series"] for point in s["points"]]
    with_period = [r for r in stated if r["period_start"] or r["period_end"]]
    assert sorted(p["id"] for p in points) == sorted(r["id"] for r in with_period)
    # The year-to-date figures ("January-May of this year") are in at their resolved periods.
    periods = {p["id"]: (p["period_start"], p["period_end"]) for p in points}
    assert periods["cn-kz-trade-turnover-jan-jul-sfc"] == ("2023-01-01", "2023-07-31")
    assert periods["cn-kz-trade-turnover-jan-may-kazinform"] == ("2024-01-01", "2024-05-31")


def test_one_series_per_kind_and_kind_of_period_sorted_by_time(
    series: dict[str, Any], stated: list[dict[str, Any]]
) -> None:
    keys = [(s["kind"], s["period_kind"]) for s in series["series"]]
    assert len(keys) == len(set(keys))
    with_period = [r for r in stated if r["period_start"] or r["period_end"]]
    assert set(keys) == {(r["kind"], _period_kind(r)) for r in with_period}
    assert {"actual", "target"} <= {kind for kind, _ in keys}, "the data state both kinds"
    assert {"year", "year_to_date"} <= {pk for _, pk in keys}, "and years and years to date"
    # Actual before target; within a kind, whole years, years to date, other, until.
    order = ["year", "year_to_date", "other", "until"]
    assert keys == sorted(keys, key=lambda key: (key[0], order.index(key[1])))
    by_id = {r["id"]: r for r in stated}
    for one in series["series"]:
        assert one["points"]
        for point in one["points"]:
            assert (point["kind"], point["period_kind"]) == (one["kind"], one["period_kind"])
            assert point["period_kind"] == _period_kind(by_id[point["id"]]), point["id"]
        periods = [_period_key(by_id[point["id"]]) for point in one["points"]]
        assert periods == sorted(periods), one["kind"]


def test_no_two_periods_of_a_series_share_a_time(series: dict[str, Any]) -> None:
    """A time-series tool draws one value per instant: two points of one series have one
    time only if they state the same period (sources disagreeing on it)."""
    for one in series["series"]:
        periods: dict[str, set[tuple[Any, Any]]] = {}
        for point in one["points"]:
            periods.setdefault(point["time"], set()).add(
                (point["period_start"], point["period_end"])
            )
        assert all(len(found) == 1 for found in periods.values()), one
    # The case that collided: January-July 2023 and the whole of 2023 began on one day.
    where = {
        p["id"]: (s["kind"], s["period_kind"], p["time"])
        for s in series["series"]
        for p in s["points"]
    }
    assert where["cn-kz-trade-turnover-jan-jul-sfc"] == (
        "actual",
        "year_to_date",
        "2023-07-31T00:00:00Z",
    )
    assert where["cn-kz-trade-turnover-2023"] == ("actual", "year", "2023-12-31T00:00:00Z")


def test_each_point_says_what_the_data_say(
    client: TestClient, series: dict[str, Any], stated: list[dict[str, Any]]
) -> None:
    by_id = {r["id"]: r for r in stated}
    for point in (p for s in series["series"] for p in s["points"]):
        record = by_id[point["id"]]
        for key in ("period_start", "period_end", "period_label", "unit", "kind"):
            assert point[key] == record[key], (point["id"], key)
        assert point["value"] == pytest.approx(record["value"])
        assert point["qualifier"] == record.get("qualifier", "exact")
        if record.get("yoy_change_pct") is None:
            assert point["yoy_change_pct"] is None
        else:
            assert point["yoy_change_pct"] == pytest.approx(record["yoy_change_pct"])
        sources = list(dict.fromkeys(c["source"] for c in record["citations"]))
        assert point["sources"] == sources, point["id"]
        item = client.get(f"/v1/trade-stats/{point['id']}").json()
        assert point["disputed"] == (item["disagreement_id"] is not None)
        assert point["date_basis"] == record.get("date_basis"), point["id"]
        assert point["date_text"] == record.get("date_text"), point["id"]
        stated_by = point["stated_by"]["id"] if point["stated_by"] else None
        assert stated_by == record.get("stated_by"), point["id"]


def test_a_point_has_a_time_and_a_target_its_deadline(series: dict[str, Any]) -> None:
    points = [p for s in series["series"] for p in s["points"]]
    assert any(p["kind"] == "target" for p in points)
    for point in points:
        if point["kind"] == "target":
            assert point["period_end"], point["id"]
            assert point["deadline"] == f"{point['period_end']}T00:00:00Z"
            assert point["time"] == point["deadline"]
        else:
            assert point["deadline"] is None
        day = point["period_end"] or point["period_start"]
        assert point["time"] == f"{day}T00:00:00Z"


@pytest.mark.parametrize("how", ["format", "accept"])
def test_series_as_csv(client: TestClient, series: dict[str, Any], how: str) -> None:
    params: dict[str, str] = {"metric": METRIC}
    headers = {}
    if how == "format":
        params["format"] = "csv"
    else:
        headers["Accept"] = "text/csv"
    response = client.get("/v1/trade-stats/series", params=params, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))
    points = [p for s in series["series"] for p in s["points"]]
    assert [row["id"] for row in rows] == [p["id"] for p in points]
    for row, point in zip(rows, points, strict=True):
        assert row["kind"] == point["kind"]
        assert row["period_kind"] == point["period_kind"]
        assert json.loads(row["sources"]) == point["sources"]
        assert row["period_start"] == (point["period_start"] or "")
        assert float(row["value"]) == pytest.approx(point["value"])
        assert row["disputed"] == ("true" if point["disputed"] else "false")
        assert row["time"] == point["time"]
        assert row["deadline"] == (point["deadline"] or "")
        assert row["date_basis"] == (point["date_basis"] or "")
        assert row["stated_by_id"] == (point["stated_by"] or {}).get("id", "")


def test_unknown_metric_is_a_422_listing_the_metrics(
    client: TestClient, vocabularies: dict[str, dict[str, str]]
) -> None:
    for params in ({"metric": "no_such_metric"}, {"metric": "nope", "format": "csv"}):
        response = client.get("/v1/trade-stats/series", params=params)
        assert response.status_code == 422
        assert response.json()["allowed"] == list(vocabularies["trade_metric"])


def test_a_metric_nothing_states_is_an_empty_series(
    client: TestClient,
    vocabularies: dict[str, dict[str, str]],
    dataset: dict[str, list[dict[str, Any]]],
) -> None:
    stated = {record["metric"] for record in dataset["trade-stats"]}
    unused = [term for term in vocabularies["trade_metric"] if term not in stated]
    if not unused:
        pytest.skip("every trade metric has a statistic")
    metric = unused[0]
    response = client.get("/v1/trade-stats/series", params={"metric": metric})
    assert response.status_code == 200
    assert response.json() == {"metric": metric, "pair": None, "series": []}
    as_csv = client.get("/v1/trade-stats/series", params={"metric": metric, "format": "csv"})
    rows = list(csv.reader(io.StringIO(as_csv.text, newline="")))
    assert len(rows) == 1 and "id" in rows[0]


def test_pair_filter(client: TestClient, stated: list[dict[str, Any]]) -> None:
    pair = stated[0]["pair"]
    same = client.get("/v1/trade-stats/series", params={"metric": METRIC, "pair": pair}).json()
    assert same["pair"] == pair
    expected = {
        r["id"] for r in stated if r["pair"] == pair and (r["period_start"] or r["period_end"])
    }
    assert {p["id"] for s in same["series"] for p in s["points"]} == expected
    other = client.get("/v1/trade-stats/series", params={"metric": METRIC, "pair": "XX-YY"})
    assert other.json()["series"] == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"metric": ""},
        {"metric": "x" * 201},
        {"metric": METRIC, "format": "geojson"},
        {"metric": METRIC, "limit": 5},
    ],
)
def test_bad_series_requests_are_422_problems(
    client: TestClient, params: dict[str, Any], assert_problem: Callable[..., dict[str, Any]]
) -> None:
    assert_problem(client.get("/v1/trade-stats/series", params=params), 422)


def test_series_refuses_unavailable_media_types(
    client: TestClient, assert_problem: Callable[..., dict[str, Any]]
) -> None:
    response = client.get(
        "/v1/trade-stats/series", params={"metric": METRIC}, headers={"Accept": "application/xml"}
    )
    assert_problem(response, 406)
