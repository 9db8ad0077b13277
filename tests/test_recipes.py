"""Every URL in the README's dashboard recipes answers as the recipe says."""

import csv
import io
import json
import re
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from app.config import ROOT

SECTION = (
    ROOT.joinpath("README.md")
    .read_text(encoding="utf-8")
    .split("## Dashboards and clients: recipes", 1)[1]
)
URLS = sorted(set(re.findall(r"http://127\.0\.0\.1:8000(/v1/[^\s\"')`]+)", SECTION)))


def test_the_recipes_name_urls() -> None:
    assert len(URLS) >= 8


@pytest.mark.parametrize("url", URLS)
def test_every_recipe_url_answers(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    path, query = urlsplit(url).path, urlsplit(url).query
    if "format=csv" in query or path.endswith(".csv"):
        assert response.headers["content-type"].startswith("text/csv"), url
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert rows, url
    elif "format=geojson" in query or path.endswith(".geojson"):
        assert response.headers["content-type"] == "application/geo+json", url
        assert response.json()["type"] == "FeatureCollection"
    else:
        assert response.headers["content-type"].startswith("application/json"), url


def test_spreadsheet_csv_is_the_whole_collection(client: TestClient) -> None:
    total = client.get("/v1/projects").json()["total"]
    rows = list(csv.DictReader(io.StringIO(client.get("/v1/projects?format=csv").text)))
    assert len(rows) == total
    assert rows[0]["id"] and json.loads(rows[0]["citations"])


def test_grafana_series_csv_has_plot_columns(client: TestClient) -> None:
    text = client.get("/v1/trade-stats/series?metric=trade_turnover&format=csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {"time", "period_start", "value", "kind", "period_kind"} <= set(rows[0])
    assert {r["kind"] for r in rows} == {"actual", "target"}
    # One series per kind and kind of period (Grafana: partition by both columns).
    for key in {(r["kind"], r["period_kind"]) for r in rows}:
        times = [r["time"] for r in rows if (r["kind"], r["period_kind"]) == key]
        assert times and all(times), key  # every point, targets included, can be placed
        assert times == sorted(times), key


def test_grafana_facet_root_selector(client: TestClient) -> None:
    body = client.get("/v1/projects?limit=1&facet=sector,status").json()
    assert sum(f["count"] for f in body["facets"]["sector"]) == body["total"]


def test_observable_fetch_is_allowed_cross_origin(client: TestClient) -> None:
    response = client.get(
        "/v1/trade-stats/series?metric=trade_turnover",
        headers={"Origin": "https://observablehq.com"},
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.json()["series"][0]["points"]


def test_curl_accept_and_etag(client: TestClient) -> None:
    first = client.get("/v1/quotes", headers={"Accept": "text/csv"})
    assert first.headers["content-type"].startswith("text/csv")
    again = client.get(
        "/v1/quotes", headers={"Accept": "text/csv", "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
