"""Hostile and malformed requests, security headers, docs switch, statement time limit and the
read-only serving engine."""

import hashlib
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from app.config import ROOT, Settings
from app.db import (
    Database,
    is_statement_timeout,
    make_read_engine,
    make_write_engine,
    sqlite_path,
    use_newest_dataset,
    version_of,
)
from app.loader.build import build
from app.queries.parameters import ListQuery
from app.registry import COLLECTIONS as REGISTRY
from tests import engines
from tests.conftest import COLLECTION_KEYS, DATA_DIR

Records = dict[str, list[dict[str, Any]]]
Problem = Callable[..., dict[str, Any]]
COLLECTIONS = list(COLLECTION_KEYS)
SQLISH = ["' OR 1=1 --", "1; DROP TABLE project; --", '" OR ""="', "%' UNION SELECT 1 --", "_%"]


def _takes_text(annotation: Any) -> bool:
    """A parameter type that is text, or a list of text (not a number, flag or choice)."""
    if annotation is str:
        return True
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated or origin is list:
        return _takes_text(args[0])
    if origin in (Union, UnionType):
        return any(_takes_text(arg) for arg in args if arg is not NoneType)
    return False


# The filters of each list that take text (free text, codes, ids), from its query model;
# paging and sorting are checked on their own.
TEXT_FILTERS = {
    c.path: [
        name
        for name, info in c.query.model_fields.items()
        if name not in ListQuery.model_fields and _takes_text(info.annotation)
    ]
    for c in REGISTRY
}
LEAKS = ("root:x:", "root:*:", "/bin/bash", "Traceback", "sqlite3.", "sqlalchemy.")


def check_safe(response: httpx.Response) -> None:
    """Never a server error, and nothing of a file or a stack trace in the body."""
    assert response.status_code < 500, (response.status_code, response.text[:500])
    for leak in LEAKS:
        assert leak not in response.text, (leak, response.text[:500])


def assert_4xx_problem(response: httpx.Response, assert_problem: Problem) -> dict[str, Any]:
    check_safe(response)
    assert 400 <= response.status_code < 500, response.status_code
    return assert_problem(response, response.status_code)


@pytest.fixture(scope="module")
def counts_before(client: TestClient) -> dict[str, int]:
    return client.get("/v1/meta").json()["counts"]


# ------------------------------------------------------------------------------ hostile input


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_sql_like_text_is_data_not_code(
    client: TestClient, collection: str, counts_before: dict[str, int], assert_problem: Problem
) -> None:
    for name in TEXT_FILTERS[collection]:
        for value in SQLISH:
            response = client.get(f"/v1/{collection}", params={name: value})
            check_safe(response)
            if response.status_code == 200:
                # Nothing in the data contains these strings (or equals them).
                assert response.json()["total"] == 0, (collection, name, value)
            else:
                assert_problem(response, 422)
    # Sort fields come from an allow-list; source ids must be slugs.
    for name in ("sort", "source"):
        assert_problem(client.get(f"/v1/{collection}", params={name: SQLISH[0]}), 422)
    assert client.get("/v1/meta").json()["counts"] == counts_before


def test_like_wildcards_are_matched_literally(client: TestClient, dataset: Records) -> None:
    """`%` and `_` in q are characters, not LIKE wildcards."""
    assert client.get("/v1/projects", params={"q": "%"}).json()["total"] == sum(
        "%" in " ".join([p["name"], *(p.get("aliases") or []), p.get("description") or ""])
        for p in dataset["projects"]
    )
    assert client.get("/v1/projects", params={"q": "_"}).json()["total"] == sum(
        "_" in " ".join([p["name"], *(p.get("aliases") or []), p.get("description") or ""])
        for p in dataset["projects"]
    )


