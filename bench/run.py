"""Load benchmark: our service on SQLite and on PostgreSQL, against a bare Starlette ceiling
and Datasette, with wrk.

    .venv/bin/python -m bench.run        (or `make bench`, which also runs bench/scale.py)

Builds the database with the real `python -m app build`: a SQLite file, and a fresh
PostgreSQL database that it creates (and drops at the end) on the server of
BENCH_POSTGRES_URL (skipped, with a line saying why, when no PostgreSQL answers there). Then,
one endpoint at a time and each against a freshly started server on 127.0.0.1, runs wrk with
bench/wrk.lua against: our service as deployed (response cache on) and with the response
cache off, on SQLite and on PostgreSQL; the ceiling (bench/ceiling.py replaying our recorded
answers byte for byte); the bare reference; and Datasette on the same SQLite file. Prints the
numbers and the ratios and writes the "Latest run" section of bench/RESULTS.md. Every server
it starts is stopped, and the PostgreSQL database dropped, on exit, error or signal.

Environment (all optional):
  BENCH_DURATION=10      seconds of load per endpoint and server
  BENCH_CONNECTIONS=64   wrk connections
  BENCH_THREADS=2        wrk threads
  BENCH_TIMEOUT=10       wrk request timeout, seconds (a slower answer counts as a timeout)
  BENCH_WARMUP=20        sequential requests before each load
  BENCH_IDLE_WAIT=10     seconds to wait, before each load, for other work to leave the CPU
  BENCH_NOCACHE=1        0 skips the "ours, no cache" passes
  BENCH_LOW_CONNECTIONS=8  connections of a second no-cache pass (0 skips it): the route's
                         cost with fewer connections than worker threads
  BENCH_DATASETTE=1      0 skips the Datasette peer
  BENCH_DB=path          serve this existing SQLite file instead of building one
  BENCH_POSTGRES=1       0 skips the PostgreSQL passes
  BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres
                         the PostgreSQL server to build on (its database name is ignored)
"""

import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy.engine import make_url

from bench.results import BENCH, IDLE_BUSY, OUT, ROOT, machine, replace_section, wait_idle
from tests import engines

DATASETTE_VERSION = "0.65.5"
DATASETTE_VENV = BENCH / ".venv-datasette"
WRK_INSTALL = (
    "wrk is not installed. On Debian or Ubuntu: apt-get update && apt-get install -y wrk "
    "(with sudo when not root); on macOS: brew install wrk. Then run `make bench` again."
)
# The uvicorn settings of `python -m app serve` (app/cli.py), for our service and the ceiling.
UVICORN_ARGS = [
    "--workers",
    "1",
    "--no-server-header",
    "--proxy-headers",
    "--loop",
    "asyncio",
    "--timeout-graceful-shutdown",
    "10",
]


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DURATION = _env_int("BENCH_DURATION", 10)
CONNECTIONS = _env_int("BENCH_CONNECTIONS", 64)
THREADS = _env_int("BENCH_THREADS", 2)
TIMEOUT = _env_int("BENCH_TIMEOUT", 10)
WARMUP = _env_int("BENCH_WARMUP", 20)
LOW_CONNECTIONS = _env_int("BENCH_LOW_CONNECTIONS", 8)
IDLE_WAIT = _env_int("BENCH_IDLE_WAIT", 10)


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str  # path and query string of our service
    peer: str | None = None  # Datasette's equivalent, `{db}` for the database name
    conditional: bool = False  # sent with If-None-Match: the ETag of `path`
    reference: bool = False  # also served by the bare ASGI reference (bench/reference.py)


ENDPOINTS = [
    Endpoint(
        "list",
        "/v1/projects?limit=50",
        "/{db}/project.json?_size=50&_shape=array",
        reference=True,
    ),
    Endpoint(
        "item",
        "/v1/projects/zhanatas-wind-farm",
        "/{db}/project/zhanatas-wind-farm.json?_shape=array",
        reference=True,
    ),
    Endpoint("csv", "/v1/projects?format=csv&limit=500"),
    Endpoint("search", "/v1/search?q=wind"),
    Endpoint("304", "/v1/projects?limit=50", conditional=True),
]


