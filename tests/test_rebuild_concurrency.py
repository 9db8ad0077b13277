"""Rebuilding the database under a serving app: no request fails, none sees a third state, and
the new dataset is served once the rebuild is done (on SQLite at once; on PostgreSQL within
the version check interval)."""

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.testclient import TestClient

from app.config import ROOT
from app.deps import get_session
from app.loader.build import build
from tests.conftest import ON_POSTGRES

Records = dict[str, list[dict[str, Any]]]
THREADS = 4
REQUESTS_PER_THREAD = 150
REBUILDS = 3  # alternating new, old, new: the last one leaves the new dataset


def _etag_version(etag: str) -> str:
    return etag.strip('"').removeprefix("W/").strip('"').split("-", 1)[0]


def _until_noticed(app: TestClient) -> None:
    """Wait until a service on PostgreSQL has checked for a new build (SQLite checks the file
    on every request)."""
    if ON_POSTGRES:
        time.sleep(app.app.state.settings.version_check_s + 0.05)  # type: ignore[attr-defined]


def test_requests_during_rebuilds(
    make_client: Callable[..., TestClient],
    change_description: Callable[[Path, str, str], None],
    data_copy: Path,
    dataset: Records,
    new_database_url: Callable[[], str],
) -> None:
    project = dataset["projects"][0]["id"]
    new_description = "Changed while the app was serving."
    change_description(data_copy / "projects.yaml", project, new_description)

    url = new_database_url()
    old_version = build(url, ROOT / "data").dataset_version
    app = make_client(database_url=url)
    first = app.get("/v1/meta").json()["dataset_version"]
    assert first == old_version

    done = threading.Event()
    failures: list[str] = []
    versions: list[tuple[str, str]] = []  # (body version, ETag version) of /v1/meta answers
    descriptions: set[str] = set()
    new_version: list[str] = []
    lock = threading.Lock()

    def rebuild() -> None:
        try:
            for n in range(REBUILDS):
                result = build(url, data_copy if n % 2 == 0 else ROOT / "data")
                if n == 0:
                    new_version.append(result.dataset_version)
        except Exception as exc:  # reported below, not swallowed
            failures.append(f"rebuild: {exc!r}")
        finally:
            done.set()

    def serve(worker: int) -> None:
        n = 0
        while n < REQUESTS_PER_THREAD or not done.is_set():
            # A request no other request makes (a unique Accept header or query) misses the
            # response cache and reads the database; plain /v1/meta is cached once per version.
            unique = n * THREADS + worker
            path, accept = [
                ("/v1/meta", "application/json"),
                ("/v1/meta", f"application/json; variant={unique}"),
                (f"/v1/projects?limit=3&offset={unique}", "application/json"),
            ][n % 3]
            try:
                response = app.get(path, headers={"Accept": accept})
            except Exception as exc:
                failures.append(f"{path}: {exc!r}")
                return
            if response.status_code != 200:
                failures.append(f"{path}: {response.status_code} {response.text[:200]}")
            elif path.startswith("/v1/meta"):
                body_version = response.json()["dataset_version"]
                with lock:
                    versions.append((body_version, _etag_version(response.headers["etag"])))
            n += 1
            if n > 20 * REQUESTS_PER_THREAD:
                break
            time.sleep(0.001)  # let the builder have the GIL now and then
        item = app.get(f"/v1/projects/{project}")
        if item.status_code == 200:
            with lock:
                descriptions.add(item.json()["description"])

    workers = [threading.Thread(target=serve, args=(i,)) for i in range(THREADS)]
    builder = threading.Thread(target=rebuild)
    for thread in [*workers, builder]:
        thread.start()
    for thread in [builder, *workers]:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a thread did not finish"

    assert failures == [], failures[:10]
    assert new_version and new_version[0] != old_version
    allowed = {old_version, new_version[0]}
    assert len(versions) >= THREADS * REQUESTS_PER_THREAD // 2
    assert {body for body, _ in versions} <= allowed
    assert {etag for _, etag in versions} <= allowed
    mismatched = [pair for pair in versions if pair[0] != pair[1]]
    assert mismatched == [], f"ETag of one version on the body of another: {mismatched[:5]}"

    # After the last rebuild every new request sees the new dataset, cached or not.
    _until_noticed(app)
    for _ in range(3):
        meta = app.get("/v1/meta")
        assert meta.json()["dataset_version"] == new_version[0]
        assert _etag_version(meta.headers["etag"]) == new_version[0]
        assert app.get(f"/v1/projects/{project}").json()["description"] == new_description
        listed = app.get("/v1/projects", params={"limit": 500}).json()["items"]
        assert {p["id"]: p["description"] for p in listed}[project] == new_description


def test_rebuild_landing_mid_request_does_not_mislabel_the_answer(
    make_client: Callable[..., TestClient],
    change_description: Callable[[Path, str, str], None],
    data_copy: Path,
    dataset: Records,
    new_database_url: Callable[[], str],
) -> None:
    """The race above, made deterministic: a rebuild replaces the file after the request has
    started (here: just before its session opens). The answer's ETag must name the version of
    the body, and the cache must not keep the new body under the old version's key (a later
    rollback to the old dataset would then be answered with the new one)."""
    change_description(data_copy / "projects.yaml", dataset["projects"][0]["id"], "Changed.")
    url = new_database_url()
    old_version = build(url, ROOT / "data").dataset_version
    app = make_client(database_url=url)
    fastapi_app: Any = app.app
    rebuilt: list[str] = []

    def session_after_a_rebuild(request: Request) -> Iterator[Any]:
        if not rebuilt:
            rebuilt.append(build(url, data_copy).dataset_version)
        yield from get_session(request)

    fastapi_app.dependency_overrides[get_session] = session_after_a_rebuild
    try:
        during = app.get("/v1/meta")
    finally:
        fastapi_app.dependency_overrides.clear()
    assert rebuilt and rebuilt[0] != old_version
    assert during.status_code == 200
    assert _etag_version(during.headers["etag"]) == during.json()["dataset_version"]

    # Roll back to the old dataset: the old version's answer must be the old body.
    assert build(url, ROOT / "data").dataset_version == old_version
    _until_noticed(app)
    after = app.get("/v1/meta")
    assert after.json()["dataset_version"] == old_version
    assert _etag_version(after.headers["etag"]) == old_version
