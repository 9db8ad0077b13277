"""Queries on the timeline: the dated facts of every collection, in date order."""

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field
from sqlalchemy import Select, case, exists, select
from sqlmodel import col

from app.models import TimelineEntry, TimelinePerson, TimelinePlace
from app.queries.compiled import Readable
from app.queries.filters import year_of
from app.queries.listing import ListResult, ListSpec, run_list
from app.queries.parameters import (
    PAIR_DOC,
    DateBases,
    ListQuery,
    PairItem,
    RefItem,
    Year,
    any_of,
    facet_choices,
    sort_choices,
)
from app.registry import COLLECTIONS

# The collections whose dates the timeline lists (declared with each, in app/registry.py).
TIMELINE_COLLECTIONS = [c.path for c in COLLECTIONS if c.timeline is not None]
if TYPE_CHECKING:
    TimelineCollection = str
else:
    TimelineCollection = Literal[tuple(TIMELINE_COLLECTIONS)]

# Collection path -> the record type its records' citations carry.
RECORD_TYPES = {c.path: c.record_type for c in COLLECTIONS if c.timeline is not None}

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
    citation_key=(
        case(RECORD_TYPES, value=col(TimelineEntry.collection)),
        col(TimelineEntry.record_id),
    ),
    document=col(TimelineEntry.document),
)


class TimelineQuery(ListQuery):
    """Filters of the timeline."""

    after: str | None = Field(
        default=None,
        max_length=300,
        pattern=r"^(?:[a-z-]+/[a-z0-9-]+/[a-z_]+)?$",
        description="Keyset cursor: the id of a timeline entry (`collection/record-id/field`, "
        'e.g. `events/astana-summit-2024/date`), as `Link: rel="next"` carries it; the page '
        "continues after that entry in the requested order. An empty `after=` starts from the "
        "first entry; an id that names no entry is a 404; `offset` skips entries after it.",
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
    pair: list[PairItem] | None = any_of("CN-KZ", PAIR_DOC)
    source: list[RefItem] | None = any_of(
        "kazinform-2024-zhang-xiao", "Only facts whose record cites this source id"
    )
    sort: list[str] | None = sort_choices(
        SORTABLE, "; by default date order (first day, then last day of each date)."
    )
    facet: list[str] | None = facet_choices(SPEC)


def list_timeline(session: Readable, query: TimelineQuery) -> ListResult:
    """A filtered page of timeline entries, each as its stored JSON document."""
    return run_list(session, timeline_statement, query, SPEC)


def timeline_statement(query: TimelineQuery) -> Select[Any]:
    """The entries that `query`'s own filters (collection, place, person) keep."""
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
    return statement
