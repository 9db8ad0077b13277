"""Scale check: a filtered, sorted page on 1k, 10k and 100k synthetic projects, and the build.

For each size bench/synth.py makes a database with the real migrations; then the p50 of

- the real query function, `list_projects(session, ProjectQuery(sector=..., sort=
  "-completion_date", limit=50, offset=...))` on the serving (read-only) engine, and
- the same page as an HTTP request through the app (Starlette's TestClient, response cache
  off, so every request runs the route),

over full first pages (offsets 0-40). It also times the build of the curated data
(`python -m app build`, a new process, as an operator runs it), and writes the "Scale"
section of bench/RESULTS.md. Targets: p50(100k) <= 2 x p50(1k), build < 2 s.

Environment: BENCH_SCALE_SIZES (default 1000,10000,100000), BENCH_SCALE_REPEAT (default 40),
BENCH_IDLE_WAIT (default 10: seconds to wait for other work to leave the CPU first).
"""

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from bench import synth
from bench.results import OUT, ROOT, machine, ms, percentile, replace_section, wait_idle

SECTOR = "renewable_energy"
SORT = "-completion_date"
# Full pages at every size (the 1k database has about 100 projects of the sector).
OFFSETS = [0, 10, 20, 30, 40]


def _timed(run: Callable[[int], Any], repeat: int) -> list[float]:
    for offset in OFFSETS[:3]:  # warm the statement cache and the page cache
        run(offset)
    times = []
    for i in range(repeat):
        offset = OFFSETS[i % len(OFFSETS)]
        started = time.perf_counter()
        run(offset)
        times.append(time.perf_counter() - started)
    return times


