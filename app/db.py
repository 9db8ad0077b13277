"""Database engines: a writable one for the build, a read-only one for serving.

Two engines are supported. SQLite (the default) is one file that a build replaces atomically.
PostgreSQL (the shared engine for replicas) keeps each build in its own schema,
`dataset_<n>`, created and filled in one transaction; readers use the newest schema their
snapshot sees, so a build becomes visible all at once, schema changes included.
"""

import json
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlmodel import create_engine

from app.queries.compiled import DatasetMemo

# A dataset schema on PostgreSQL: `dataset_` and a zero-padded build number, so the newest
# sorts last. Extensions (pg_trgm) live in `public`, which stays on the search path.
SCHEMA_PREFIX = "dataset_"
SCHEMA_NAME = re.compile(r"^dataset_\d{8}$")
NEWEST_SCHEMA = (
    "SELECT nspname FROM pg_catalog.pg_namespace "
    "WHERE nspname ~ '^dataset_[0-9]{8}$' ORDER BY nspname DESC LIMIT 1"
)
# The same in one round trip for a serving transaction: the newest schema (its oid too, so a
# schema dropped and made again under the same name is told apart) and, in the same
# statement, the transaction's search_path set to it (set_config(..., true) is SET LOCAL).
USE_NEWEST_DATASET = (
    "SELECT s.oid::int8, s.nspname, "
    "set_config('search_path', quote_ident(s.nspname) || ', public', true) "
    "FROM (SELECT oid, nspname FROM pg_catalog.pg_namespace "
    "WHERE nspname ~ '^dataset_[0-9]{8}$' ORDER BY nspname DESC LIMIT 1) AS s"
)
# SQLSTATE of a statement cancelled by statement_timeout (PostgreSQL's query_canceled).
QUERY_CANCELED = "57014"
# PostgreSQL: a pooled connection idle for longer than this is pinged before it is used.
PING_AFTER_IDLE_S = 1.0


