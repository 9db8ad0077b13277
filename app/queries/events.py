"""Queries on events."""

from typing import Any

from pydantic import Field
from sqlalchemy import Select, exists, select
from sqlmodel import col

from app.models import Event, EventPerson, EventPlace, EventProject
from app.queries.compiled import Readable
from app.queries.filters import year_of
from app.queries.listing import ListResult, ListSpec, run_list
from app.queries.parameters import (
    DateBases,
    GeoFormat,
    PairQuery,
    RefItem,
    Text,
    TextItem,
    Year,
    any_of,
    facet_choices,
    sort_choices,
    vocabulary,
)

SORTABLE = {
    "id": col(Event.id),
    "date": col(Event.date_start),
    "title": col(Event.title),
    "type": col(Event.type),
}

SPEC = ListSpec(
    record_type="event",
    id_column=col(Event.id),
    sortable=SORTABLE,
    default_order=[col(Event.date_start)],
    facets={"type": col(Event.type), "year": year_of(col(Event.date)), "pair": col(Event.pair)},
    equals={"type": col(Event.type)},
    text=(col(Event.title), col(Event.description)),
    period=(col(Event.date_start), col(Event.date_end)),
    bases=((col(Event.date_basis), col(Event.date)),),
    pair=col(Event.pair),
)


class EventQuery(PairQuery):
    """Filters of the event list."""

    format: GeoFormat = None  # type: ignore[assignment]  # widened: geojson is served too

    type: list[TextItem] | None = vocabulary("event_type", "summit", "Event type")
    year_from: Year = Field(
        default=None, examples=[2020], description="Happened in or after this year."
    )
    year_to: Year = Field(
        default=None, examples=[2024], description="Happened in or before this year."
    )
    date_basis: DateBases = None
    place: list[RefItem] | None = any_of("zhambyl-region", "Place id involved")
    person: list[RefItem] | None = any_of("xi-jinping", "Person id involved")
    project: list[RefItem] | None = any_of("zhanatas-wind-farm", "Project id involved")
    q: Text = Field(
        default=None, examples=["wind"], description="Text to find in title or description."
    )
    sort: list[str] | None = sort_choices(SORTABLE)
    facet: list[str] | None = facet_choices(SPEC)


# Filters on the people, places and projects an event links to.
LINKS = {
    "place": (EventPlace.event_id, EventPlace.place_id),
    "person": (EventPerson.event_id, EventPerson.person_id),
    "project": (EventProject.event_id, EventProject.project_id),
}


def list_events(session: Readable, query: EventQuery) -> ListResult:
    """A filtered, sorted page of events (a timeline, by date by default)."""
    return run_list(session, event_statement, query, SPEC)


def event_statement(query: EventQuery) -> Select[Any]:
    """The events that `query`'s own filters (linked records) keep."""
    statement = select(Event)
    for name, (event_id, linked_id) in LINKS.items():
        value = getattr(query, name)
        if value:
            statement = statement.where(
                exists().where(col(event_id) == col(Event.id), col(linked_id).in_(value))
            )
    return statement