def _time_queries(url: str, repeat: int) -> dict[str, Any]:
    """p50 material of the real query function on the serving (read-only) engine."""
    from app.db import make_read_engine
    from app.queries.projects import ProjectQuery, list_projects

    engine = make_read_engine(url)
    total = 0
    try:

        def query(offset: int) -> None:
            nonlocal total
            # A new session per page, as each request gets one (no identity-map reuse).
            with Session(engine) as session:
                result = list_projects(
                    session, ProjectQuery(sector=[SECTOR], sort=SORT, limit=50, offset=offset)
                )
            assert len(result.rows) == min(50, max(0, result.total - offset))
            total = result.total

        times = _timed(query, repeat)
        deep = max(0, total // 2)
        deep_times = _timed(lambda _o: query(deep), max(5, repeat // 4))
        # The total and facet counts are kept per dataset after a filter's first page
        # (DatasetMemo): time the pages again counting every time, as a new filter's first
        # page does, and show the statements of such a page.
        with _counting_every_page():
            counting = _timed(query, repeat)
            statements = _statement_times(engine, lambda: query(0))
    finally:
        engine.dispose()
    return {
        "query": times,
        "counting": counting,
        "matching": total,
        "deep": deep_times,
        "deep_offset": deep,
        "statements": statements,
    }


@contextmanager
def _counting_every_page() -> Iterator[None]:
    """Within the block, counts are run for every page, never taken from the DatasetMemo."""
    from app.queries.compiled import Reader

    def counted(reader: Reader, statement: Any, values: Any) -> Any:
        return reader.rows(statement, values)  # looked up when called: it may be timed

    kept = Reader.dataset_rows
    Reader.dataset_rows = counted  # type: ignore[method-assign]
    try:
        yield
    finally:
        Reader.dataset_rows = kept  # type: ignore[method-assign]


def _time_http(url: str, repeat: int) -> list[float]:
    """The same pages as HTTP requests through the whole app, response cache off."""
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app

    app = create_app(Settings(database_url=url, response_cache_entries=0))
    with TestClient(app) as client:

        def request(offset: int) -> None:
            response = client.get(
                "/v1/projects",
                params={"sector": SECTOR, "sort": SORT, "limit": 50, "offset": offset},
            )
            assert response.status_code == 200, response.text[:300]

        return _timed(request, repeat)


def measure_size(n: int, repeat: int, what_if: bool) -> dict[str, Any]:
    """Make the database of `n` projects and time the page in-process and over HTTP.

    With `what_if`, also time the in-process page again after `ANALYZE` (which the real build
    does not run), to show what planner statistics would change.
    """
    path = OUT / f"synth-{n}.sqlite3"
    started = time.perf_counter()
    counts = synth.create(path, n)
    made = time.perf_counter() - started
    url = f"sqlite:///{path}"
    busy = wait_idle(float(os.environ.get("BENCH_IDLE_WAIT", "10")))
    result = {
        "n": n,
        "busy": busy,
        "counts": counts,
        "made_s": made,
        "size_mb": path.stat().st_size / 1e6,
        **_time_queries(url, repeat),
        "http": _time_http(url, repeat),
    }
    if what_if:
        with sqlite3.connect(path) as connection:
            connection.execute("ANALYZE")
        result["analyzed"] = _time_queries(url, repeat)["query"]
    return result


def _statement_times(engine: Any, run: Callable[[], None]) -> list[tuple[float, str]]:
    """Each SQL statement one page runs, with its time to the last row read (to see what
    dominates): those SQLAlchemy executes and the compiled ones run on the DB-API cursor."""
    from app.queries.compiled import Reader

    found: list[tuple[float, str]] = []
    starts: list[float] = []

    def before(*_args: Any) -> None:
        starts.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        found.append((time.perf_counter() - starts.pop(), " ".join(statement.split())))

    read_rows = Reader.rows

    def timed_rows(reader: Reader, statement: Any, values: Any) -> Any:
        started = time.perf_counter()
        rows = read_rows(reader, statement, values)
        found.append((time.perf_counter() - started, " ".join(statement.sql.split())))
        return rows

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    Reader.rows = timed_rows  # type: ignore[method-assign]
    try:
        run()
    finally:
        Reader.rows = read_rows  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return found


def measure_build(runs: int = 3) -> dict[str, Any]:
    """Time `python -m app build` of data/ into a scratch file, `runs` times."""
    times, status, output = [], 0, ""
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(scratch) / 'build.sqlite3'}"}
        for _ in range(runs):
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "app", "build"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            times.append(time.perf_counter() - started)
            status, output = done.returncode, (done.stdout + done.stderr).strip()
            if status:
                break
    return {"times": times, "status": status, "output": output}


def _p50(values: list[float]) -> float:
    return statistics.median(values)


def _built_line(output: str) -> str:
    """The build's summary line ("built dataset ... in ... s: ... rows"), not its table."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return next((line for line in lines if line.startswith("built ")), lines[-1] if lines else "")


def report(sizes: list[dict[str, Any]], build: dict[str, Any], repeat: int) -> str:
    lines = [
        machine(),
        "",
        f"Page: `sector={SECTOR}&sort={SORT}&limit=50`, offsets {OFFSETS} in turn, "
        f"{repeat} timed runs per size after warm-up. A filter's total and facet counts are "
        "counted on its first page and kept for the dataset (DatasetMemo); 'counting each "
        "page' times the same pages counting every time, as a new filter's first page does. "
        '"Deep page" is one page at offset half the matching count. HTTP goes through the whole '
        "app (middleware, validation, "
        "serialization) with the response cache off. 'busy before': CPU share other work used "
        "when the timing of that size started (it waits up to BENCH_IDLE_WAIT s for under 15%).",
        "",
        "| projects | rows (citations) | file | matching | in-process p50 | p90 "
        "| counting each page p50 | HTTP p50 | p90 | deep page p50 | busy before |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in sizes:
        lines.append(
            f"| {s['n']:,} | {sum(s['counts'].values()):,} ({s['counts'].get('citation', 0):,}) "
            f"| {s['size_mb']:.0f} MB | {s['matching']:,} | {ms(_p50(s['query']))} "
            f"| {ms(percentile(s['query'], 90))} | {ms(_p50(s['counting']))} "
            f"| {ms(_p50(s['http']))} "
            f"| {ms(percentile(s['http'], 90))} "
            f"| {ms(_p50(s['deep']))} (offset {s['deep_offset']:,}) "
            f"| {'n/a' if s['busy'] is None else format(s['busy'], '.0%')} |"
        )
    lines.append("")
    by_n = {s["n"]: s for s in sizes}
    small, large = min(by_n), max(by_n)
    if small != large:
        for label, key in (
            ("in-process", "query"),
            ("in-process, counting each page", "counting"),
            ("HTTP", "http"),
        ):
            a, b = _p50(by_n[small][key]), _p50(by_n[large][key])
            verdict = "yes" if b <= 2 * a else "NO"
            lines.append(
                f"- p50({large:,}) <= 2 x p50({small:,}), {label}: **{verdict}** "
                f"({ms(b)} vs {ms(a)}, x{b / a:.2f})"
            )
    if "analyzed" in by_n[large]:
        a, b = _p50(by_n[small]["query"]), _p50(by_n[large]["analyzed"])
        lines.append(
            f"- After `ANALYZE` on the {large:,} database (the real build runs it; the "
            f"synthetic databases don't) the in-process p50 is {ms(b)} (x{b / a:.2f} of "
            f"{small:,})."
        )
    statements = by_n[large]["statements"]
    if statements:
        lines += [
            "",
            f"SQL of one page at {large:,} projects (offset 0, counting), by statement:",
            "",
            "| time | statement |",
            "|---:|---|",
        ]
        for seconds, sql in statements:
            short = sql if len(sql) <= 160 else sql[:157] + "..."
            lines.append(f"| {ms(seconds)} | `{short.replace('|', '/')}` |")
    lines.append("")
    times = build["times"]
    if build["status"] == 0:
        best, mid = min(times), _p50(times)
        verdict = "yes" if mid < 2 else "NO"
        lines.append(
            f"- Build of the curated data (`python -m app build`, whole process): "
            f"median {mid:.2f} s, best {best:.2f} s of {len(times)}; under 2 s: **{verdict}**. "
            f"({_built_line(build['output'])})"
        )
    else:
        problems = build["output"].splitlines()
        lines.append(
            f"- Build of the curated data (`python -m app build`): **FAILED** (exit "
            f"{build['status']}) after {times[-1]:.2f} s: {problems[-1] if problems else ''} "
            "Not measurable until data/ validates."
        )
    return "\n".join(lines)


def main() -> int:
    sizes_env = os.environ.get("BENCH_SCALE_SIZES", "1000,10000,100000")
    repeat = int(os.environ.get("BENCH_SCALE_REPEAT", "40"))
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = []
    wanted = [int(v) for v in sizes_env.split(",") if v.strip()]
    for n in wanted:
        print(f"scale: {n:,} projects ...", flush=True)
        result = measure_size(n, repeat, what_if=n == max(wanted) and len(wanted) > 1)
        print(
            f"  made in {result['made_s']:.1f} s; in-process p50 {ms(_p50(result['query']))}, "
            f"HTTP p50 {ms(_p50(result['http']))}, deep page p50 {ms(_p50(result['deep']))}",
            flush=True,
        )
        sizes.append(result)
    print("scale: timing python -m app build ...", flush=True)
    build = measure_build()
    text = report(sizes, build, repeat)
    replace_section("Scale", text)
    print(text)
    # The synthetic files are big (about 300 MB at 100k); keep only the small ones.
    for s in sizes:
        if s["n"] > 10_000:
            (OUT / f"synth-{s['n']}.sqlite3").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