def engine_url(url: str) -> URL:
    """`url` as SQLAlchemy should open it: PostgreSQL URLs use the psycopg 3 driver.

    `postgresql://` (and Heroku-style `postgres://`) would otherwise mean psycopg2, which the
    `postgres` extra does not install.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_postgres(url: str) -> bool:
    """True when `url` names a PostgreSQL database."""
    return engine_url(url).get_backend_name() == "postgresql"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = engine_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(parsed.database)


def _enable_sqlite_foreign_keys(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _json(obj: object) -> str:
    # Aliases keep their own script (e.g. Chinese) in the JSON text, so text search finds them.
    return json.dumps(obj, ensure_ascii=False)


def make_write_engine(url: str, scratch: bool = False) -> Engine:
    """An engine for building the database.

    `scratch`: the SQLite file is a staging copy, thrown away unless the build succeeds and
    synced once before it replaces the served file (app/loader/build.py). So its statements
    need not each wait for the disk: the rollback journal is kept in memory and writes are
    not synced (SQLite `journal_mode=MEMORY`, `synchronous=OFF`). Without this, each of the
    migrations' DDL statements, run outside a transaction, waits for an fsync.
    """
    engine = create_engine(engine_url(url), json_serializer=_json)
    if engine.dialect.name == "sqlite":
        _enable_sqlite_foreign_keys(engine)
        if scratch:
            _write_without_syncing(engine)
    return engine


def _write_without_syncing(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=MEMORY")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()


def _limit_statement_time(engine: Engine, timeout_ms: int) -> None:
    """Abort any SQLite statement running longer than `timeout_ms` (SQLITE_INTERRUPT)."""
    limit = timeout_ms / 1000

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, record):
        deadline = [float("inf")]

        def check() -> int:
            return 1 if time.monotonic() > deadline[0] else 0

        dbapi_connection.set_progress_handler(check, 10_000)
        # Kept with the pooled connection, so a statement run on its DB-API cursor
        # (app/queries/compiled.py) restarts the clock as the hook below does.
        record.info["deadline"] = deadline
        record.info["time_limit"] = limit

    @event.listens_for(engine, "before_cursor_execute")
    def _start_clock(conn, _cursor, _statement, _params, _context, _many):
        conn.info["deadline"][0] = time.monotonic() + limit


def is_statement_timeout(exc: BaseException) -> bool:
    """True when a database error is a statement stopped by the time limit.

    Told by error class, never by message text: SQLite's SQLITE_INTERRUPT result code (the
    progress handler's abort), PostgreSQL's SQLSTATE 57014 (query_canceled).
    """
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.Error):
        return getattr(orig, "sqlite_errorcode", None) == sqlite3.SQLITE_INTERRUPT
    return getattr(orig, "sqlstate", None) == QUERY_CANCELED


def _text_without_nul(dbapi_connection: Any, _record: Any) -> None:
    """Send a NUL in a request's text as U+FFFF on this psycopg connection.

    PostgreSQL text cannot hold NUL, so psycopg refuses to send one; SQLite takes it, and
    no stored text holds one, so such a value equals nothing and finds nothing. U+FFFF (a
    noncharacter, in no stored text either) keeps that answer instead of an error.
    """
    from psycopg.types.string import StrBinaryDumper, StrDumperUnknown

    class Text(StrDumperUnknown):
        def dump(self, obj: str) -> Any:
            return super().dump(obj.replace("\x00", "\uffff"))

    class BinaryText(StrBinaryDumper):
        def dump(self, obj: str) -> Any:
            return super().dump(obj.replace("\x00", "\uffff"))

    dbapi_connection.adapters.register_dumper(str, Text)
    dbapi_connection.adapters.register_dumper(str, BinaryText)


def _ping_when_idle(engine: Engine, idle_s: float) -> None:
    """Ping a pooled connection before use only when it has been idle over `idle_s` seconds.

    A connection the server or the network dropped (a restart, an idle timeout) is found by a
    ping and replaced before the request uses it (the pool retries on DisconnectionError),
    as SQLAlchemy's pool_pre_ping does; but a connection back in the pool for less than
    `idle_s` was working a moment ago, so under load no request pays a round trip for a
    ping. A server lost in that moment fails the requests using it, as it would mid-request
    anyway, and its first disconnect error makes the pool replace every older connection.
    """

    @event.listens_for(engine.pool, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since <= idle_s:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the driver's error: this connection is gone
            raise DisconnectionError(f"connection idle for {idle_s} s failed its ping") from exc


def make_read_engine(
    url: str,
    statement_timeout_ms: int = 0,
    pool_size: int = 40,
    pool_timeout: float = 5,
    ping_after_idle_s: float = PING_AFTER_IDLE_S,
) -> Engine:
    """An engine for serving, which cannot write.

    SQLite: the file is opened read-only. PostgreSQL: every transaction is READ ONLY and
    REPEATABLE READ (one snapshot per request), with `statement_timeout` set by the server.
    The pool holds `pool_size` connections (one per worker thread) and a request waits at
    most `pool_timeout` seconds for one (then 503). A PostgreSQL connection idle in the pool
    for over `ping_after_idle_s` seconds is pinged before use (see `_ping_when_idle`).
    """
    parsed = engine_url(url)
    if parsed.get_backend_name() == "postgresql":
        options = (
            "-c default_transaction_read_only=on "
            "-c default_transaction_isolation=repeatable\\ read "
            f"-c statement_timeout={max(statement_timeout_ms, 0)}"
        )
        engine = create_engine(
            parsed,
            # A server that does not answer is a 503 after a few seconds, not a hang.
            connect_args={
                "options": options,
                "application_name": "bilateral-api",
                "connect_timeout": 5,
            },
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=pool_timeout,
        )
        event.listen(engine, "connect", _text_without_nul)
        _ping_when_idle(engine, ping_after_idle_s)
        _share_dataset_memo(engine)
        return engine
    path = sqlite_path(url)
    if path is None:
        return create_engine(parsed)
    ro_url = f"sqlite:///file:{path.resolve()}?mode=ro&uri=true"
    # Connections are taken in worker threads, so the pool never makes a request wait behind
    # another; a short timeout turns a stall into a 503.
    engine = create_engine(
        ro_url,
        connect_args={"check_same_thread": False},
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=pool_timeout,
    )
    if statement_timeout_ms > 0:
        _limit_statement_time(engine, statement_timeout_ms)
    _share_dataset_memo(engine)
    return engine


def _share_dataset_memo(engine: Engine) -> None:
    """Give every connection of a serving engine the engine's one `DatasetMemo`, where
    compiled statements keep answers that depend only on the dataset (app/queries/compiled.py)."""
    memo = DatasetMemo()

    @event.listens_for(engine, "connect")
    def _on_connect(_dbapi_connection, record):
        record.info[DatasetMemo.INFO_KEY] = memo


def newest_schema(connection: Connection) -> str | None:
    """The newest dataset schema the connection's snapshot sees (PostgreSQL), or None."""
    name = connection.exec_driver_sql(NEWEST_SCHEMA).scalar()
    return str(name) if name is not None and SCHEMA_NAME.match(str(name)) else None


def use_newest_dataset(connection: Connection) -> str | None:
    """Point the connection's current transaction at the newest dataset (PostgreSQL).

    One statement, run in the transaction's snapshot, finds the newest dataset schema and
    sets the transaction's search_path to it (SET LOCAL), so every later statement of the
    transaction reads the one dataset that was newest when it began. A no-op on SQLite.
    """
    if connection.dialect.name != "postgresql":
        return None
    row = connection.exec_driver_sql(USE_NEWEST_DATASET).first()
    # The SQL's pattern is SCHEMA_NAME's, and set_config quoted the name as an identifier.
    schema = str(row[1]) if row is not None and SCHEMA_NAME.match(str(row[1])) else None
    connection.info["dataset_schema"] = schema
    connection.info["dataset_key"] = (int(row[0]), schema) if schema and row else None
    return schema


