"""Load a checked dataset into a database, atomically."""

import datetime as dt
import functools
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, delete, insert, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session, SQLModel

from app import migrate
from app.db import (
    SCHEMA_PREFIX,
    make_write_engine,
    newest_schema,
    sqlite_path,
    use_newest_dataset,
    version_of,
)
from app.loader.batches import dataset_batches
from app.loader.check import Dataset, check, dataset_version
from app.loader.documents import document_rows
from app.loader.problems import BuildFailed, Problem
from app.loader.report import (
    DEFAULT_MAX_SHRINK,
    CollectionChange,
    compare,
    digest_rows,
    read_snapshot,
    shrink_problems,
    snapshot_of,
)
from app.loader.search_rows import search_rows
from app.loader.timeline import timeline_rows
from app.loader.vocabulary_rows import vocabulary_rows
from app.models import BuildInfo
from app.queries import search_postgres
from app.queries.search import indexed_text


@dataclass(frozen=True)
class BuildResult:
    """What a successful build produced."""

    dataset_version: str
    rows: int
    previous_version: str | None = None  # None: there was no database to replace
    changes: tuple[CollectionChange, ...] = ()


# pg_advisory_xact_lock key held by a PostgreSQL build ("bilateral" in ASCII, truncated).
BUILD_LOCK_KEY = 0x62696C6174657261
# How long a PostgreSQL build waits for another one to finish before failing.
BUILD_LOCK_WAIT = "300s"
# Dataset schemas kept on PostgreSQL: the new one, and the previous one for requests that
# began before the switch.
KEPT_SCHEMAS = 2


def _fill(session: Session, dataset: Dataset) -> int:
    """Replace every row in the session's transaction; the number of rows written."""
    dialect = session.get_bind().dialect.name
    # Children before parents, so foreign keys hold while the old rows go.
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table.name != "alembic_version":
            session.execute(delete(table))
    rows = 0
    for batch in dataset_batches(dataset):
        rows += insert_rows(session, batch)  # in order: every foreign key has its row
    insert_rows(session, digest_rows(dataset))
    insert_rows(session, vocabulary_rows(dataset))
    # Rendered after every row is in, so each document embeds what it points to.
    insert_rows(session, list(document_rows(session)))
    # Derived views read the records back as the API serves them.
    session.expire_all()
    rows += insert_rows(session, list(timeline_rows(session)))
    if dialect == "sqlite":
        session.execute(
            text(
                "INSERT INTO search_index (collection, record_id, label, body, start, end) "
                "VALUES (:collection, :record_id, :label, :body, :start, :end)"
            ),
            [
                {**row, "label": indexed_text(row["label"]), "body": indexed_text(row["body"])}
                for row in search_rows(dataset)
            ],
        )
        # Statistics for the query planner, so lookups pick the selective index.
        session.execute(text("ANALYZE"))
    else:
        session.execute(
            text(search_postgres.INSERT),
            [search_postgres.index_row(row) for row in search_rows(dataset)],
        )
        session.execute(text("ANALYZE search_index"))
        for table in SQLModel.metadata.sorted_tables:
            session.execute(text(f'ANALYZE "{table.name}"'))
    session.add(
        BuildInfo(
            dataset_version=dataset.version,
            built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
    )
    session.flush()
    return rows


def insert_rows(session: Session, rows: Sequence[SQLModel]) -> int:
    """Insert table-model rows with one multi-row INSERT per table, in the order each table
    first appears (records before their children): the rows are written as they are, without
    the ORM's unit of work, which costs more than the insert itself. Returns the count."""
    by_table: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        table, attributes = _columns_of(type(row))
        by_table.setdefault(table, []).append(
            {column: getattr(row, attribute) for attribute, column in attributes}
        )
    for table, values in by_table.items():
        # An autoincrement key left unset is left to the database (NULL is no id).
        unset = [c.key for c in table.primary_key if all(v[c.key] is None for v in values)]
        if unset:
            values = [{k: v for k, v in row.items() if k not in unset} for row in values]
        session.execute(insert(table), values)
    return len(rows)


@functools.cache
def _columns_of(model: type[SQLModel]) -> tuple[Any, tuple[tuple[str, str], ...]]:
    """A table model's table and its (attribute, column) names."""
    mapper = sa_inspect(model)
    pairs = tuple((prop.key, prop.columns[0].key) for prop in mapper.column_attrs)
    return mapper.local_table, pairs


def _load(engine: Engine, dataset: Dataset) -> int:
    """Migrate, then replace every row in one transaction."""
    with engine.begin() as connection:
        migrate.upgrade(connection)
    with Session(engine) as session, session.begin():
        return _fill(session, dataset)


def _lock(connection: Connection, database: str) -> None:
    """Hold the build lock until the transaction ends; wait a while for another build."""
    if connection.execute(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": BUILD_LOCK_KEY}
    ).scalar():
        return
    print("another build of this database is running; waiting for it to finish", file=sys.stderr)
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{BUILD_LOCK_WAIT}'")
    try:
        with connection.begin_nested():
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": BUILD_LOCK_KEY})
    except OperationalError:
        raise BuildFailed(
            [
                Problem(
                    database,
                    0,
                    "(build)",
                    f"another build of this database held its lock for over {BUILD_LOCK_WAIT}",
                )
            ]
        ) from None
    connection.exec_driver_sql("SET LOCAL lock_timeout = 0")


def _load_postgres(engine: Engine, dataset: Dataset, database: str) -> int:
    """Migrate and load into a new dataset schema, switched to by the same commit.

    Readers pick the newest dataset schema their snapshot sees, so they see the old dataset
    or the new one, never a mix, and the schema changes of the migrations land with the
    rows. An advisory lock makes a second build wait for the first.
    """
    with engine.connect() as connection, connection.begin():
        _lock(connection, database)
        newest = newest_schema(connection)
        number = int(newest.removeprefix(SCHEMA_PREFIX)) + 1 if newest else 1
        schema = f"{SCHEMA_PREFIX}{number:08d}"
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}", public')
        migrate.upgrade(connection)
        with Session(bind=connection) as session:
            rows = _fill(session, dataset)
        old = connection.exec_driver_sql(
            "SELECT nspname FROM pg_catalog.pg_namespace "
            "WHERE nspname ~ '^dataset_[0-9]{8}$' ORDER BY nspname DESC"
        ).scalars()
        for name in list(old)[KEPT_SCHEMAS:]:
            connection.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
    return rows