@dataclass
class Result:
    endpoint: str
    server: str
    url: str
    connections: int = CONNECTIONS
    status: int | None = None
    content_type: str = ""
    size: int = 0
    wrk: dict[str, Any] = field(default_factory=dict)
    responsive_after: bool | None = None
    busy_before: float | None = None
    note: str = ""

    @property
    def rps(self) -> float | None:
        if not self.wrk or not self.wrk.get("duration_us"):
            return None
        return float(self.wrk["requests"]) / (self.wrk["duration_us"] / 1e6)

    def p(self, q: int) -> float | None:
        return self.wrk[f"p{q}_us"] / 1000 if self.wrk and self.wrk["requests"] else None

    @property
    def socket_errors(self) -> int:
        keys = ("connect_errors", "read_errors", "write_errors", "timeouts")
        return sum(int(self.wrk.get(k, 0)) for k in keys)


# ---------------------------------------------------------------------------------- servers

RUNNING: list["Server"] = []


class Server:
    """A server process in its own session, so it and its children stop together."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], ready: str) -> None:
        self.name, self.argv, self.env, self.ready = name, argv, env, ready
        self.port = _free_port()
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.log_path = OUT / f"server-{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_start = 0

    def start(self) -> "Server":
        self.log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        RUNNING.append(self)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}); see {self.log}")
            try:
                status, _, _ = get(self.port, self.ready, timeout=2)
                if status < 500:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer {self.ready} in 60 s; see {self.log}")

    def log_findings(self) -> str:
        """Errors the server logged since it started: tracebacks, pool time-outs."""
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(self.log_start)
            text = log.read().decode("utf-8", "replace")
        found = [
            f"{text.count(marker)} x {label}"
            for marker, label in (
                ("Traceback (most recent call last)", "traceback"),
                ("QueuePool limit", "QueuePool time-out"),
                (" 500 Internal Server Error", "500"),
            )
            if marker in text
        ]
        return f"{self.log}: " + ", ".join(found) if found else ""

    @property
    def log(self) -> str:
        return str(self.log_path.relative_to(ROOT))

    def stop(self, force: bool = False) -> None:
        """SIGTERM, then SIGKILL after 15 s; at once with `force` (a stalled server)."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL if force else signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
            except ProcessLookupError:
                pass
        if self in RUNNING:
            RUNNING.remove(self)