# The version of a dataset schema, by (oid, name): a schema is made and filled in one
# transaction and never written again, so its version is read once. Keep a few entries.
Versions = dict[tuple[int, str], str]
KNOWN_VERSIONS = 16


def version_of(connection: Connection, known: Versions | None = None) -> str | None:
    """The dataset version the connection reads (after `use_newest_dataset` on PostgreSQL).

    `known` (PostgreSQL): versions already read, by dataset schema; the schema's version is
    taken from there, or read and put there.
    """
    key = None
    if connection.dialect.name == "postgresql":
        if not connection.info.get("dataset_schema"):
            return None  # no build yet (and a failed query would abort the transaction)
        key = connection.info.get("dataset_key")
        if known is not None and key in known:
            return known[key]
    try:
        value = connection.exec_driver_sql(
            "SELECT dataset_version FROM build_info WHERE id = 1"
        ).scalar()
    except SQLAlchemyError:
        return None
    if value is None:
        return None
    if known is not None and key is not None:
        if len(known) >= KNOWN_VERSIONS:
            known.clear()
        known[key] = str(value)
    return str(value)


class Database:
    """The serving database: a read-only engine that follows rebuilds.

    SQLite: a build replaces the file with os.replace; open connections keep reading the old
    file, so each new session checks whether the file changed and, if so, opens a new engine.
    PostgreSQL: each session reads the newest dataset schema of its snapshot; the version the
    response cache is keyed by is checked at most every `check_interval` seconds.
    """

    def __init__(
        self,
        url: str,
        statement_timeout_ms: int = 0,
        pool_size: int = 40,
        pool_timeout: float = 5,
        check_interval: float = 0.5,
    ) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self.postgres = is_postgres(url)
        self.timeout_ms = statement_timeout_ms
        self.pool_size = pool_size
        self.pool_timeout = pool_timeout
        self.check_interval = check_interval
        self._checked = 0.0
        self.schema: str | None = None  # PostgreSQL: the dataset schema of `version`
        self.versions: Versions = {}  # PostgreSQL: dataset versions by schema, read once
        self._stamp = self._file_stamp()
        self.engine = self._engine()
        self.version = self._read_version()

    def _engine(self) -> Engine:
        return make_read_engine(self.url, self.timeout_ms, self.pool_size, self.pool_timeout)

    def _read_version(self) -> str | None:
        """The dataset version now served, or None when there is no readable build."""
        self._checked = time.monotonic()
        try:
            with self.engine.connect() as connection, connection.begin():
                self.schema = use_newest_dataset(connection)
                return version_of(connection, self.versions)
        except SQLAlchemyError:
            return None

    def _file_stamp(self) -> tuple[int, int] | None:
        if self.path is None:
            return None
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)

    def check_due(self) -> bool:
        """True when `refresh` would query the database (PostgreSQL, interval elapsed)."""
        return self.postgres and time.monotonic() - self._checked >= self.check_interval

    def refresh(self) -> bool:
        """Follow a rebuild; True when the served dataset changed."""
        if self.postgres:
            if not self.check_due():
                return False
            self._checked = time.monotonic()  # one check at a time, not one per request
            before = self.version
            self.version = self._read_version()
            return self.version != before
        if self.path is None:
            return False
        stamp = self._file_stamp()
        if stamp is None or stamp == self._stamp:  # unchanged, or removed: keep what is open
            return False
        old = self.engine
        self.engine, self._stamp = self._engine(), stamp
        self.version = self._read_version()
        old.dispose(close=False)  # connections in use finish on the old file
        return True

    def connect(self) -> Connection:
        """A connection to the current dataset, in a transaction (one snapshot) on PostgreSQL.

        The caller closes it; on PostgreSQL closing rolls the read-only transaction back.
        """
        self.refresh()
        connection = self.engine.connect()
        if self.postgres:
            try:
                connection.begin()
                use_newest_dataset(connection)
            except BaseException:
                connection.close()
                raise
        return connection

    def seen(self, connection: Connection, version: str | None) -> None:
        """Note the dataset a request read: if newer, it is the one served from now on.

        (PostgreSQL schemas are numbered in build order, so a request that began before a
        rebuild cannot set the served version back.)
        """
        schema = connection.info.get("dataset_schema")
        if self.postgres and version is not None and schema and schema > (self.schema or ""):
            self.schema, self.version = schema, version

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
