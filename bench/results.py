"""Shared helpers of the harness: RESULTS.md sections, machine facts, percentiles."""

import datetime as dt
import os
import platform
import re
import statistics
import subprocess
import time
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
RESULTS = BENCH / "RESULTS.md"
IDLE_BUSY = 0.15  # CPU share used by other work above which a measurement waits

HEADER = """# Benchmark results

Written by `make bench` (bench/run.py writes "Latest run", bench/scale.py writes "Scale");
see bench/README.md for how to run it. Method, in short:

- **Load**: wrk (Debian's package) on loopback, endpoint by endpoint and, for each, the
  servers below in turn, each load against a freshly started server: a few sequential
  warm-up requests, then `BENCH_DURATION` seconds with `BENCH_CONNECTIONS` connections on
  `BENCH_THREADS` threads. bench/wrk.lua reports requests/s, p50/p99 latency, and the
  non-2xx/3xx answers (counted as errors), from wrk's `done` callback. wrk shares the
  machine's 2 cores with the server under test; other work on the machine (e.g. a test
  suite) skews a load, so the harness first waits for the CPU to be nearly idle and records
  how busy it was ("busy before").
- **Ours**: `uvicorn app.main:app` with the settings of `python -m app serve` (1 worker,
  asyncio loop, httptools, access log on), on a database made by the real `python -m app build`.
  Measured as deployed (response cache on, "ours") and with `RESPONSE_CACHE_ENTRIES=0`
  ("ours-nocache"), which shows the cost of the route itself (every cache miss pays it),
  at the same connections and at 8 ("ours-nocache-c8", fewer than the worker threads).
- **Ours on PostgreSQL**: the same server and settings on a fresh PostgreSQL database that
  the harness creates, builds with `python -m app build` and drops ("ours-pg",
  "ours-pg-nocache"; skipped, with a line saying why, when no PostgreSQL server answers).
  The paths differ by engine: on SQLite, collection lists and items (list, item, csv, and
  the uncached 304) are answered by the direct compiled read path beside the framework
  (app/api/direct_reads.py); on PostgreSQL they go through the FastAPI routes (a session in
  a worker thread, one READ ONLY, REPEATABLE READ transaction per request, SQL over loopback
  TCP). Search goes through the routes on both (FTS5 on SQLite, tsvector and pg_trgm on
  PostgreSQL). A table shows both engines side by side.
- **Ceiling**: bench/ceiling.py, a bare async Starlette app on the same uvicorn settings that
  replays, byte for byte, the status, headers and body our service gave for each request.
- **Peer**: Datasette (pinned, own virtualenv) serving the same SQLite file immutably (`-i`):
  the table JSON `/<db>/project.json?_size=50&_shape=array` against our list, and the row
  JSON against our item. Datasette's row has only the project's columns; ours embeds the
  place, figures, partners and citations.
- **Ratios**: ours/ceiling and ours/Datasette of requests/s (1.0 = as fast; below 1 is
  slower) and of p50 latency (above 1 is slower).
- **Scale**: bench/synth.py makes databases of 1k, 10k and 100k projects with the real
  migrations; bench/scale.py times a filtered, sorted page in-process (the real
  `list_projects`) and through the app (TestClient, response cache off), and times
  `python -m app build` on the curated data.
"""


def replace_section(title: str, body: str, path: Path = RESULTS) -> None:
    """Put `## title` with `body` in RESULTS.md, replacing that section if it is there."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def wrk_version() -> str:
    try:
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    return (out.stdout or out.stderr).splitlines()[0].split(" [")[0] if out else "?"


def machine() -> str:
    """One Markdown paragraph: date, machine and the versions that matter."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Date: {now}. Machine: {os.cpu_count()} cores (nproc), {cpu_model()}; "
        f"Python {platform.python_version()}; uvicorn {version('uvicorn')} with 1 worker "
        f"(asyncio loop, httptools {version('httptools')}); "
        f"FastAPI {version('fastapi')}, Starlette {version('starlette')}, "
        f"SQLAlchemy {version('SQLAlchemy')}, SQLModel {version('sqlmodel')}, "
        f"pydantic {version('pydantic')}; {wrk_version()}."
    )


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), by linear interpolation."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[max(0, min(98, round(q) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _cpu_times() -> tuple[int, int]:
    """(idle, total) jiffies of all CPUs, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return fields[3] + fields[4], sum(fields)


def wait_idle(seconds: float) -> float | None:
    """Wait up to `seconds` for other work to leave the CPU; return the busy share seen."""
    if not Path("/proc/stat").exists():
        return None
    deadline = time.monotonic() + seconds
    while True:
        idle0, total0 = _cpu_times()
        time.sleep(1)
        idle1, total1 = _cpu_times()
        busy = 1 - (idle1 - idle0) / max(1, total1 - total0)
        if busy <= IDLE_BUSY or time.monotonic() >= deadline:
            return busy
