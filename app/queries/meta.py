"""Queries on the build: dataset version, build time, counts per collection."""

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from app.models import BuildInfo, Citation
from app.registry import COLLECTIONS

# Name -> table, for counts: every collection, then the citations.
COLLECTION_TABLES: dict[str, type[SQLModel]] = {
    **{collection.path: collection.table for collection in COLLECTIONS},
    "citations": Citation,
}


def build_info(session: Session) -> BuildInfo | None:
    """The single row describing the loaded dataset."""
    return session.get(BuildInfo, 1)


def counts(session: Session) -> dict[str, int]:
    """Number of records in each collection."""
    return {
        name: session.scalar(select(func.count()).select_from(table)) or 0
        for name, table in COLLECTION_TABLES.items()
    }
