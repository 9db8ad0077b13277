"""Queries on the build: dataset version, build time, counts per collection."""

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from app.models import (
    Award,
    BuildInfo,
    Citation,
    Event,
    Indicator,
    Person,
    Place,
    Project,
    Quote,
    SisterCity,
    Source,
    TradeStat,
)

# Collection path -> table, for counts.
COLLECTION_TABLES: dict[str, type[SQLModel]] = {
    "sources": Source,
    "people": Person,
    "places": Place,
    "projects": Project,
    "awards": Award,
    "trade-stats": TradeStat,
    "sister-cities": SisterCity,
    "quotes": Quote,
    "events": Event,
    "indicators": Indicator,
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
