"""A bounded load burst against a real server: errors (0 expected) and the server's memory.

Starts `python -m app serve` (uvicorn) on 127.0.0.1 on a free port, over a database built from
data/ in a temporary folder, sends a fixed number of GET requests over a fixed number of
connections across the main endpoints, reports, stops the server and exits: 0 when every
answer was a 200 and no connection failed, 1 otherwise.

    .venv/bin/python tests/load/run_load.py                       # 100,000 requests, 64 conns
    .venv/bin/python tests/load/run_load.py --requests 5000 --connections 16
    .venv/bin/python tests/load/run_load.py --client httpx        # without wrk
    .venv/bin/python tests/load/run_load.py --no-cache            # every request reads the DB

Not a pytest module (pytest collects only test_*.py); see tests/load/README.md.
"""

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]

# The main endpoints; {project}, {source} and {place} are filled from the served data.
PATHS = [
    "/v1/projects",
    "/v1/projects?sector=renewable_energy&sort=-completion_date",
    "/v1/projects/{project}",
    "/v1/projects?format=csv",
    "/v1/places?format=geojson",
    "/v1/places/{place}",
    "/v1/quotes?limit=20",
    "/v1/events?year_from=2020",
    "/v1/sister-cities?format=geojson",
    "/v1/trade-stats/series?metric=trade_turnover",
    "/v1/disagreements",
    "/v1/search?q=Kazakhstan",
    "/v1/sources/{source}/records",
    "/v1/meta",
    "/healthz",
]

