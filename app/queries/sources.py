"""Queries on sources and on the records that cite them."""

from pydantic import Field
from sqlalchemy import func, select, tuple_
from sqlmodel import Session, col

from app.errors import InvalidParameter, NotFound
from app.models import Citation, Source, SourceText
from app.queries.common import (
    ListQuery,
    ListResult,
    ListSpec,
    PageQuery,
    Text,
    TextItem,
    any_of,
    eager,
    facet_choices,
    run_list,
    sort_choices,
    vocabulary,
    year_of,
)
from app.queries.records import COLLECTIONS

# A collection's path -> the record_type its citations carry.
RECORD_TYPES = {collection.path: record_type for record_type, collection in COLLECTIONS.items()}


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

    kind: list[TextItem] | None = vocabulary(
        "source_kind", "interview", "Kind of document, e.g. interview"
    )
    language: list[TextItem] | None = any_of("en", "Language (ISO 639-1)")
    q: Text = Field(
        default=None, examples=["wind"], description="Text to find in title or publisher."
    )
    sort: list[str] | None = sort_choices(SORTABLE)
    facet: list[str] | None = facet_choices(SPEC)


def list_sources(session: Session, query: SourceQuery) -> ListResult:
    """A filtered, sorted page of sources."""
    statement = select(Source).options(eager(Source.credits))
    return run_list(session, statement, query, SPEC)


class CitingQuery(PageQuery):
    """Paging of the records citing a source."""

    after: str | None = Field(
        default=None,
        max_length=400,
        pattern=rf"^(?:(?:{'|'.join(sorted(RECORD_TYPES))})/[a-z0-9-]+)?$",
        examples=["projects/zhanatas-wind-farm"],
        description='Keyset cursor (from a `Link: rel="next"` header): continue after the '
        "record it names, `collection/id`. Send an empty `after=` for the first page. A "
        "record that does not cite the source is a 404.",
    )


def _bad_after(message: str) -> InvalidParameter:
    return InvalidParameter(
        message, errors=[{"loc": ["query", "after"], "msg": message, "type": "value_error"}]
    )


def citations_of(
    session: Session, source_id: str, query: PageQuery
) -> tuple[list[tuple[str, str]], int, str | None]:
    """A page of (record_type, record_id) of the records citing a source, in text order, their
    number, and (when read by cursor and more may follow) the cursor of the next page.

    A cursor names a record as `collection/id` (e.g. `projects/zhanatas-wind-farm`); one that
    is malformed is a 422, one that does not cite the source a 404.
    """
    first = func.min(col(Citation.start)).label("first")
    statement = (
        select(col(Citation.record_type), col(Citation.record_id))
        .where(col(Citation.source_id) == source_id)
        .group_by(col(Citation.record_type), col(Citation.record_id))
    )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    ordered = statement.add_columns(first).order_by(
        first, col(Citation.record_type), col(Citation.record_id)
    )
    if query.after:
        path, _, record_id = query.after.partition("/")
        record_type = RECORD_TYPES.get(path)
        if record_type is None or not record_id:
            raise _bad_after("after must name a record as collection/id")
        named = session.execute(
            ordered.where(
                col(Citation.record_type) == record_type, col(Citation.record_id) == record_id
            )
        ).first()
        if named is None:
            raise NotFound(f"after names {query.after!r}, which does not cite {source_id!r}.")
        position = tuple_(first, col(Citation.record_type), col(Citation.record_id))
        ordered = ordered.having(position > tuple_(named.first, record_type, record_id))
    # After a cursor, `offset` skips records after it (every schema-valid request means something).
    ordered = ordered.offset(query.offset)
    rows = session.execute(ordered.limit(query.page_size)).all()
    keys = [(row.record_type, row.record_id) for row in rows]
    cursor = None
    if query.after is not None and len(keys) == query.page_size:
        cursor = f"{COLLECTIONS[keys[-1][0]].path}/{keys[-1][1]}"
    return keys, total, cursor


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
