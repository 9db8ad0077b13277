"""Queries on the timeline: the dated facts of every collection, in date order."""

import json
from typing import Any

from pydantic import Field
from sqlalchemy import exists, select
from sqlmodel import Session, col

from app.models import TimelineEntry, TimelinePerson, TimelinePlace
from app.models.timeline import TimelineCollection
from app.queries.common import (
    DateBases,
    ListQuery,
    ListResult,
    ListSpec,
    RefItem,
    TextItem,
    Year,
    any_of,
    facet_choices,
    run_list,
    sort_choices,
    year_of,
)

SORTABLE = {
    "date": col(TimelineEntry.date_start),
    "date_end": col(TimelineEntry.date_end),
    "collection": col(TimelineEntry.collection),
    "id": col(TimelineEntry.id),
}

SPEC = ListSpec(
    record_type="timeline",
    id_column=col(TimelineEntry.id),
    sortable=SORTABLE,
    default_order=[col(TimelineEntry.date_start), col(TimelineEntry.date_end)],
    facets={
        "collection": col(TimelineEntry.collection),
        "year": year_of(col(TimelineEntry.date_start)),
        "date_basis": col(TimelineEntry.date_basis),
        "pair": col(TimelineEntry.pair),
    },
    period=(col(TimelineEntry.date_start), col(TimelineEntry.date_end)),
    bases=((col(TimelineEntry.date_basis), col(TimelineEntry.date)),),
    pair=col(TimelineEntry.pair),
    cited=False,
)


class TimelineQuery(ListQuery):
    """Filters of the timeline."""

    after: str | None = Field(
        default=None,
        max_length=300,
        pattern=r"^(?:[a-z-]+/[a-z0-9-]+/[a-z_]+)?$",
        description="Keyset cursor: the id of a timeline entry (`collection/record-id/field`, "
        'e.g. `events/astana-summit-2024/date`); the page continues after it. `Link: rel="next"` '
        "carries it; an empty `after=` starts from the first entry; an unknown id is a 404.",
    )

    collection: list[TimelineCollection] | None = Field(
        default=None,
        examples=[["events"]],
        description="Only facts of these collections (repeatable).",
    )
    year_from: Year = Field(
        default=None, examples=[2020], description="Dates overlapping this year or later."
    )
    year_to: Year = Field(
        default=None, examples=[2024], description="Dates overlapping this year or earlier."
    )
    date_basis: DateBases = None
    place: list[RefItem] | None = any_of("astana", "Place id of the fact")
    person: list[RefItem] | None = any_of("xi-jinping", "Person id of the fact")
    pair: list[TextItem] | None = any_of(
        "CN-KZ", "Country pair: two ISO 3166-1 alpha-2 codes in alphabetical order, e.g. CN-KZ"
    )
    # By default in date order (first day, then last day of each date).
    sort: list[str] | None = sort_choices(SORTABLE)
    facet: list[str] | None = facet_choices(SPEC)


def list_timeline(session: Session, query: TimelineQuery) -> ListResult:
    """A filtered page of timeline entries, each as its stored document (a dict)."""
    statement = select(TimelineEntry)
    if query.collection:
        statement = statement.where(col(TimelineEntry.collection).in_(query.collection))
    if query.place:
        statement = statement.where(
            exists().where(
                col(TimelinePlace.entry_id) == col(TimelineEntry.id),
                col(TimelinePlace.place_id).in_(query.place),
            )
        )
    if query.person:
        statement = statement.where(
            exists().where(
                col(TimelinePerson.entry_id) == col(TimelineEntry.id),
                col(TimelinePerson.person_id).in_(query.person),
            )
        )
    result = run_list(session, statement, query, SPEC)
    documents: list[Any] = [json.loads(row.document) for row in result.rows]
    return ListResult(documents, result.total, result.facets, result.next_cursor)