def stop_all() -> None:
    for server in list(RUNNING):
        server.stop()


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    stop_all()
    raise SystemExit(128 + signum)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(
    port: int, target: str, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One GET to 127.0.0.1:port (no Accept header, like wrk)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", target, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


# ------------------------------------------------------------------------------------ load


def run_wrk(port: int, target: str, if_none_match: str | None, connections: int) -> dict[str, Any]:
    argv = [
        "wrk",
        f"-t{min(THREADS, connections)}",
        f"-c{connections}",
        f"-d{DURATION}s",
        "--timeout",
        f"{TIMEOUT}s",
        "-s",
        str(BENCH / "wrk.lua"),
        f"http://127.0.0.1:{port}{target}",
    ]
    env = {**os.environ, "BENCH_IF_NONE_MATCH": if_none_match or ""}
    done = subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=DURATION + TIMEOUT + 60
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return dict(json.loads(line.removeprefix("BENCH_JSON ")))
    raise RuntimeError(f"wrk gave no result (exit {done.returncode}): {done.stderr.strip()}")


def measure(
    server: Server,
    endpoint: str,
    target: str,
    if_none_match: str | None = None,
    connections: int = CONNECTIONS,
) -> tuple[Result, tuple[int, list[tuple[str, str]], bytes] | None]:
    """Start `server`, probe and warm `target`, load it with wrk, check it still answers."""
    headers = {"If-None-Match": if_none_match} if if_none_match else {}
    result = Result(endpoint, server.name, target, connections)
    answer = None
    result.busy_before = wait_idle(IDLE_WAIT)
    print(f"  {server.name:<13} {target}", end=" ", flush=True)
    try:
        server.start()
        answer = get(server.port, target, headers)
        result.status = answer[0]
        result.content_type = dict((k.lower(), v) for k, v in answer[1]).get("content-type", "")
        result.size = len(answer[2])
        for _ in range(WARMUP):
            get(server.port, target, headers)
        result.wrk = run_wrk(server.port, target, if_none_match, connections)
        try:
            get(server.port, target, headers, timeout=10)
            result.responsive_after = True
        except OSError:
            result.responsive_after = False
            try:
                get(server.port, server.ready, timeout=3)
            except OSError:
                result.note = f"{server.ready} does not answer either: the whole process stalls"
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        result.note = f"failed: {error}"
        print(f"-> {result.note}", flush=True)
        return result, answer
    finally:
        server.stop(force=result.responsive_after is False)
        result.note = "; ".join(filter(None, [result.note, server.log_findings()]))
    print(
        f"-> {result.status}, {_num(result.rps, '{:.0f}')} req/s, "
        f"p50 {_num(result.p(50), '{:.1f}')} ms, p99 {_num(result.p(99), '{:.1f}')} ms, "
        f"non-2xx/3xx {result.wrk.get('non_2xx_3xx', 0)}, socket errors {result.socket_errors}"
        + ("" if result.responsive_after is not False else ", UNRESPONSIVE after the load"),
        flush=True,
    )
    return result, answer


# ----------------------------------------------------------------------------- preparation


def build_database() -> tuple[Path, str]:
    """The SQLite file to serve, and how it was made."""
    given = os.environ.get("BENCH_DB")
    if given:
        path = Path(given).resolve()
        if not path.exists():
            sys.exit(f"BENCH_DB={given} does not exist")
        return path, f"existing file given by BENCH_DB ({path.name}); not built by this run"
    path = OUT / "bench.sqlite3"
    done, took, last = _app_build(f"sqlite:///{path}")
    if done.returncode:
        print((done.stdout + done.stderr).strip(), file=sys.stderr)
        sys.exit(
            "`python -m app build` failed, so there is no database to benchmark. Fix data/, "
            "or point BENCH_DB at an existing database file."
        )
    return path, f"`python -m app build` in {took:.2f} s ({last})"


def ensure_datasette() -> Path | None:
    """Datasette, pinned, in its own virtualenv (installed on first use)."""
    exe = DATASETTE_VENV / "bin" / "datasette"
    try:
        out = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
        if DATASETTE_VERSION in out.stdout:
            return exe
    except OSError:
        pass
    print(f"installing datasette=={DATASETTE_VERSION} into {DATASETTE_VENV.relative_to(ROOT)}")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        pip = [str(DATASETTE_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, f"datasette=={DATASETTE_VERSION}"], check=True)
    except subprocess.CalledProcessError as error:
        print(f"could not install Datasette ({error}); the peer is skipped", file=sys.stderr)
        return None
    return exe


@dataclass
class Postgres:
    """The fresh PostgreSQL database of this run (dropped at the end), or why there is none."""

    url: str | None = None
    note: str = ""

    def drop(self) -> None:
        if self.url is not None:
            engines.drop_database(self.url)
            self.url = None


POSTGRES = Postgres()


def build_postgres() -> Postgres:
    """A fresh database on the PostgreSQL server of BENCH_POSTGRES_URL, built from data/ by
    the real `python -m app build`; POSTGRES.url stays None (and .note says why) when there is
    no server there, BENCH_POSTGRES=0 or the build fails."""
    if os.environ.get("BENCH_POSTGRES", "1") == "0":
        POSTGRES.note = "skipped (BENCH_POSTGRES=0)"
        return POSTGRES
    server = os.environ.get("BENCH_POSTGRES_URL") or engines.DEFAULT_SERVER
    problem = engines.server_problem(engines.admin_url(server))
    if problem is not None:
        POSTGRES.note = f"skipped: {problem}"
        return POSTGRES
    name = f"bench_{uuid.uuid4().hex[:10]}"
    url = engines.create_database(
        make_url(server).set(database=name).render_as_string(hide_password=False)
    )
    POSTGRES.url = url
    with engines._connect(engines.admin_url(url)) as connection:
        version = connection.execute("SHOW server_version").fetchone()
    server_version = str(version[0]).split()[0] if version else "?"
    done, took, last = _app_build(url)
    if done.returncode:
        print((done.stdout + done.stderr).strip(), file=sys.stderr)
        POSTGRES.drop()
        POSTGRES.note = "skipped: `python -m app build` failed on PostgreSQL (output above)"
        return POSTGRES
    POSTGRES.note = (
        f"PostgreSQL {server_version}, a fresh database {name} (dropped after the run), "
        f"`python -m app build` in {took:.2f} s ({last})"
    )
    return POSTGRES


def _app_build(database_url: str) -> tuple[subprocess.CompletedProcess[str], float, str]:
    """`python -m app build` into `database_url`: the process, its seconds, its last line."""
    env = {**os.environ, "DATABASE_URL": database_url}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "app", "build", "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - started
    output = (done.stdout + done.stderr).strip()
    return done, took, output.splitlines()[-1] if output else ""


def ours(label: str, database_url: str, cache: bool) -> Server:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("RESPONSE_CACHE_ENTRIES", None)
    if not cache:
        env["RESPONSE_CACHE_ENTRIES"] = "0"
    argv = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    return Server(label, [*argv, "--port", "{port}", *UVICORN_ARGS], env, "/healthz")


# --------------------------------------------------------------------------------- report


def _num(value: float | None, fmt: str) -> str:
    return "n/a" if value is None else fmt.format(value)


def _ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.3f}"


