"""A real uvicorn server stops gracefully: requests in flight at SIGTERM complete."""

import json
import signal
import threading
import time
from pathlib import Path

import httpx

from tests.uvicorn_server import start_uvicorn


def test_sigterm_lets_in_flight_requests_finish(database_url: str, tmp_path: Path) -> None:
    server, base = start_uvicorn(
        database_url, "--timeout-graceful-shutdown", "10", "--no-server-header"
    )
    try:
        served: list[int] = []
        dropped: list[str] = []
        stop = threading.Event()

        def hammer(worker: int) -> None:
            # One connection per request. A request the server never started (refused, or
            # reset in the listen backlog once it stops accepting) fails before any header;
            # one it started must arrive whole.
            while not stop.is_set():
                url = f"{base}/v1/projects?limit=500&offset={worker}&sort=-name"
                try:
                    with httpx.stream(
                        "GET", url, headers={"Connection": "close"}, timeout=10
                    ) as response:
                        try:
                            body = response.read()
                        except httpx.TransportError as exc:
                            dropped.append(type(exc).__name__)
                            return
                except httpx.TransportError:
                    return
                served.append(response.status_code)
                if response.status_code == 200:
                    json.loads(body)

        threads = [threading.Thread(target=hammer, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        # Signal once requests are flowing, not after a fixed sleep: on a loaded machine a
        # fixed second may serve only a handful, and the test is about what is in flight.
        deadline = time.monotonic() + 30
        while len(served) < 24 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.send_signal(signal.SIGTERM)
        # Uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert server.wait(timeout=15) in (0, -signal.SIGTERM)
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        assert len(served) > 20
        assert set(served) == {200}
        assert dropped == []
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
