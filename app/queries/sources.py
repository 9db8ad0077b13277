"""Queries on sources and on the records that cite them."""

from pydantic import Field
from sqlalchemy import func, select
from sqlmodel import Session, col

from app.models import Citation, Source, SourceText
from app.queries.common import (
    ListQuery,
    ListResult,
    ListSpec,
    Text,
    eager,
    run_list,
    year_of,
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
)


class SourceQuery(ListQuery):
    """Filters of the source list."""

    kind: Text = Field(
        default=None, examples=["interview"], description="Kind of document, e.g. interview."
    )
    language: Text = Field(default=None, examples=["en"], description="Language (ISO 639-1).")
    q: Text = Field(
        default=None, examples=["wind"], description="Text to find in title or publisher."
    )
    sort: Text = Field(
        default=None, description="Sort fields, '-' for descending: " + ", ".join(SORTABLE)
    )
    facet: Text = Field(
        default=None,
        description="Fields to count values of: " + ", ".join([*SPEC.facets, "source"]),
    )


def list_sources(session: Session, query: SourceQuery) -> ListResult:
    """A filtered, sorted page of sources."""
    statement = select(Source).options(eager(Source.credits))
    return run_list(session, statement, query, SPEC)


def citations_of(
    session: Session, source_id: str, query: ListQuery
) -> tuple[list[tuple[str, str]], int]:
    """A page of (record_type, record_id) of the records citing a source, in text order."""
    first = func.min(col(Citation.start)).label("first")
    statement = (
        select(col(Citation.record_type), col(Citation.record_id))
        .where(col(Citation.source_id) == source_id)
        .group_by(col(Citation.record_type), col(Citation.record_id))
    )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.execute(
        statement.add_columns(first)
        .order_by(first, col(Citation.record_type), col(Citation.record_id))
        .limit(query.limit)
        .offset(query.offset)
    )
    return [(row.record_type, row.record_id) for row in rows], total


def record_citations(
    session: Session, source_id: str, keys: list[tuple[str, str]]
) -> list[Citation]:
    """The citations of a source by the given records."""
    if not keys:
        return []
    types = {k for k, _ in keys}
    ids = {i for _, i in keys}
    rows = session.scalars(
        select(Citation)
        .where(
            col(Citation.source_id) == source_id,
            col(Citation.record_type).in_(types),
            col(Citation.record_id).in_(ids),
        )
        .order_by(col(Citation.start))
    )
    wanted = set(keys)
    return [c for c in rows.unique() if (c.record_type, c.record_id) in wanted]


def source_text(session: Session, source_id: str) -> str | None:
    """The exact stored text of a source."""
    row = session.get(SourceText, source_id)
    return row.text if row else None