@pytest.mark.parametrize("q", [*SQLISH, "NEAR(a b", "*", "col:value", "^x", "a:b"])
def test_sql_and_fts_injection_in_search(
    client: TestClient, q: str, assert_problem: Problem
) -> None:
    response = client.get("/v1/search", params={"q": q})
    check_safe(response)
    if response.status_code != 200:
        assert_problem(response, 422)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/sources/..%2f..%2fetc%2fpasswd/text",
        "/v1/sources/%2e%2e/text",
        "/v1/sources/%2e%2e%2f%2e%2e%2fetc%2fpasswd/text",
        "/v1/sources/..%5c..%5cwindows%5cwin.ini/text",
        "/v1/sources/%252e%252e%252fetc%252fpasswd/text",
        "/v1/sources/etc%00passwd/text",
        "/static-offline-docs/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/static-offline-docs/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_path_traversal(client: TestClient, path: str, assert_problem: Problem) -> None:
    assert_4xx_problem(client.get(path), assert_problem)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_overlong_ids(client: TestClient, collection: str, assert_problem: Problem) -> None:
    assert_4xx_problem(client.get(f"/v1/{collection}/{'a' * 1000}"), assert_problem)
    assert_problem(client.get(f"/v1/{collection}/{'a' * 200}"), 422)
    assert_problem(client.get(f"/v1/{collection}/Not_A_Slug"), 422)


def test_overlong_query_string_is_414(client: TestClient, assert_problem: Problem) -> None:
    response = client.get("/v1/projects", params={"q": "x" * 7500})
    assert_problem(response, 414)
    # Up to 8,000 octets of target (RFC 9110 section 4.1): a long but valid-length query
    # string is read, and an over-long value is a 422 naming it, not a 414.
    assert_problem(client.get("/v1/projects", params={"q": "x" * 2100}), 422)
    just_under = client.get("/v1/projects", params={"q": "x" * 190})
    assert just_under.status_code == 200


def test_search_term_just_under_the_limit_is_served(client: TestClient) -> None:
    just_under = client.get("/v1/search", params={"q": "x" * 190})
    assert just_under.status_code == 200


def test_overlong_path_is_414(client: TestClient, assert_problem: Problem) -> None:
    assert_problem(client.get("/v1/" + "a/" * 600), 414)


def _raw_get(app: Any, path: bytes, query: bytes) -> tuple[int, dict[str, str], bytes]:
    """One GET straight through the ASGI interface, with bytes no HTTP client would send."""
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path.decode("latin-1"),
        "raw_path": path,
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    anyio.run(app, scope, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], headers, body


def test_raw_invalid_utf8_in_query_is_a_400_problem(client: TestClient) -> None:
    status, headers, body = _raw_get(client.app, b"/v1/projects", b"q=\xff\xfe")
    assert status == 400
    assert headers["content-type"].startswith("application/problem+json")
    assert b"Traceback" not in body


@pytest.mark.parametrize("path", ["/v1/projects", "/v1/search", "/v1/people"])
def test_percent_encoded_invalid_utf8_is_a_4xx_problem(
    client: TestClient, path: str, assert_problem: Problem
) -> None:
    """%ff%fe decodes to no UTF-8 text: refused, not silently replaced by U+FFFD."""
    response = client.get(f"{path}?q=%ff%fe")
    assert_4xx_problem(response, assert_problem)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 10**30},
        {"limit": 0},
        {"limit": -1},
        {"limit": "ten"},
        {"offset": -1},
        {"offset": 10**30},
        {"year_from": 99999999999999999999},
        {"year_to": -99999999999999999999},
        {"year_from": "1e3"},
        {"year_from": "nan"},
        {"year_from": 999},
        {"bri": "maybe"},
        {"unknown": "1"},
        {"Limit": "5"},
        {"format": "../../etc/passwd"},
    ],
)
def test_bad_numbers_and_unknown_parameters_are_422(
    client: TestClient, params: dict[str, Any], assert_problem: Problem
) -> None:
    body = assert_problem(client.get("/v1/projects", params=params), 422)
    assert body.get("errors"), body


@pytest.mark.parametrize(
    "path",
    [
        *(f"/v1/{name}?unknown=1" for name in COLLECTIONS),
        "/v1/search?q=wind&unknown=1",
        "/v1/trade-stats/series?metric=trade_turnover&unknown=1",
        "/v1/sources/sfc-2023-zhang-xiao/records?unknown=1",
        "/v1/sources/sfc-2023-zhang-xiao/records?limit=100000000000000000000",
    ],
)
def test_unknown_parameters_are_422_on_every_list(
    client: TestClient, path: str, assert_problem: Problem
) -> None:
    assert_problem(client.get(path), 422)


def test_other_methods_are_405_problems(client: TestClient, assert_problem: Problem) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = client.request(method, "/v1/projects")
        assert_problem(response, 405)
        assert "GET" in response.headers["allow"]


# ------------------------------------------------------------------------------ security headers


