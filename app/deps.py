"""Dependencies shared by the routes: the session and the lookups that 404."""

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, Path, Request
from sqlmodel import Session

from app.db import version_of
from app.errors import NotFound, ServiceUnavailable
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
from app.queries import lookups


def get_session(request: Request) -> Iterator[Session]:
    """A read-only session on the current database, on one connection (and, on PostgreSQL,
    one REPEATABLE READ snapshot) for the request.

    The dataset version read through that connection is left in `request.state`, so the
    response cache labels the answer with the dataset it was really read from.
    """
    database = getattr(request.app.state, "database", None)
    if database is None:
        raise ServiceUnavailable("The database is not open.")
    with database.connect() as connection:
        version = version_of(connection)
        request.state.dataset_version = version
        database.seen(connection, version)
        with Session(bind=connection) as session:
            yield session


T = TypeVar("T")

SessionDep = Annotated[Session, Depends(get_session)]
RecordId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=120,
        pattern=r"^[a-z0-9-]+$",
        description="Stable slug of the record.",
    ),
]


def _lookup(kind: str, find: lookups.Finder[T]) -> Callable[[Session, str], T]:
    def dependency(session: SessionDep, id: RecordId) -> T:
        record = find(session, id)
        if record is None:
            raise NotFound(f"No {kind} with id {id!r}.")
        return record

    dependency.__doc__ = f"The {kind} named in the path, or a 404 problem."
    return dependency


get_source_or_404 = _lookup("source", lookups.source)
get_person_or_404 = _lookup("person", lookups.person)
get_place_or_404 = _lookup("place", lookups.place)
get_project_or_404 = _lookup("project", lookups.project)
get_award_or_404 = _lookup("award", lookups.award)
get_trade_stat_or_404 = _lookup("trade statistic", lookups.trade_stat)
get_sister_city_or_404 = _lookup("sister-city tie", lookups.sister_city)
get_quote_or_404 = _lookup("quote", lookups.quote)
get_event_or_404 = _lookup("event", lookups.event)
get_indicator_or_404 = _lookup("indicator", lookups.indicator)

SourceDep = Annotated[Source, Depends(get_source_or_404)]
PersonDep = Annotated[Person, Depends(get_person_or_404)]
PlaceDep = Annotated[Place, Depends(get_place_or_404)]
ProjectDep = Annotated[Project, Depends(get_project_or_404)]
AwardDep = Annotated[Award, Depends(get_award_or_404)]
TradeStatDep = Annotated[TradeStat, Depends(get_trade_stat_or_404)]
SisterCityDep = Annotated[SisterCity, Depends(get_sister_city_or_404)]
QuoteDep = Annotated[Quote, Depends(get_quote_or_404)]
EventDep = Annotated[Event, Depends(get_event_or_404)]
IndicatorDep = Annotated[Indicator, Depends(get_indicator_or_404)]
