"""A real uvicorn process serving the test database, for tests that need a socket."""

import os
import socket
import subprocess
import sys
import time

import httpx

from app.config import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_uvicorn(database_url: str, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start `uvicorn app.main:app` on a free loopback port with extra `options`, wait until
    /readyz answers 200 (30 s at most), and return the process and its base URL."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DATA_DIR": str(ROOT / "data")}
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--port", str(port), *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    server.wait()
    raise AssertionError("server did not become ready")
