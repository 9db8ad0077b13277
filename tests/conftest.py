"""Fixtures: a database built by the real migrations and loader from the real data/.

The engine comes from TEST_DATABASE_URL: unset, the suite builds a temporary SQLite file;
`postgresql://…/<db>` builds into that (empty, throw-away) PostgreSQL database, and tests
that need more databases create `<db>_<n>` beside it and drop them afterwards. Tests about
one engine only carry the `sqlite` or `postgres` marker (and say so in their names); they
are skipped on the other engine. Tests that never open the database under test carry
`engine_independent` and run once, in the SQLite run (on PostgreSQL they would repeat
themselves byte for byte).
"""

import itertools
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import event

from app.config import ROOT, Settings
from app.db import is_postgres
from app.errors import PROBLEM_TYPES
from app.loader.build import build, built_version
from app.loader.check import dataset_version
from app.main import create_app
from app.queries.compiled import Reader, Statement
from app.registry import COLLECTIONS as REGISTRY
from tests import engines

DATA_DIR = ROOT / "data"

# The database the suite runs on; empty means a temporary SQLite file.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = bool(TEST_DATABASE_URL) and is_postgres(TEST_DATABASE_URL)
ENGINE = "postgresql" if ON_POSTGRES else "sqlite"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite: about the SQLite engine only (file swap, FTS5)")
    config.addinivalue_line("markers", "postgres: about the PostgreSQL engine only")
    config.addinivalue_line(
        "markers",
        "engine_independent: never opens the database under test (data checks that fail "
        "before any connection, a SQLite file of its own), so it runs once, in the SQLite run",
    )


def pytest_report_header(config: pytest.Config) -> str:
    where = engines.redact(TEST_DATABASE_URL) if TEST_DATABASE_URL else "a temporary file"
    return f"database engine: {ENGINE} ({where})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    other = "sqlite" if ON_POSTGRES else "postgres"
    skip = pytest.mark.skip(reason=f"{other} only; this run is on {ENGINE}")
    # A test that never touches the engine under test would only repeat itself on another.
    once = pytest.mark.skip(reason="engine-independent: runs once, in the SQLite run")
    for item in items:
        if item.get_closest_marker(other):
            item.add_marker(skip)
        elif ON_POSTGRES and item.get_closest_marker("engine_independent"):
            item.add_marker(once)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database, built from data/ exactly as `python -m app build` does."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'api.sqlite3'}"
    build(url, DATA_DIR)
    return url


_database_numbers = itertools.count(1)


