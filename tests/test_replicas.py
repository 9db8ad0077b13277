"""Real servers (uvicorn processes) on one database: a burst of concurrent uncached requests
is served without an error, and two replicas both follow a rebuild made while they serve
(answers, ETags and /v1/meta), on either engine."""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from app.config import ROOT
from app.loader.build import build

Records = dict[str, list[dict[str, Any]]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(database_url: str, **env: str) -> Iterator[str]:
    """A uvicorn process serving `database_url`; yields its base URL once it is ready."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "DATA_DIR": str(ROOT / "data"), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_burst_of_uncached_requests_is_served_without_errors(database_url: str) -> None:
    """64 concurrent requests, each for a URL no other asks (so none is answered from the
    cache): every one gets a 200, none waits for a connection longer than the pool allows."""
    with _server(database_url, RESPONSE_CACHE_ENTRIES="0") as base:
        statuses: list[int] = []
        lock = threading.Lock()
        start = threading.Barrier(64)

        def one(n: int) -> None:
            start.wait()
            try:
                response = httpx.get(
                    f"{base}/v1/people", params={"limit": 1, "offset": n}, timeout=60
                )
                status = response.status_code
            except httpx.TransportError as exc:
                status = -1
                print(exc)
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=one, args=(n,)) for n in range(64)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert statuses == [200] * 64


def test_two_replicas_follow_a_rebuild_made_while_they_serve(
    new_database_url: Callable[[], str],
    change_description: Callable[[Path, str, str], None],
    data_copy: Path,
    dataset: Records,
) -> None:
    project = dataset["projects"][0]["id"]
    change_description(data_copy / "projects.yaml", project, "Changed while two replicas served.")
    url = new_database_url()
    old_version = build(url, ROOT / "data").dataset_version
    with _server(url) as first, _server(url) as second:
        replicas = (first, second)
        old_etags = {}
        for base in replicas:
            meta = httpx.get(f"{base}/v1/meta", timeout=10)
            assert meta.json()["dataset_version"] == old_version
            old_etags[base] = httpx.get(f"{base}/v1/projects/{project}", timeout=10).headers["etag"]

        failures: list[str] = []
        done = threading.Event()

        def hammer(base: str) -> None:
            n = 0
            while not done.is_set():
                path = ["/v1/meta", f"/v1/projects/{project}", f"/v1/projects?offset={n % 24}"]
                response = httpx.get(f"{base}{path[n % 3]}", timeout=30)
                if response.status_code != 200:
                    failures.append(f"{base}{path[n % 3]}: {response.status_code}")
                n += 1
                time.sleep(0.02)  # steady traffic, without starving the build of CPU

        threads = [threading.Thread(target=hammer, args=(base,)) for base in replicas]
        for thread in threads:
            thread.start()
        try:
            new_version = build(url, data_copy).dataset_version
        finally:
            time.sleep(0.5)
            done.set()
            for thread in threads:
                thread.join(timeout=60)
        assert failures == []
        assert new_version != old_version

        # Each replica serves the new dataset within its version check interval, from its
        # cache as well as from the database, and an old ETag no longer gets a 304.
        for base in replicas:
            deadline = time.monotonic() + 10
            while httpx.get(f"{base}/v1/meta", timeout=10).json()["dataset_version"] != (
                new_version
            ):
                assert time.monotonic() < deadline, f"{base} still serves {old_version}"
                time.sleep(0.1)
            item = httpx.get(f"{base}/v1/projects/{project}", timeout=10)
            assert item.json()["description"] == "Changed while two replicas served."
            assert item.headers["etag"] != old_etags[base]
            again = httpx.get(
                f"{base}/v1/projects/{project}",
                headers={"If-None-Match": old_etags[base]},
                timeout=10,
            )
            assert again.status_code == 200
            assert again.headers["etag"] == item.headers["etag"]