WRK_SCRIPT = """
local paths = {%(paths)s}
local per_thread = %(per_thread)d
local marks = %(marks)s
local counter = 0
local index = 0
local threads = {}

setup = function(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

init = function(args)
  index = id %% #paths
end

request = function()
  index = index %% #paths + 1
  return wrk.format("GET", paths[index])
end

response = function(status, headers, body)
  counter = counter + 1
  if counter == per_thread then
    -- wrk itself runs until -d; the driver interrupts it once every thread has marked.
    local mark = io.open(marks .. "/" .. id, "w")
    mark:close()
    wrk.thread:stop()
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LOAD_JSON {"requests":%%d,"duration_us":%%d,"non_2xx_3xx":%%d,"connect":%%d,' ..
    '"read":%%d,"write":%%d,"timeout":%%d,"p50_us":%%.1f,"p99_us":%%.1f,"max_us":%%.1f}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


@dataclass
class Result:
    """What a burst did."""

    requests: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    connection_errors: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    client: str = ""

    @property
    def errors(self) -> int:
        """Answers that were not 200, and requests that got no answer."""
        bad = sum(count for status, count in self.statuses.items() if status != 200)
        return bad + self.connection_errors


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (peak resident) of a process, in KiB, from /proc."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def start_server(port: int, database_url: str, cache: bool) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "DATA_DIR": str(ROOT / "data")}
    if not cache:
        env["RESPONSE_CACHE_ENTRIES"] = "0"  # every request reads the database
    return subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            stderr = server.stderr.read().decode() if server.stderr else ""
            raise SystemExit(f"the server exited with {server.returncode}:\n{stderr}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become ready")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def resolve_paths(base: str) -> list[str]:
    """PATHS with real ids, each checked once (200) before the burst."""
    ids = {
        "project": httpx.get(f"{base}/v1/projects?limit=1").json()["items"][0]["id"],
        "place": httpx.get(f"{base}/v1/places?limit=1").json()["items"][0]["id"],
        "source": httpx.get(f"{base}/v1/sources?limit=1").json()["items"][0]["id"],
    }
    paths = [path.format(**ids) for path in PATHS]
    for path in paths:
        status = httpx.get(f"{base}{path}").status_code
        if status != 200:
            raise SystemExit(f"{path} answers {status} before the burst")
    return paths


def run_wrk(
    base: str, paths: list[str], requests: int, connections: int, threads: int, max_seconds: int
) -> Result:
    threads = max(1, min(threads, connections))
    per_thread = -(-requests // threads)
    marks = Path(tempfile.mkdtemp(prefix="wrk-marks-"))
    script = WRK_SCRIPT % {
        "paths": ", ".join(json.dumps(path) for path in paths),
        "per_thread": per_thread,
        "marks": json.dumps(str(marks)),
    }
    (marks.parent / f"{marks.name}.lua").write_text(script)
    # -d is only a safety bound: each thread stops after its share of the requests, and wrk
    # (which otherwise sleeps until -d is over) is interrupted once all have.
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{max_seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(marks.parent / f"{marks.name}.lua"),
        base,
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while process.poll() is None and len(list(marks.iterdir())) < threads:
            time.sleep(0.05)
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        output, errors = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(marks, ignore_errors=True)
        (marks.parent / f"{marks.name}.lua").unlink(missing_ok=True)
    if process.returncode != 0:
        raise SystemExit(f"wrk failed ({process.returncode}): {errors}")
    line = next(x for x in output.splitlines() if x.startswith("LOAD_JSON "))
    data: dict[str, Any] = json.loads(line.removeprefix("LOAD_JSON "))
    statuses: Counter[int] = Counter({200: data["requests"] - data["non_2xx_3xx"]})
    if data["non_2xx_3xx"]:
        statuses[0] = data["non_2xx_3xx"]  # wrk counts them, without saying which status
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        statuses=statuses,
        connection_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        client="wrk",
    )


async def _run_httpx(
    base: str, paths: list[str], requests: int, connections: int, max_seconds: int
) -> Result:
    result = Result(client="httpx")
    deadline = time.monotonic() + max_seconds
    latencies: list[float] = []
    issued = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:

        async def worker() -> None:
            nonlocal issued
            while issued < requests and time.monotonic() < deadline:
                path = paths[issued % len(paths)]
                issued += 1
                started = time.perf_counter()
                try:
                    response = await client.get(path)
                    await response.aread()
                    result.statuses[response.status_code] += 1
                except httpx.HTTPError:
                    result.connection_errors += 1
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        result.seconds = time.perf_counter() - began
    latencies.sort()
    result.requests = len(latencies)
    if latencies:
        result.p50_ms = latencies[len(latencies) // 2] * 1000
        result.p99_ms = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
        result.max_ms = latencies[-1] * 1000
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000, help="requests in the burst")
    parser.add_argument(
        "--database-url",
        default=None,
        help="serve this database (e.g. postgresql://postgres@127.0.0.1:5432/load; built "
        "from data/ first if it is not current); default: a new SQLite file",
    )
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="wrk threads")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="serve with the response cache off, so every request reads the database",
    )
    parser.add_argument(
        "--max-seconds", type=int, default=1800, help="stop the burst after this long anyway"
    )
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "httpx"],
        default="auto",
        help="load generator: wrk when installed (auto), or an asyncio httpx client",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=None,
        help="requests sent before the 'before' memory reading, so pools, threads and the "
        "response cache are full (default: a tenth of --requests)",
    )
    args = parser.parse_args(argv)
    warmup = args.warmup if args.warmup is not None else max(args.requests // 10, 1000)
    # A SIGTERM (e.g. from `timeout`) still stops the server through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "httpx"

    workdir = Path(tempfile.mkdtemp(prefix="load-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database_url = args.database_url or f"sqlite:///{workdir / 'load.sqlite3'}"
    server = start_server(port, database_url, cache=not args.no_cache)
    try:
        wait_ready(base, server)
        paths = resolve_paths(base)

        def burst(count: int) -> Result:
            if client == "wrk":
                return run_wrk(base, paths, count, args.connections, args.threads, args.max_seconds)
            return asyncio.run(_run_httpx(base, paths, count, args.connections, args.max_seconds))

        cold = rss_kib(server.pid)
        warm = burst(warmup)
        before = rss_kib(server.pid)
        print(
            f"server pid {server.pid} on {base}; {len(paths)} endpoints; "
            f"{args.requests} requests over {args.connections} connections with {client}, "
            f"response cache {'off' if args.no_cache else 'on'}"
        )
        result = burst(args.requests)
        after = rss_kib(server.pid)
        alive = server.poll() is None
    finally:
        stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)

    rate = result.requests / result.seconds if result.seconds else 0.0
    print(f"requests:      {result.requests} in {result.seconds:.1f} s ({rate:,.0f} req/s)")
    print(f"statuses:      {dict(sorted(result.statuses.items()))}  (0: non-2xx/3xx from wrk)")
    print(f"conn. errors:  {result.connection_errors}")
    print(
        f"latency:       p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
        f"max {result.max_ms:.1f} ms"
    )
    growth = (after["VmRSS"] - before["VmRSS"]) / 1024
    # Flat: the measured burst adds at most 5 MiB + 5% to a warmed-up server.
    flat = growth <= 5 + 0.05 * before["VmRSS"] / 1024
    print(
        f"server RSS:    cold {cold['VmRSS'] / 1024:.1f} MiB, after {warmup} warm-up requests "
        f"{before['VmRSS'] / 1024:.1f} MiB, after the burst {after['VmRSS'] / 1024:.1f} MiB "
        f"(peak {after['VmHWM'] / 1024:.1f} MiB): {growth:+.1f} MiB, "
        f"flat: {'yes' if flat else 'NO'}"
    )
    print(
        f"errors:        {result.errors + warm.errors} (0 expected); server alive after "
        f"burst: {alive}"
    )
    short = result.requests < args.requests
    if short:
        print(f"only {result.requests} of {args.requests} requests were answered")
    ok = result.errors == 0 and warm.errors == 0 and alive and not short and flat
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