@pytest.fixture
def new_database_url(tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A function returning the URL of a new, empty database on the engine under test
    (a file under tmp_path, or a PostgreSQL database dropped when the test ends)."""
    made: list[str] = []

    def make() -> str:
        number = next(_database_numbers)
        if not ON_POSTGRES:
            return f"sqlite:///{tmp_path / f'db{number}.sqlite3'}"
        url = engines.create_database(TEST_DATABASE_URL, suffix=f"_{number}")
        made.append(url)
        return url

    yield make
    for url in made:
        engines.drop_database(url)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    """Settings aimed at the test database and the real data/."""
    return Settings(database_url=database_url, data_dir=DATA_DIR)


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    """An httpx client driving the real app (lifespan included)."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may corrupt."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


# ---------------------------------------------------------------------------------------------
# Fixtures of the API suite: the data files as the curators wrote them, and small helpers.
# ---------------------------------------------------------------------------------------------

# API collection path -> key of its records in data/*.yaml (from the one registry).
COLLECTION_KEYS = {collection.path: collection.key for collection in REGISTRY}

# Every collection path of the API, in the order the design lists them.
COLLECTIONS = tuple(COLLECTION_KEYS)

# Collection path -> the Public model its items are served as.
PUBLIC: dict[str, type[BaseModel]] = {collection.path: collection.public for collection in REGISTRY}


class _DataLoader(yaml.SafeLoader):
    """safe_load, except that dates stay strings and only true/false are booleans (as the
    curator guide says: dates are partial ISO strings, country codes are never booleans)."""


_DataLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_DataLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_data_file(path: Path) -> Any:
    """One data/*.yaml file as plain Python values."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_DataLoader)


@pytest.fixture(scope="session")
def dataset(database_url: str) -> dict[str, list[dict[str, Any]]]:
    """Every record of data/*.yaml, by API collection path (a collection may span files).

    Read right after the test database is built, and only if data/ is still what was built:
    expectations must come from the same files as the database they are checked against.
    """
    built = built_version(database_url)
    before = dataset_version(DATA_DIR)
    keys = {key: path for path, key in COLLECTION_KEYS.items()}
    records: dict[str, list[dict[str, Any]]] = {path: [] for path in COLLECTION_KEYS}
    for file in sorted(DATA_DIR.glob("*.yaml")):
        for key, value in (load_data_file(file) or {}).items():
            if key in keys:
                records[keys[key]].extend(value or [])
    after = dataset_version(DATA_DIR)
    if not built == before == after:
        pytest.fail(
            f"data/ changed while the suite ran (built {built}, now {after}); "
            "run the suite again once the curators' edits are saved"
        )
    return records


@pytest.fixture(scope="session")
def vocabularies() -> dict[str, dict[str, str]]:
    """The controlled vocabularies of data/vocabularies.yaml (and any other file)."""
    found: dict[str, dict[str, str]] = {}
    for file in sorted(DATA_DIR.glob("*.yaml")):
        found.update((load_data_file(file) or {}).get("vocabularies") or {})
    return found


@pytest.fixture(scope="session")
def source_texts(dataset: dict[str, list[dict[str, Any]]]) -> dict[str, bytes]:
    """The bytes of data/sources/<id>.txt for every source."""
    return {
        source["id"]: (DATA_DIR / "sources" / f"{source['id']}.txt").read_bytes()
        for source in dataset["sources"]
    }


@pytest.fixture(scope="session")
def fetch_all(client: TestClient) -> Callable[..., list[dict[str, Any]]]:
    """A function that pages through a list endpoint and returns every item."""

    def fetch(path: str, **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            response = client.get(path, params={**params, "limit": 500, "offset": len(items)})
            assert response.status_code == 200, (path, params, response.text)
            body = response.json()
            items += body["items"]
            if not body["items"] or len(items) >= body["total"]:
                assert len(items) == body["total"], (path, params)
                return items

    return fetch


PROBLEM_KEYS = ("type", "title", "status", "detail", "instance")
# RFC 3986 section 4.1: a URI reference holds only unreserved and reserved characters and
# percent-encoded octets.
URI_REFERENCE = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")


def is_uri_reference(value: Any) -> bool:
    """Whether a value is a syntactically valid URI reference (RFC 3986)."""
    return isinstance(value, str) and bool(URI_REFERENCE.match(value))


TRACEBACK_MARKERS = ("Traceback", 'File "', "sqlalchemy.", "sqlite3.")


@pytest.fixture(scope="session")
def assert_problem() -> Callable[..., dict[str, Any]]:
    """A function checking that a response is an RFC 9457 problem of the given status."""

    def check(response: Any, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        for key in PROBLEM_KEYS:
            assert key in body, (key, body)
        assert body["status"] == status
        assert isinstance(body["type"], str) and body["type"]
        assert isinstance(body["title"], str) and body["title"]
        assert isinstance(body["detail"], str) and body["detail"]
        # RFC 9457: a declared type (its page is served, tests/test_problems.py) with its one
        # title, or about:blank; the instance a URI reference naming the request.
        if body["type"] != "about:blank":
            slug = body["type"].removeprefix("/problems/")
            assert body["type"] == f"/problems/{slug}" and slug in PROBLEM_TYPES, body
            declared = PROBLEM_TYPES[slug]
            assert (body["title"], body["status"]) == (declared.title, declared.status), body
        assert is_uri_reference(body["instance"]) and body["instance"].startswith("/"), body
        for marker in TRACEBACK_MARKERS:
            assert marker not in response.text, (marker, response.text)
        return body

    return check


# ---------------------------------------------------------------------------------------------
# Fixtures of the HTTP-behaviour suites (formats, caching, hardening, ...).
# ---------------------------------------------------------------------------------------------


@contextmanager
def _client_maker(settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """A function that starts another app (lifespan included) on changed settings; every
    client it made is closed when the block ends."""
    clients: list[TestClient] = []

    def make(**changes: Any) -> TestClient:
        test_client = TestClient(create_app(settings.model_copy(update=changes)))
        test_client.__enter__()
        clients.append(test_client)
        return test_client

    yield make
    for test_client in reversed(clients):
        test_client.__exit__(None, None, None)


@pytest.fixture
def make_client(settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """A function that starts another app (lifespan included) on changed settings, e.g.
    `make_client(cors_origins=["https://a.example"])` or `make_client(database_url=...)`;
    every client it made is closed when the test ends."""
    with _client_maker(settings) as make:
        yield make


@pytest.fixture(scope="module")
def make_module_client(settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """`make_client` for apps a whole test module shares, closed when the module ends."""
    with _client_maker(settings) as make:
        yield make


@pytest.fixture(scope="session")
def change_description() -> Callable[[Path, str, str], None]:
    """A function that sets the `description` of record `record_id` in one data/*.yaml file
    (a copy, e.g. under `data_copy`) to `text`, leaving every other byte as it was."""

    def change(path: Path, record_id: str, text: str) -> None:
        source = path.read_text(encoding="utf-8")
        anchor = re.search(rf"^- id: {re.escape(record_id)}\n", source, re.M)
        assert anchor, f"no record {record_id} in {path}"
        field = re.compile(r"^  description:.*?(?=^  [A-Za-z_]+:|^- |^\S|\Z)", re.M | re.S)
        match = field.search(source, anchor.end())
        next_record = re.compile(r"^- ", re.M).search(source, anchor.end())
        assert match and (next_record is None or match.start() < next_record.start())
        quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        path.write_text(
            source[: match.start()] + f"  description: {quoted}\n" + source[match.end() :],
            encoding="utf-8",
        )

    return change


@contextmanager
def sql_statements(client: TestClient) -> Iterator[list[tuple[str, str]]]:
    """The SQL statements the app behind `client` runs while the block runs, each as
    (how, sql): "sqlalchemy" for those SQLAlchemy executes, "compiled" for those run on the
    DB-API cursor (app/queries/compiled.py)."""
    seen: list[tuple[str, str]] = []

    def executed(*args: Any) -> None:
        seen.append(("sqlalchemy", str(args[2])))

    run_compiled = Reader._cursor

    def compiled(reader: Reader, statement: Statement, values: Any) -> Any:
        seen.append(("compiled", statement.sql))
        return run_compiled(reader, statement, values)

    engine = client.app.state.database.engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", executed)
    Reader._cursor = compiled  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        Reader._cursor = run_compiled  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", executed)