def _database_problem(database: str, exc: SQLAlchemyError) -> BuildFailed:
    """A database error during the load, reported like every other build problem."""
    orig = getattr(exc, "orig", None) or exc
    message = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return BuildFailed([Problem(database, 0, "(database)", f"{type(orig).__name__}: {message}")])


def _compare_with_previous(
    database_url: str, dataset: Dataset, data_dir: Path, allow_shrink: bool, max_shrink: float
) -> tuple[str | None, list[CollectionChange]]:
    """The previous database's version and each collection's change; raises BuildFailed if a
    collection would shrink too far (see app.loader.report) and that is not allowed."""
    path = sqlite_path(database_url)
    old = None
    if path is None or path.exists():
        engine = make_write_engine(database_url)
        try:
            with engine.connect() as connection, connection.begin():
                use_newest_dataset(connection)  # PostgreSQL: the dataset now served
                old = read_snapshot(connection)
        except SQLAlchemyError as exc:
            raise _database_problem(engine.url.render_as_string(hide_password=True), exc) from exc
        finally:
            engine.dispose()
    changes = compare(old, snapshot_of(dataset))
    if not allow_shrink:
        data_rel = data_dir.name
        problems = shrink_problems(changes, dataset.files, data_rel, max_shrink)
        if problems:
            raise BuildFailed(problems)
    return (old.version if old else None), changes


def build(
    database_url: str,
    data_dir: Path,
    *,
    allow_shrink: bool = False,
    max_shrink: float = DEFAULT_MAX_SHRINK,
) -> BuildResult:
    """Check `data_dir` and load it; on any problem the existing database is left as it was.

    A SQLite database is written to a new file that replaces the old one only on success.
    A PostgreSQL database gets a new dataset schema, made and filled in one transaction.
    Compared with the database it replaces, a collection may not fall to zero or lose more
    than `max_shrink` of its records unless `allow_shrink` (BuildFailed names the file and
    the counts).
    """
    dataset = check(data_dir)
    previous, changes = _compare_with_previous(
        database_url, dataset, data_dir, allow_shrink, max_shrink
    )
    path = sqlite_path(database_url)
    if path is None:
        engine = make_write_engine(database_url)
        label = engine.url.render_as_string(hide_password=True)
        try:
            if engine.dialect.name == "postgresql":
                rows = _load_postgres(engine, dataset, label)
            else:
                rows = _load(engine, dataset)
            return BuildResult(dataset.version, rows, previous, tuple(changes))
        except SQLAlchemyError as exc:
            raise _database_problem(label, exc) from exc
        finally:
            engine.dispose()
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.building-{os.getpid()}")
    staging.unlink(missing_ok=True)
    engine = make_write_engine(f"sqlite:///{staging}", scratch=True)
    try:
        rows = _load(engine, dataset)
        engine.dispose()
        # Written without syncing (a scratch file): on disk as a whole before it is served.
        with staging.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(staging, path)  # atomic on POSIX: readers see the old file or the new one
        _sync_directory(path.parent)  # and the replacement itself survives a power cut
    except SQLAlchemyError as exc:
        raise _database_problem(str(path), exc) from exc
    finally:
        engine.dispose()
        staging.unlink(missing_ok=True)
    return BuildResult(dataset.version, rows, previous, tuple(changes))


def _sync_directory(folder: Path) -> None:
    """Flush a folder's entries to disk (POSIX; a no-op where folders cannot be opened)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def built_version(database_url: str) -> str | None:
    """The dataset version of an existing database, or None if there is none readable."""
    path = sqlite_path(database_url)
    if path is not None and not path.exists():
        return None
    engine = make_write_engine(database_url)
    try:
        with engine.connect() as connection, connection.begin():
            use_newest_dataset(connection)
            return version_of(connection)
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def built_schema(database_url: str) -> str | None:
    """The Alembic revision of an existing database, or None if there is none readable."""
    path = sqlite_path(database_url)
    if path is not None and not path.exists():
        return None
    engine = make_write_engine(database_url)
    try:
        with engine.connect() as connection, connection.begin():
            use_newest_dataset(connection)  # PostgreSQL: the schema of the dataset served
            return MigrationContext.configure(connection).get_current_revision()
    except Exception:
        return None
    finally:
        engine.dispose()


def is_current(database_url: str, data_dir: Path) -> bool:
    """True when the database holds exactly the dataset now in `data_dir`, in the schema of
    the code now running (its migrations' head), so `serve` need not build again."""
    if built_version(database_url) != dataset_version(data_dir):
        return False
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    return built_schema(database_url) == head
