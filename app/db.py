"""Database engines: a writable one for the build, a read-only one for serving."""

import json
import time
from pathlib import Path

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import create_engine


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
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


def make_write_engine(url: str, scratch: bool = False) -> Engine:
    """An engine for building the database.

    `scratch`: the SQLite file is a staging copy, thrown away unless the build succeeds and
    synced once before it replaces the served file (app/loader/build.py). So its statements
    need not each wait for the disk: the rollback journal is kept in memory and writes are
    not synced (SQLite `journal_mode=MEMORY`, `synchronous=OFF`). Without this, each of the
    migrations' DDL statements, run outside a transaction, waits for an fsync.
    """
    # Aliases keep their own script (e.g. Chinese) in the JSON text, so text search finds them.
    engine = create_engine(url, json_serializer=lambda obj: json.dumps(obj, ensure_ascii=False))
    if make_url(url).get_backend_name() == "sqlite":
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
    """Abort any SQLite statement running longer than `timeout_ms` (it raises "interrupted")."""
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


def make_read_engine(url: str, statement_timeout_ms: int = 0) -> Engine:
    """An engine for serving; a SQLite file is opened read-only so no route can write."""
    path = sqlite_path(url)
    if path is None:
        return create_engine(url)
    ro_url = f"sqlite:///file:{path.resolve()}?mode=ro&uri=true"
    # Connections are taken in worker threads (at most 40 by default), so the pool never
    # makes a request wait behind another; a short timeout turns a stall into a 503.
    engine = create_engine(
        ro_url,
        connect_args={"check_same_thread": False},
        pool_size=20,
        max_overflow=40,
        pool_timeout=5,
    )
    if statement_timeout_ms > 0:
        _limit_statement_time(engine, statement_timeout_ms)
    return engine


class Database:
    """The serving database: a read-only engine that follows atomic rebuilds of the file.

    A build replaces the SQLite file with os.replace; open connections keep reading the old
    file, so each new session checks whether the file changed and, if so, opens a new engine.
    """

    def __init__(self, url: str, statement_timeout_ms: int = 0) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self.timeout_ms = statement_timeout_ms
        self._stamp = self._file_stamp()
        self.engine = make_read_engine(url, statement_timeout_ms)
        self.version = self._read_version()

    def _read_version(self) -> str | None:
        """The dataset version of the open file, or None when there is no readable build."""
        try:
            with self.engine.connect() as connection:
                return self.version_of(connection)
        except SQLAlchemyError:
            return None

    @staticmethod
    def version_of(connection: Connection) -> str | None:
        """The dataset version of the file behind `connection`."""
        try:
            value = connection.exec_driver_sql(
                "SELECT dataset_version FROM build_info WHERE id = 1"
            ).scalar()
        except SQLAlchemyError:
            return None
        return str(value) if value is not None else None

    def _file_stamp(self) -> tuple[int, int] | None:
        if self.path is None:
            return None
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)

    def refresh(self) -> bool:
        """Open the new file if a rebuild replaced it; True when it did."""
        if self.path is None:
            return False
        stamp = self._file_stamp()
        if stamp is None or stamp == self._stamp:  # unchanged, or removed: keep what is open
            return False
        old = self.engine
        self.engine, self._stamp = make_read_engine(self.url, self.timeout_ms), stamp
        self.version = self._read_version()
        old.dispose(close=False)  # connections in use finish on the old file
        return True

    def connect(self) -> Connection:
        """A connection to the current file."""
        self.refresh()
        return self.engine.connect()

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
