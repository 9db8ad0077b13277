"""What every cited collection has in common: where it lives and how to label a record."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel, col

from app.models import (
    Award,
    Event,
    Indicator,
    Person,
    Place,
    Project,
    Quote,
    SisterCity,
    TradeStat,
)


@dataclass(frozen=True)
class Collection:
    """A cited collection: its API path and table, and the column that labels a record."""

    path: str
    table: type[SQLModel]
    label: Any


# record_type (as stored on citations) -> its collection.
COLLECTIONS: dict[str, Collection] = {
    "person": Collection("people", Person, col(Person.name)),
    "place": Collection("places", Place, col(Place.name)),
    "project": Collection("projects", Project, col(Project.name)),
    "award": Collection("awards", Award, col(Award.name)),
    "trade_stat": Collection("trade-stats", TradeStat, col(TradeStat.period_label)),
    "sister_city": Collection("sister-cities", SisterCity, col(SisterCity.id)),
    "quote": Collection("quotes", Quote, col(Quote.text)),
    "event": Collection("events", Event, col(Event.title)),
    "indicator": Collection("indicators", Indicator, col(Indicator.subject)),
}


def labels(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """A short human label for each (record_type, record_id)."""
    wanted: dict[str, set[str]] = {}
    for record_type, record_id in keys:
        wanted.setdefault(record_type, set()).add(record_id)
    found: dict[tuple[str, str], str] = {}
    for record_type, ids in wanted.items():
        collection = COLLECTIONS[record_type]
        id_column = collection.table.id  # type: ignore[attr-defined]
        for row in session.execute(select(id_column, collection.label).where(id_column.in_(ids))):
            found[(record_type, row[0])] = str(row[1] or row[0])
    return found
