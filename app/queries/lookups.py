"""Fetch one record by id, for every collection."""

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from app.models import (
    Award,
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

T = TypeVar("T")
Finder = Callable[[Session, str], T | None]


def _by_id(table: type[T]) -> Finder[T]:
    def find(session: Session, record_id: str) -> T | None:
        return session.get(table, record_id)

    find.__doc__ = f"One {table.__name__} by id, or None."
    return find


source = _by_id(Source)
person = _by_id(Person)
place = _by_id(Place)
project = _by_id(Project)
award = _by_id(Award)
trade_stat = _by_id(TradeStat)
sister_city = _by_id(SisterCity)
quote = _by_id(Quote)
event = _by_id(Event)
indicator = _by_id(Indicator)
