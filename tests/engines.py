"""The suite on both engines: `python -m tests.engines [pytest options]` (what `make test` runs).

It runs the suite on SQLite (a temporary file) and, side by side, on PostgreSQL in a fresh
database that it creates and drops. The server is TEST_POSTGRES_URL (default: this project's
machines' PostgreSQL 15, `postgresql://postgres@127.0.0.1:5432/postgres`). With no server there, the
PostgreSQL run is reported as skipped, unless REQUIRE_POSTGRES=1 (CI), where that fails.
The helpers also create and drop the extra databases some tests need.
"""

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
# PostgreSQL truncates identifiers to 63 bytes; test database names stay well below.
MAX_NAME = 63


def redact(url: str) -> str:
    """`url` without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def _connect(url: str, timeout: int = 5) -> Any:
    import psycopg

    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname=parsed.database or "postgres",
        autocommit=True,
        connect_timeout=timeout,
    )


def admin_url(url: str) -> str:
    """The maintenance database (`postgres`) of the server behind `url`."""
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def create_database(url: str, suffix: str = "", template: str | None = None) -> str:
    """Create the (empty) database named by `url` plus `suffix`; return its URL. With
    `template` (the URL of a database no one is connected to), a copy of that one instead:
    a file copy on the server, much quicker than building the same data again."""
    parsed = make_url(url)
    name = f"{parsed.database}{suffix}"
    assert len(name) <= MAX_NAME and name.replace("_", "").isalnum(), name
    import psycopg

    with _connect(admin_url(url)) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template is not None:
            source = make_url(template).database or ""
            assert source.replace("_", "").isalnum(), source
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            return parsed.set(database=name).render_as_string(hide_password=False)
        try:
            # A linguistic default collation (ICU English: "a" < "B" < "c"), so a sort that
            # forgets to order text by code point differs from SQLite and fails the tests.
            connection.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8'"
            )
        except psycopg.Error:  # a server without ICU (or that locale): its default
            connection.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the database named by `url`, closing any connection still open to it."""
    name = make_url(url).database
    with _connect(admin_url(url)) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_problem(url: str) -> str | None:
    """Why the PostgreSQL server at `url` cannot be used, or None when it can."""
    try:
        import psycopg
    except ImportError:
        return "the psycopg driver is not installed (pip install -e '.[postgres]')"
    try:
        with _connect(url, timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"no PostgreSQL server at {redact(url)} ({str(exc).strip().splitlines()[0]})"
    return None


def _pytest(args: list[str], database_url: str | None, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    if database_url:
        env["TEST_DATABASE_URL"] = database_url
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def main(args: list[str]) -> int:
    """Run pytest with `args` on SQLite and, at the same time, on a fresh PostgreSQL
    database (the suites wait on subprocesses and the database much of the time, so running
    them side by side roughly halves the wall time); then print both outputs."""
    server = os.environ.get("TEST_POSTGRES_URL") or DEFAULT_SERVER
    problem = server_problem(server)
    required = os.environ.get("REQUIRE_POSTGRES") == "1"
    url = None
    if problem is None:
        prefix = os.environ.get("TEST_DB_PREFIX", "bilateral_test")
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        url = create_database(make_url(server).set(database=name).render_as_string(False))
    results: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="engines-") as scratch:
        logs = {"SQLite": Path(scratch) / "sqlite.log", "PostgreSQL": Path(scratch) / "pg.log"}
        runs = {"SQLite": _pytest(args, None, logs["SQLite"])}
        if url is not None:
            print(f"test suite on SQLite and on PostgreSQL ({redact(url)}) ...", flush=True)
            runs["PostgreSQL"] = _pytest(args, url, logs["PostgreSQL"])
        else:
            print("test suite on SQLite ...", flush=True)
        try:
            for engine, process in runs.items():
                status = process.wait()
                print(f"=== {engine}", flush=True)
                sys.stdout.flush()
                sys.stdout.buffer.write(logs[engine].read_bytes())
                sys.stdout.flush()
                results.append((engine, "passed" if status == 0 else f"FAILED (exit {status})"))
        finally:
            for process in runs.values():
                if process.poll() is None:
                    process.kill()
                    process.wait()
            if url is not None:
                drop_database(url)
    if problem is not None:
        results.append(("PostgreSQL", ("FAILED: " if required else "skipped: ") + problem))
    print("=== engines")
    for engine, outcome in results:
        print(f"{engine}: {outcome}")
    failed = any(not outcome.startswith(("passed", "skipped")) for _, outcome in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