def report(results: list[Result], db_note: str, notes: list[str]) -> str:
    lines = [
        machine(),
        "",
        f"Load: wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}s --timeout {TIMEOUT}s, "
        f"{WARMUP} warm-up requests, one fresh server per load, endpoint by endpoint with "
        f"the servers in turn; before each load the harness waits up to {IDLE_WAIT} s for "
        f"other work to use under {IDLE_BUSY:.0%} of the CPU ('busy before'). "
        f"Database: {db_note}.",
        "",
        "| endpoint | server | conns | status | bytes | req/s | p50 ms | p99 ms | non-2xx/3xx "
        "| socket errors | after load | busy before |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        if not r.wrk:
            lines.append(f"| {r.endpoint} | {r.server} | | n/a | | | | | | | {r.note} | |")
            continue
        after = {True: "answers", False: "**unresponsive**", None: "?"}[r.responsive_after]
        lines.append(
            f"| {r.endpoint} | {r.server} | {r.connections} | {r.status} | {r.size:,} "
            f"| {_num(r.rps, '{:,.0f}')} "
            f"| {_num(r.p(50), '{:.2f}')} | {_num(r.p(99), '{:.2f}')} "
            f"| {r.wrk['non_2xx_3xx']:,} | {r.socket_errors:,} | {after} "
            f"| {_num(r.busy_before, '{:.0%}')} |"
        )
    lines += [
        "",
        "Ratios (req/s: ours / other, below 1 = we are slower; p50: ours / other, above 1 = "
        "we are slower):",
        "",
        "| endpoint | ours | /ceiling req/s | /ceiling p50 | /Datasette req/s | /Datasette p50 "
        "| /reference req/s | /reference p50 |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    by = {(r.endpoint, r.server): r for r in results if r.wrk}
    mine = list(dict.fromkeys(r.server for r in results if r.server.startswith("ours")))
    for endpoint in dict.fromkeys(r.endpoint for r in results):
        for label in mine:
            a = by.get((endpoint, label))
            if a is None:
                continue
            cells = []
            for other in ("ceiling", "datasette", "reference"):
                b = by.get((endpoint, other))
                if b is None:
                    cells += ["n/a", "n/a"]
                    continue
                # Latencies at different concurrency do not compare; throughput does.
                same = a.connections == b.connections
                cells += [_ratio(a.rps, b.rps), _ratio(a.p(50), b.p(50)) if same else "n/a"]
            lines.append(f"| {endpoint} | {label} | " + " | ".join(cells) + " |")
    lines += ["", *engines_side_by_side(by), "", *targets(by)]
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    return "\n".join(lines)


def engines_side_by_side(by: dict[tuple[str, str], Result]) -> list[str]:
    """Each endpoint on SQLite and on PostgreSQL, cached and uncached, in one row each."""
    lines = [
        "SQLite and PostgreSQL side by side (the same service, the same data, the same load; "
        "PG/SQLite of req/s, below 1 = PostgreSQL is slower):",
        "",
        "| endpoint | response cache | SQLite req/s | p50 ms | p99 ms | errors "
        "| PostgreSQL req/s | p50 ms | p99 ms | errors | PG/SQLite req/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def cells(r: Result | None) -> str:
        if r is None:
            return "n/a | n/a | n/a | n/a"
        errors = r.wrk["non_2xx_3xx"] + r.socket_errors
        return (
            f"{_num(r.rps, '{:,.0f}')} | {_num(r.p(50), '{:.2f}')} | "
            f"{_num(r.p(99), '{:.2f}')} | {errors:,}"
        )

    for endpoint in dict.fromkeys(e for e, _ in by):
        for cache, sqlite, postgres in (
            ("on", "ours", "ours-pg"),
            ("off", "ours-nocache", "ours-pg-nocache"),
        ):
            a, b = by.get((endpoint, sqlite)), by.get((endpoint, postgres))
            if a is None and b is None:
                continue
            ratio = _ratio(b.rps, a.rps) if a is not None and b is not None else "n/a"
            lines.append(f"| {endpoint} | {cache} | {cells(a)} | {cells(b)} | {ratio} |")
    return lines


def targets(by: dict[tuple[str, str], Result]) -> list[str]:
    """The issue's speed targets, each with the measured ratio or latency and whether it
    holds (n/a when a server of the comparison was not measured)."""

    def ratio(endpoint: str, a: str, b: str) -> float | None:
        x, y = by.get((endpoint, a)), by.get((endpoint, b))
        if x is None or y is None or not x.rps or not y.rps:
            return None
        return x.rps / y.rps

    def row(what: str, value: float | None, bound: float, fmt: str, above: bool = True) -> str:
        if value is None:
            return f"| {what} | n/a | n/a |"
        holds = value >= bound if above else value < bound
        return f"| {what} | {fmt.format(value)} | {'yes' if holds else '**no**'} |"

    nocache = "ours-nocache"
    lines = ["Targets (issue 9):", "", "| target | measured | holds |", "|---|---:|---|"]
    lines.append(
        row("uncached list >= 5x Datasette", ratio("list", nocache, "datasette"), 5, "{:.1f}x")
    )
    lines.append(
        row("uncached list >= 0.3x reference", ratio("list", nocache, "reference"), 0.3, "{:.2f}x")
    )
    lines.append(
        row("uncached item >= 5x Datasette", ratio("item", nocache, "datasette"), 5, "{:.1f}x")
    )
    for endpoint in ("list", "item", "304"):
        lines.append(
            row(
                f"cached {endpoint} >= 0.8x ceiling",
                ratio(endpoint, "ours", "ceiling"),
                0.8,
                "{:.2f}x",
            )
        )
    for endpoint in ("list", "item"):
        r = by.get((endpoint, nocache))
        p99 = r.p(99) if r else None
        errors = (r.wrk["non_2xx_3xx"] + r.socket_errors) if r else None
        lines.append(
            row(
                f"uncached {endpoint}, {CONNECTIONS} conns: p99 < 100 ms",
                p99,
                100,
                "{:.1f} ms",
                False,
            )
        )
        lines.append(
            row(f"uncached {endpoint}, {CONNECTIONS} conns: errors", errors, 1, "{:.0f}", False)
        )
    return lines


# ----------------------------------------------------------------------------------- main


def main() -> int:
    if shutil.which("wrk") is None:
        print(WRK_INSTALL, file=sys.stderr)
        return 2
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("server-*.log"):
        old.unlink()
    try:
        return _run()
    finally:
        stop_all()
        POSTGRES.drop()


def _run() -> int:
    db, db_note = build_database()
    print(f"database: {db_note}")
    postgres = build_postgres()
    print(f"PostgreSQL: {postgres.note}")
    datasette = ensure_datasette() if os.environ.get("BENCH_DATASETTE", "1") != "0" else None
    results: list[Result] = []
    notes: list[str] = []
    if postgres.url is None:
        notes.append(f"PostgreSQL {postgres.note}; the ours-pg rows are missing.")
    # The list's ETag on each engine, for the 304 endpoint (label prefix -> ETag).
    etags: dict[str, str | None] = {}
    nocache = os.environ.get("BENCH_NOCACHE", "1") != "0"
    sqlite_url = f"sqlite:///{db}"
    passes = [("ours", sqlite_url, True, CONNECTIONS)]
    if nocache:
        passes.append(("ours-nocache", sqlite_url, False, CONNECTIONS))
        if LOW_CONNECTIONS > 0:
            passes.append((f"ours-nocache-c{LOW_CONNECTIONS}", sqlite_url, False, LOW_CONNECTIONS))
    if postgres.url is not None:
        passes.append(("ours-pg", postgres.url, True, CONNECTIONS))
        if nocache:
            passes.append(("ours-pg-nocache", postgres.url, False, CONNECTIONS))
    ceiling_argv = [sys.executable, "-m", "uvicorn", "bench.ceiling:app", "--host", "127.0.0.1"]

    # Endpoint by endpoint, every server in turn, so the ratios compare loads run close together.
    for ep in ENDPOINTS:
        print(f"{ep.name}:")
        fixture = None
        inm = None
        for label, database_url, cache, connections in passes:
            engine = "ours-pg" if label.startswith("ours-pg") else "ours"
            if ep.conditional:
                inm = etags.get(engine)
                if inm is None:
                    note = f"no ETag on GET {ep.path}: the 304 case cannot be measured"
                    notes.append(f"{label}: {note}.")
                    results.append(Result(ep.name, label, ep.path, note=note))
                    print(f"  {label}: skipped: {note}")
                    continue
            server = ours(label, database_url, cache)
            result, answer = measure(server, ep.name, ep.path, inm, connections)
            results.append(result)
            if answer is None:
                continue
            status, headers, body = answer
            if label == engine and ep.name == "list":
                etags[engine] = dict((k.lower(), v) for k, v in headers).get("etag")
                if etags[engine] is None:
                    notes.append(f"{label}: GET {ep.path} carries no ETag.")
            if label == "ours":
                path, _, query = ep.path.partition("?")
                fixture = {
                    "path": path,
                    "query": query,
                    "if_none_match": inm,
                    "status": status,
                    "headers": headers,
                    "body_b64": base64.b64encode(body).decode(),
                }
            if not 200 <= status < 400:
                notes.append(f"{label} {ep.name}: GET {ep.path} answers {status} (errors).")
            if ep.conditional and status != 304:
                notes.append(f"{label} 304: If-None-Match {inm} got {status}, not 304.")
            if result.responsive_after is False:
                notes.append(f"{label} {ep.name}: no answer within 10 s after the load (stalled).")
        if fixture is not None:
            fixture_file = OUT / f"ceiling-{ep.name}.json"
            fixture_file.write_text(json.dumps([fixture]), encoding="utf-8")
            env = {**os.environ, "BENCH_CEILING_FIXTURES": str(fixture_file)}
            argv = [*ceiling_argv, "--port", "{port}", *UVICORN_ARGS]
            ceiling = Server("ceiling", argv, env, "/")
            results.append(measure(ceiling, ep.name, ep.path, fixture["if_none_match"])[0])
        if ep.reference:
            env = {**os.environ, "BENCH_REFERENCE_DB": str(db)}
            argv = [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.reference:app",
                "--host",
                "127.0.0.1",
                "--port",
                "{port}",
                *UVICORN_ARGS,
            ]
            results.append(measure(Server("reference", argv, env, "/healthz"), ep.name, ep.path)[0])
        if datasette is not None and ep.peer is not None:
            target = ep.peer.format(db=db.stem)
            argv = [str(datasette), "serve", "-i", str(db), "--host", "127.0.0.1"]
            server = Server("datasette", [*argv, "--port", "{port}"], dict(os.environ), "/")
            result, answer = measure(server, ep.name, target)
            results.append(result)
            if answer and answer[0] != 200:
                notes.append(f"Datasette {ep.name}: GET {target} answers {answer[0]}.")
    if datasette is not None:
        notes.append(
            f"Datasette {DATASETTE_VERSION} (`datasette serve -i`, its own uvicorn settings, "
            "1 process); its row JSON holds the project's columns only."
        )
    for r in results:
        if r.wrk and r.note:
            notes.append(f"{r.server} {r.endpoint}: {r.note}.")
    busy = [r.busy_before for r in results if r.busy_before is not None]
    if busy and max(busy) > IDLE_BUSY:
        notes.append(
            f"Other work kept the CPU up to {max(busy):.0%} busy just before some loads "
            f"(column 'busy before'); those rows are low and the run is noisy."
        )

    text = report(results, f"SQLite: {db_note}; PostgreSQL: {postgres.note}", notes)
    replace_section("Latest run", text)
    (OUT / "latest.json").write_text(
        json.dumps([r.__dict__ for r in results], indent=1, default=str), encoding="utf-8"
    )
    print()
    print(text)
    print(f"\nwritten to {(BENCH / 'RESULTS.md').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
