"""SQLite and PostgreSQL give the same answers: byte-identical bodies (apart from the build
time in /v1/meta) for every list, item, filter, sort, facet, cursor, CSV, GeoJSON, series and
disagreement, the timeline, and the same search hits, scores and order.

Runs in the PostgreSQL run of the suite: the session's PostgreSQL database is compared with a
SQLite file built from the same data/.
"""

import importlib
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from app.config import ROOT, Settings
from app.loader.build import build
from app.main import create_app
from app.registry import BY_PATH
from app.registry import COLLECTIONS as REGISTRY
from tests.conftest import COLLECTIONS, DATA_DIR

pytestmark = pytest.mark.postgres

Records = dict[str, list[dict[str, Any]]]
GEO = [c.path for c in REGISTRY if c.geometry is not None]


@pytest.fixture(scope="module")
def sqlite_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The same app on a SQLite file built from the same data/."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'api.sqlite3'}"
    build(url, DATA_DIR)
    settings = Settings(database_url=url, data_dir=DATA_DIR, response_cache_entries=0)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def postgres_client(settings: Settings) -> Iterator[TestClient]:
    """The app on the suite's PostgreSQL database, without the response cache."""
    with TestClient(create_app(settings.model_copy(update={"response_cache_entries": 0}))) as c:
        yield c


def _spec(collection: str) -> Any:
    return BY_PATH[collection].spec


def _urls(dataset: Records) -> list[str]:
    """Many URLs of every kind, derived from the collections' declared sorts and facets."""
    urls = ["/v1/disagreements", "/v1/trade-stats/series?metric=trade_turnover"]
    urls += ["/v1/trade-stats/series?metric=trade_turnover&format=csv"]
    for collection in COLLECTIONS:
        spec = _spec(collection)
        base = f"/v1/{collection}"
        urls += [f"{base}?limit=500", f"{base}?format=csv", f"{base}?limit=7&offset=3"]
        urls.append(f"{base}?limit=1&facet={','.join([*spec.facets, 'source'])}")
        for field in spec.sortable:
            urls += [f"{base}?sort={field}&limit=500", f"{base}?sort=-{field}&limit=500"]
            urls.append(f"{base}?sort={field}&after=&limit=4")
        urls += [f"{base}/{record['id']}" for record in dataset[collection][:8]]
        urls += [f"{base}/{dataset[collection][0]['id']}?format=csv"]
        if collection in GEO:
            urls.append(f"{base}?format=geojson")
    timeline = importlib.import_module("app.queries.timeline").SPEC
    urls += ["/v1/timeline?limit=500", "/v1/timeline?format=csv", "/v1/timeline?after=&limit=9"]
    urls.append(f"/v1/timeline?limit=1&facet={','.join(timeline.facets)}")
    for field in timeline.sortable:
        urls += [f"/v1/timeline?sort={field}&limit=500", f"/v1/timeline?sort=-{field}&limit=500"]
        urls.append(f"/v1/timeline?sort=-{field}&after=&limit=7")
    urls += ["/v1/timeline?year_from=2020&limit=500", "/v1/timeline?collection=awards"]
    for source in dataset["sources"]:
        urls += [f"/v1/sources/{source['id']}/records?limit=500"]
        urls += [f"/v1/sources/{source['id']}/text"]
        urls += [f"/v1/projects?source={source['id']}&limit=500"]
    urls += [
        "/v1/projects?year_from=2015&year_to=2022&limit=500",
        "/v1/events?year_from=2020&limit=500&sort=-date",
        "/v1/quotes?q=cooperation&limit=500",
        "/v1/trade-stats?disputed=true&limit=500",
        "/v1/indicators?disputed=false&limit=500",
    ]
    return urls


