"""Start here: `/` and `/v1` name the service and the dataset version, and link to every
collection and endpoint that exists (and nothing that does not); /healthz says the version."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import COLLECTIONS

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# A value for each query parameter a link says its endpoint requires.
PARAMETER_VALUES = {"q": "wind", "metric": "trade_turnover"}


def url_of(link: dict[str, Any]) -> str:
    """The link's href with a test value for each parameter it names."""
    query = "&".join(f"{name}={PARAMETER_VALUES[name]}" for name in link["parameters"])
    return f"{link['href']}?{query}" if query else str(link["href"])


@pytest.mark.parametrize("path", ["/", "/v1"])
def test_index_names_the_service_and_the_dataset(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["name"] == "Bilateral Relations API"
    assert body["dataset_version"] == client.get("/v1/meta").json()["dataset_version"]
    assert body["api_version"] == client.get("/openapi.json").json()["info"]["version"]
    assert set(body["collections"]) == set(COLLECTIONS)
    for name, link in body["collections"].items():
        assert link["href"] == f"/v1/{name}" and link["title"] and link["parameters"] == []
    for name in ("meta", "search", "docs", "redoc", "openapi", "problems", "health"):
        assert name in body["links"], name
    assert client.get(path, headers={"Accept": "*/*"}).json() == body
    assert client.get(path, headers={"Accept": ""}).json() == body


def test_every_link_leads_somewhere(client: TestClient) -> None:
    body = client.get("/v1").json()
    for name, link in {**body["collections"], **body["links"]}.items():
        response = client.get(url_of(link))
        assert response.status_code == 200, (name, link, response.text[:200])
        # A plain path, never an RFC 6570 template: a client follows it as it is.
        assert not set("{}?#") & set(link["href"]), link
        if link["parameters"]:  # the parameters it names are required indeed
            response = client.get(link["href"])
            assert response.status_code == 422, (name, link)
            missing = {error["loc"][-1] for error in response.json()["errors"]}
            assert missing == set(link["parameters"]), (name, response.text)
    for name in body["collections"]:
        assert "items" in client.get(f"/v1/{name}").json()
    assert body["links"]["search"]["parameters"] == ["q"]
    assert body["links"]["trade-stats/series"]["parameters"] == ["metric"]


def test_every_endpoint_is_linked(client: TestClient) -> None:
    """Each GET path under /v1 without a path parameter is in the index (so the timeline and
    the data package appear once they exist)."""
    body = client.get("/v1").json()
    linked = {link["href"] for link in body["links"].values()}
    linked |= {link["href"] for link in body["collections"].values()}
    paths = client.get("/openapi.json").json()["paths"]
    for path, item in paths.items():
        if "get" in item and path.startswith("/v1/") and "{" not in path:
            assert path in linked, path


def test_index_for_a_browser_is_html(client: TestClient) -> None:
    for path in ("/", "/v1"):
        response = client.get(path, headers={"Accept": BROWSER_ACCEPT})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        version = client.get("/v1/meta").json()["dataset_version"]
        assert version in response.text
        for name in COLLECTIONS:
            assert f'href="/v1/{name}"' in response.text
        assert 'href="/docs"' in response.text
    for path in ("/", "/v1"):
        json_etag = client.get(path).headers["etag"]
        html_etag = client.get(path, headers={"Accept": BROWSER_ACCEPT}).headers["etag"]
        assert json_etag != html_etag
        assert client.get(path, headers={"If-None-Match": json_etag}).status_code == 304


def test_index_answers_head_and_refuses_parameters(
    client: TestClient, assert_problem: Callable[..., dict[str, Any]]
) -> None:
    for path in ("/", "/v1"):
        head = client.head(path)
        assert head.status_code == 200 and head.content == b""
        assert_problem(client.get(path, params={"x": "1"}), 422)


def test_without_docs_the_index_does_not_link_them(
    make_client: Callable[..., TestClient],
) -> None:
    body = make_client(docs_enabled=False).get("/v1").json()
    assert not {"docs", "redoc", "openapi"} & set(body["links"])
    assert set(body["collections"]) == set(COLLECTIONS)


def test_healthz_reports_the_dataset_version(client: TestClient) -> None:
    version = client.get("/v1/meta").json()["dataset_version"]
    assert client.get("/healthz").json() == {"status": "ok", "dataset_version": version}
    assert client.get("/readyz").json() == {"status": "ok", "dataset_version": version}
