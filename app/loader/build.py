"""Load a checked dataset into a database, atomically."""

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete, text
from sqlmodel import Session, SQLModel, select

from app import migrate
from app.db import make_write_engine, sqlite_path
from app.loader.batches import dataset_batches
from app.loader.check import Dataset, check, dataset_version
from app.loader.search_rows import search_rows
from app.models import BuildInfo
from app.queries.search import indexed_text


@dataclass(frozen=True)
class BuildResult:
    """What a successful build produced."""

    dataset_version: str
    rows: int


def _load(engine: Engine, dataset: Dataset) -> int:
    """Migrate, then replace every row in one transaction."""
    with engine.begin() as connection:
        migrate.upgrade(connection)
    with Session(engine) as session, session.begin():
        # Children before parents, so foreign keys hold while the old rows go.
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name != "alembic_version":
                session.execute(delete(table))
        rows = 0
        for batch in dataset_batches(dataset):
            session.add_all(batch)
            session.flush()  # in order, so every foreign key already has its row
            rows += len(batch)
        if engine.dialect.name == "sqlite":
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
        if engine.dialect.name == "sqlite":
            # Statistics for the query planner, so lookups pick the selective index.
            session.execute(text("ANALYZE"))
        session.add(
            BuildInfo(
                dataset_version=dataset.version,
                built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            )
        )
    return rows


def build(database_url: str, data_dir: Path) -> BuildResult:
    """Check `data_dir` and load it; on any problem the existing database is left as it was.

    A SQLite database is written to a new file that replaces the old one only on success.
    Another database is loaded in a single transaction.
    """
    dataset = check(data_dir)
    path = sqlite_path(database_url)
    if path is None:
        engine = make_write_engine(database_url)
        try:
            return BuildResult(dataset.version, _load(engine, dataset))
        finally:
            engine.dispose()
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.building-{os.getpid()}")
    staging.unlink(missing_ok=True)
    engine = make_write_engine(f"sqlite:///{staging}")
    try:
        rows = _load(engine, dataset)
        engine.dispose()
        os.replace(staging, path)  # atomic on POSIX: readers see the old file or the new one
    finally:
        engine.dispose()
        staging.unlink(missing_ok=True)
    return BuildResult(dataset.version, rows)


def built_version(database_url: str) -> str | None:
    """The dataset version of an existing database, or None if there is none readable."""
    path = sqlite_path(database_url)
    if path is not None and not path.exists():
        return None
    engine = make_write_engine(database_url)
    try:
        with Session(engine) as session:
            info = session.exec(select(BuildInfo)).first()
            return info.dataset_version if info else None
    except Exception:
        return None
    finally:
        engine.dispose()


def is_current(database_url: str, data_dir: Path) -> bool:
    """True when the database holds exactly the dataset now in `data_dir`."""
    return built_version(database_url) == dataset_version(data_dir)