def _assert_security_headers(response: httpx.Response) -> None:
    assert response.headers.get("x-content-type-options") == "nosniff", response.url
    assert response.headers.get("referrer-policy"), response.url
    assert "content-security-policy" in response.headers, response.url
    assert "server" not in response.headers, response.url


def test_security_headers_on_every_answer(client: TestClient) -> None:
    paths = [
        "/v1/projects",
        "/v1/projects/zhanatas-wind-farm",
        "/v1/projects/no-such-project",
        "/v1/projects?limit=0",
        "/v1/sources/sfc-2023-zhang-xiao/text",
        "/healthz",
        "/openapi.json",
        "/docs",
        "/redoc",
        "/nowhere",
    ]
    for path in paths:
        _assert_security_headers(client.get(path))
    _assert_security_headers(client.get("/v1/projects", headers={"Accept": "application/xml"}))
    api_csp = client.get("/v1/projects").headers["content-security-policy"]
    assert "default-src 'none'" in api_csp


def test_security_headers_on_requests_refused_by_the_limits(client: TestClient) -> None:
    _assert_security_headers(client.get("/v1/projects", params={"q": "x" * 3000}))
    status, headers, _ = _raw_get(client.app, b"/v1/projects", b"q=\xff")
    assert status == 400
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("referrer-policy")
    assert "content-security-policy" in headers


