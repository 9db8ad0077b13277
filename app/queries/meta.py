"""Queries on the build: dataset version, build time, counts per collection."""

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel, col

from app.models import BuildInfo, Citation
from app.queries.compiled import Reader, Statement, compile_statement
from app.registry import COLLECTIONS

# Name -> table, for counts: every collection, then the citations.
COLLECTION_TABLES: dict[str, type[SQLModel]] = {
    **{collection.path: collection.table for collection in COLLECTIONS},
    "citations": Citation,
}


_VERSION: list[Statement] = []


def dataset_version(reader: Reader) -> str | None:
    """The dataset version of the database `reader` reads, or None if it holds no build.

    Kept with the pooled connection once read: a SQLite connection reads the file it
    opened until it is closed (a rebuild replaces the file, never writes into it), so its
    version never changes.
    """
    known = reader.info.get("dataset_version")
    if known is not None:
        return str(known)
    if not _VERSION:
        statement = select(col(BuildInfo.dataset_version)).where(col(BuildInfo.id) == 1)
        _VERSION.append(compile_statement(statement, reader.dialect))
    value = reader.scalar(_VERSION[0], {})
    if value is None:
        return None
    reader.info["dataset_version"] = str(value)
    return str(value)


def build_info(session: Session) -> BuildInfo | None:
    """The single row describing the loaded dataset."""
    return session.get(BuildInfo, 1)


def counts(session: Session) -> dict[str, int]:
    """Number of records in each collection."""
    return {
        name: session.scalar(select(func.count()).select_from(table)) or 0
        for name, table in COLLECTION_TABLES.items()
    }
