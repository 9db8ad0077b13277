"""Queries on sources: the list, and their exact texts."""

from pydantic import Field
from sqlmodel import Session, col

from app.models import Source, SourceText
from app.queries.compiled import Readable
from app.queries.filters import year_of
from app.queries.listing import ListResult, ListSpec, every, run_list
from app.queries.parameters import (
    DateBases,
    ListQuery,
    Text,
    TextItem,
    Year,
    any_of,
    facet_choices,
    sort_choices,
    vocabulary,
)

SORTABLE = {
    "id": col(Source.id),
    "title": col(Source.title),
    "published": col(Source.published_start),
    "publisher": col(Source.publisher),
}

SPEC = ListSpec(
    record_type="source",
    id_column=col(Source.id),
    sortable=SORTABLE,
    default_order=[col(Source.published_start).desc()],
    facets={
        "kind": col(Source.kind),
        "language": col(Source.language),
        "publisher": col(Source.publisher),
        "year": year_of(col(Source.published)),
    },
    equals={"kind": col(Source.kind), "language": col(Source.language)},
    text=(col(Source.title), col(Source.publisher)),
    period=(col(Source.published_start), col(Source.published_end)),
    bases=((col(Source.published_basis), col(Source.published)),),
)


class SourceQuery(ListQuery):
    """Filters of the source list."""

    kind: list[TextItem] | None = vocabulary(
        "source_kind", "interview", "Kind of document, e.g. interview"
    )
    language: list[TextItem] | None = any_of("en", "Language (ISO 639-1)")
    q: Text = Field(
        default=None, examples=["wind"], description="Text to find in title or publisher."
    )
    year_from: Year = Field(
        default=None,
        examples=[2024],
        description="Published in or after this year (the publication date's interval "
        "overlaps it: a source dated only 2023 is in 2023).",
    )
    year_to: Year = Field(
        default=None,
        examples=[2024],
        description="Published in or before this year (the publication date's interval "
        "overlaps it).",
    )
    date_basis: DateBases = Field(
        default=None,
        examples=[["stated"]],
        description="Only sources whose publication date has one of these bases "
        "(`published_basis`; repeatable): stated, or inferred by the curator (see the "
        "source's notes). Sources without a publication date are left out.",
    )
    sort: list[str] | None = sort_choices(SORTABLE)
    facet: list[str] | None = facet_choices(SPEC)


def list_sources(session: Readable, query: SourceQuery) -> ListResult:
    """A filtered, sorted page of sources."""
    return run_list(session, every(Source), query, SPEC)


def source_text(session: Session, source_id: str) -> str | None:
    """The exact stored text of a source."""
    row = session.get(SourceText, source_id)
    return row.text if row else None