def _csp_directives(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_csp_allows_no_remote_host(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    directives = _csp_directives(response.headers["content-security-policy"])
    assert directives.get("default-src") == ["'none'"]
    assert directives.get("frame-ancestors") == ["'none'"]
    local = {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}
    for name, sources in directives.items():
        assert set(sources) <= local, (name, sources)
    # The page itself loads nothing from another host, and what it loads is served.
    urls = re.findall(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']""", response.text)
    urls += re.findall(r"""url:\s*['"]([^'"]+)['"]""", response.text)
    assert urls
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        assert client.get(url).status_code == 200, url


def test_no_server_header_from_the_served_app(settings: Settings) -> None:
    """`python -m app serve` (uvicorn) does not announce its software."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "DATA_DIR": str(settings.data_dir),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        response = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/v1/meta", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response is not None, process.stderr.read().decode() if process.stderr else ""
        assert response.status_code == 200
        assert "server" not in response.headers
        missing = httpx.get(f"http://127.0.0.1:{port}/nowhere", timeout=2)
        assert missing.status_code == 404
        assert "server" not in missing.headers
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_docs_can_be_switched_off(
    make_client: Callable[..., TestClient], assert_problem: Problem
) -> None:
    closed = make_client(docs_enabled=False)
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        assert_problem(closed.get(path), 404)
    assert closed.get("/v1/meta").status_code == 200


# ------------------------------------------------------------------------- statement time limit


def _big_copy(database_url: str, new_database_url: Callable[[], str], copies: int) -> str:
    """A new database like the test database, with `copies` extra copies of every project."""
    source = sqlite_path(database_url)
    if source is not None:
        target = new_database_url()
        path = sqlite_path(target)
        assert path is not None
        shutil.copyfile(source, path)
        with sqlite3.connect(path) as connection:
            columns = [row[1] for row in connection.execute("PRAGMA table_info(project)")]
            _copy_projects(connection.execute, columns, copies)
        return target
    target = new_database_url()
    build(target, DATA_DIR)
    engine = make_write_engine(target)
    try:
        with engine.begin() as connection:
            use_newest_dataset(connection)
            columns = [c["name"] for c in inspect(connection).get_columns("project")]
            _copy_projects(connection.exec_driver_sql, columns, copies)
            connection.exec_driver_sql("ANALYZE project")
    finally:
        engine.dispose()
    return target


def _copy_projects(execute: Callable[[str], Any], columns: list[str], copies: int) -> None:
    """Insert `copies` copies of every project, with new ids."""
    selected = ["id || '-copy-' || n.i" if c == "id" else c for c in columns]
    execute(
        f"INSERT INTO project ({', '.join(columns)}) "
        f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {copies}) "
        f"SELECT {', '.join(selected)} FROM project, n"
    )


def test_statement_time_limit_gives_a_503_problem(
    make_client: Callable[..., TestClient],
    database_url: str,
    new_database_url: Callable[[], str],
    assert_problem: Problem,
) -> None:
    """A facet over ~100k projects takes far more than 1 ms of database work on any machine;
    the time limit is told by error class (SQLITE_INTERRUPT, SQLSTATE 57014), not message."""
    url = _big_copy(database_url, new_database_url, copies=4000)
    slow = make_client(database_url=url, statement_timeout_ms=1, response_cache_entries=0)
    response = slow.get("/v1/projects", params={"facet": "sector,status,year,source"})
    body = assert_problem(response, 503)
    assert "time limit" in body["detail"]
    # Small statements still run under the same limit.
    assert slow.get("/healthz").status_code == 200
    generous = make_client(database_url=url, statement_timeout_ms=60_000)
    assert generous.get("/v1/projects", params={"facet": "sector", "limit": 1}).status_code == 200


def test_read_engine_interrupts_long_statements(database_url: str) -> None:
    engine = make_read_engine(database_url, statement_timeout_ms=50)
    runaway = text(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
        "SELECT count(*) FROM c"
    )
    try:
        with engine.connect() as connection:
            with pytest.raises(OperationalError) as stopped:
                connection.execute(runaway).scalar()
            assert is_statement_timeout(stopped.value), stopped.value
            connection.rollback()
            # The connection is usable afterwards, and the clock restarts per statement.
            assert connection.execute(text("SELECT 1")).scalar() == 1
            small = text(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) "
                "SELECT count(*) FROM c"
            )
            assert connection.execute(small).scalar() == 1000
    finally:
        engine.dispose()


def test_read_engine_without_limit_runs_to_the_end(database_url: str) -> None:
    engine = make_read_engine(database_url, statement_timeout_ms=0)
    query = text(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) "
        "SELECT count(*) FROM c"
    )
    try:
        with engine.connect() as connection:
            assert connection.execute(query).scalar() == 200000
    finally:
        engine.dispose()


# ----------------------------------------------------------------------------------- read-only


def _fingerprint(database_url: str) -> Any:
    """The SQLite file's bytes; on PostgreSQL, every table of every schema and the rows of
    the served dataset's main tables."""
    path = sqlite_path(database_url)
    if path is not None:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    engine = make_write_engine(database_url)
    try:
        with engine.connect() as connection, connection.begin():
            tables = connection.exec_driver_sql(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
            ).all()
            use_newest_dataset(connection)
            rows = [
                connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1").all()
                for table in ("build_info", "project", "citation")
            ]
            return tables, rows
    finally:
        engine.dispose()


def _refused_write(error: DBAPIError) -> bool:
    """SQLite: the file is read-only; PostgreSQL: SQLSTATE 25006 read_only_sql_transaction."""
    if isinstance(error.orig, sqlite3.Error):
        return "readonly" in str(error.orig)
    return getattr(error.orig, "sqlstate", None) == "25006"


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO build_info (id, dataset_version, built_at) VALUES (99, 'x', 'y')",
        "UPDATE project SET name = 'changed'",
        "DELETE FROM citation",
        "CREATE TABLE intruder (x INTEGER)",
        "DROP TABLE project",
    ],
)
def test_serving_sessions_cannot_write(database_url: str, statement: str) -> None:
    before = _fingerprint(database_url)
    database = Database(database_url)
    try:
        with database.connect() as connection, Session(bind=connection) as session:
            with pytest.raises(DBAPIError) as refused:
                session.execute(text(statement))
                session.commit()
            assert _refused_write(refused.value), refused.value
    finally:
        database.close()
    # A fresh serving session still reads everything.
    database = Database(database_url)
    try:
        with database.connect() as connection, Session(bind=connection) as session:
            assert session.execute(text("SELECT count(*) FROM project")).scalar()
    finally:
        database.close()
    assert _fingerprint(database_url) == before


@pytest.mark.postgres
def test_postgres_request_reads_one_read_only_snapshot(
    new_database_url: Callable[[], str],
) -> None:
    """Each serving connection is one READ ONLY, REPEATABLE READ transaction: what it reads
    does not change under it, whatever commits meanwhile."""
    url = new_database_url()
    build(url, DATA_DIR)
    database = Database(url)
    writer = make_write_engine(url)
    try:
        with database.connect() as connection:
            settings = connection.exec_driver_sql(
                "SELECT current_setting('transaction_isolation'), "
                "current_setting('transaction_read_only')"
            ).one()
            assert tuple(settings) == ("repeatable read", "on")
            count = "SELECT count(*) FROM project"
            before = connection.exec_driver_sql(count).scalar()
            with writer.begin() as other:
                use_newest_dataset(other)
                _copy_projects(other.exec_driver_sql, _project_columns(other), 1)
            assert connection.exec_driver_sql(count).scalar() == before
        with database.connect() as connection:  # the next request sees the commit
            assert connection.exec_driver_sql(count).scalar() == 2 * before
    finally:
        database.close()
        writer.dispose()


def _project_columns(connection: Any) -> list[str]:
    return [c["name"] for c in inspect(connection).get_columns("project")]


def _terminate_backend(database_url: str, pid: int) -> None:
    """End one server process of PostgreSQL, as a restart or a dropped connection would."""
    with engines._connect(engines.admin_url(database_url)) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


@pytest.mark.postgres
def test_postgres_connection_dropped_while_idle_is_replaced_before_use(database_url: str) -> None:
    """A pooled connection idle for longer than the ping threshold is pinged at checkout; one
    the server dropped meanwhile is replaced, and the request never sees the error."""
    engine = make_read_engine(database_url, pool_size=2, ping_after_idle_s=0.05)
    try:
        with engine.connect() as connection:
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        _terminate_backend(database_url, int(pid))
        time.sleep(0.2)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_connection_used_a_moment_ago_is_not_pinged(database_url: str) -> None:
    """Under load no checkout pays a ping's round trip: a connection back in the pool for less
    than the threshold is used as it is. If the server dropped it in that moment, the one
    request using it fails (as a request running at that moment would), and the pool then
    replaces every older connection."""
    engine = make_read_engine(database_url, pool_size=2, ping_after_idle_s=60)
    pings: list[object] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    try:
        with engine.connect() as connection:
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() == pid
        assert pings == []
        _terminate_backend(database_url, int(pid))
        with pytest.raises(DBAPIError) as lost, engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        assert lost.value.connection_invalidated
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_transaction_finds_its_dataset_in_one_statement(database_url: str) -> None:
    """use_newest_dataset points the transaction at the newest schema in one statement (the
    search_path is local to the transaction), and a dataset schema's version is read once:
    version_of takes it from the versions already known, by schema oid and name."""
    database = Database(database_url)
    try:
        with database.connect() as connection:
            schema = connection.info["dataset_schema"]
            assert schema and connection.exec_driver_sql("SHOW search_path").scalar() == (
                f"{schema}, public"
            )
            oid = connection.exec_driver_sql(
                "SELECT oid::int8 FROM pg_namespace WHERE nspname = %(name)s", {"name": schema}
            ).scalar()
            assert connection.info["dataset_key"] == (oid, schema)
            known: dict[tuple[int, str], str] = {}
            version = version_of(connection, known)
            assert version and known == {(oid, schema): version}
            known[(oid, schema)] = "remembered"
            assert version_of(connection, known) == "remembered"
            assert version_of(connection) == version
        with database.engine.connect() as connection:  # a new transaction: the default path
            assert connection.exec_driver_sql("SHOW search_path").scalar() != f"{schema}, public"
    finally:
        database.close()


def test_text_holding_a_nul_character_equals_and_finds_nothing(client: TestClient) -> None:
    """A NUL in a text parameter is no error on either engine (PostgreSQL text cannot hold
    one, so it is sent as a character no stored text holds): nothing equals or contains it."""
    for path, params in (
        ("/v1/sources", {"q": "ab\x00cd", "facet": "kind"}),
        ("/v1/projects", {"q": "wi\x00nd"}),
        ("/v1/sources", {"language": "e\x00n"}),
    ):
        response = client.get(path, params=params)
        assert response.status_code == 200, (path, response.text)
        assert response.json()["total"] == 0, path


def test_text_matching_folds_the_case_of_ascii_letters_only(client: TestClient) -> None:
    """`q` ignores the case of ASCII letters, and only theirs, on either engine (SQLite's
    LIKE; PostgreSQL's ILIKE would also fold other scripts, e.g. the Kelvin sign to `k`)."""
    found = client.get("/v1/people", params={"q": "KASSYM"}).json()["total"]
    assert found == client.get("/v1/people", params={"q": "kassym"}).json()["total"] > 0
    assert client.get("/v1/people", params={"q": "\u212aassym"}).json()["total"] == 0