def _follow_cursor(client: TestClient, url: str) -> list[bytes]:
    """Every page of a keyset-paged URL, by its Link: rel="next" headers."""
    pages = []
    for _ in range(200):
        response = client.get(url)
        assert response.status_code == 200, (url, response.text)
        pages.append(response.content)
        link = response.links.get("next")
        if not link:
            return pages
        url = link["url"].removeprefix(str(client.base_url))
    raise AssertionError(f"more than 200 pages from {url}")


def _without_build_time(body: bytes) -> Any:
    data = json.loads(body)
    data.pop("built_at", None)
    return data


def test_every_answer_is_byte_identical(
    sqlite_client: TestClient, postgres_client: TestClient, dataset: Records
) -> None:
    urls = _urls(dataset)
    assert len(urls) > 250
    differences = []
    for url in urls:
        if "after=" in url:
            left, right = _follow_cursor(sqlite_client, url), _follow_cursor(postgres_client, url)
        else:
            a, b = sqlite_client.get(url), postgres_client.get(url)
            assert a.status_code == 200, (url, a.text)
            assert b.status_code == 200, (url, b.text)
            assert a.headers["content-type"] == b.headers["content-type"], url
            left, right = [a.content], [b.content]
        if left != right:
            differences.append(url)
    assert differences == [], f"{len(differences)} of {len(urls)} differ: {differences[:20]}"


def test_meta_differs_only_in_build_time(
    sqlite_client: TestClient, postgres_client: TestClient
) -> None:
    a, b = sqlite_client.get("/v1/meta"), postgres_client.get("/v1/meta")
    assert _without_build_time(a.content) == _without_build_time(b.content)


def test_data_package_differs_only_in_build_time(
    sqlite_client: TestClient, postgres_client: TestClient
) -> None:
    """The data package (its descriptor, and every CSV resource it lists) is the same on
    both engines, apart from when it was built."""
    a, b = sqlite_client.get("/v1/datapackage.json"), postgres_client.get("/v1/datapackage.json")
    assert a.status_code == b.status_code == 200
    left, right = a.json(), b.json()
    left.pop("created"), right.pop("created")
    assert left == right
    paths = [r["path"] for r in left["resources"] if isinstance(r.get("path"), str)]
    assert paths
    for path in paths:
        url = path if path.startswith("/") else f"/v1/{path}"
        one, other = sqlite_client.get(url), postgres_client.get(url)
        assert one.status_code == 200, (url, one.text)
        assert one.content == other.content, url


def _readme_queries() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return sorted({unquote(q) for q in re.findall(r"/v1/search\?q=([^\s\"'&)`]+)", readme)})


# The tests' queries (tests/test_search.py, test_hardening.py) and the README's.
SEARCHES = [
    "wind",
    "farm",
    "wind farm",
    "wind OR farm",
    "wind NOT farm",
    '"wind farm"',
    "Kazakhstan",
    "Kazakh*",
    "cooperation",
    "China",
    "China-Kazakhstan",
    "Zhang Xiao",
    "Zhanatas",
    "Altyn Qyran",
    "哈萨克斯坦",
    "施诗",
]


@pytest.mark.parametrize("q", sorted({*SEARCHES, *_readme_queries()}))
def test_search_ranks_the_same_hits_the_same(
    sqlite_client: TestClient, postgres_client: TestClient, q: str
) -> None:
    """Both engines find the same hits (records and passages) for the same text, with the
    same bm25 scores, in the same order; every PostgreSQL snippet marks what matched."""
    a = sqlite_client.get("/v1/search", params={"q": q, "limit": 500}).json()
    b = postgres_client.get("/v1/search", params={"q": q, "limit": 500}).json()
    assert a["total"] == b["total"] > 0, q
    ranked = [[(h["collection"], h["id"], h["start"]) for h in x["items"]] for x in (a, b)]
    assert ranked[0] == ranked[1], q
    for left, right in zip(a["items"], b["items"], strict=True):
        assert right["score"] == pytest.approx(left["score"], rel=1e-9, abs=1e-12), (q, left)
        assert "<mark>" in right["snippet"], (q, right)
