"""Records of any cited collection: those citing a source, and a short label for each."""

from pydantic import Field
from sqlalchemy import func, select, tuple_
from sqlmodel import Session, col

from app.models import Citation
from app.queries.errors import BadCursor, RecordNotFound
from app.queries.ordering import sort_key
from app.queries.parameters import PageQuery
from app.registry import CITED

# A collection's path -> the record_type its citations carry.
RECORD_TYPES = {collection.path: record_type for record_type, collection in CITED.items()}


def labels(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """A short human label for each (record_type, record_id): its collection's label field."""
    wanted: dict[str, set[str]] = {}
    for record_type, record_id in keys:
        wanted.setdefault(record_type, set()).add(record_id)
    found: dict[tuple[str, str], str] = {}
    for record_type, ids in wanted.items():
        collection = CITED[record_type]
        table = collection.table
        id_column = table.id  # type: ignore[attr-defined]
        label = getattr(table, collection.label or "id")
        for row in session.execute(select(id_column, label).where(id_column.in_(ids))):
            found[(record_type, row[0])] = str(row[1] or row[0])
    return found


class CitingQuery(PageQuery):
    """Paging of the records citing a source."""

    after: str | None = Field(
        default=None,
        max_length=400,
        # A cursor of another shape is refused by the schema, so every schema-valid one
        # names something (a record citing the source, or a 404).
        pattern=rf"^(?:(?:{'|'.join(sorted(RECORD_TYPES))})/[a-z0-9-]+)?$",
        examples=["projects/zhanatas-wind-farm"],
        description='Keyset cursor (from a `Link: rel="next"` header): continue after the '
        "record it names, `collection/id`. Send an empty `after=` for the first page. A "
        "record that does not cite the source is a 404; `offset` skips records after it.",
    )


def citations_of(
    session: Session, source_id: str, query: PageQuery
) -> tuple[list[tuple[str, str]], int, str | None]:
    """A page of (record_type, record_id) of the records citing a source, in text order, their
    number, and (when read by cursor and more may follow) the cursor of the next page.

    A cursor names a record as `collection/id` (e.g. `projects/zhanatas-wind-farm`); one that
    is malformed is a 422, one that does not cite the source a 404.
    """
    # Every parameter is checked before any SQL runs.
    named_key = None
    if query.after:
        path, _, record_id = query.after.partition("/")
        record_type = RECORD_TYPES.get(path)
        if record_type is None or not record_id:
            raise BadCursor("after must name a record as collection/id")
        named_key = (record_type, record_id)
    first = func.min(col(Citation.start)).label("first")
    statement = (
        select(col(Citation.record_type), col(Citation.record_id))
        .where(col(Citation.source_id) == source_id)
        .group_by(col(Citation.record_type), col(Citation.record_id))
    )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    ordered = statement.add_columns(first).order_by(
        first, sort_key(col(Citation.record_type)), sort_key(col(Citation.record_id))
    )
    if named_key is not None:
        record_type, record_id = named_key
        named = session.execute(
            ordered.where(
                col(Citation.record_type) == record_type, col(Citation.record_id) == record_id
            )
        ).first()
        if named is None:
            raise RecordNotFound(f"after names {query.after!r}, which does not cite {source_id!r}.")
        position = tuple_(
            first, sort_key(col(Citation.record_type)), sort_key(col(Citation.record_id))
        )
        ordered = ordered.having(position > tuple_(named.first, record_type, record_id))
    # After a cursor, `offset` skips records after it (every schema-valid request means something).
    ordered = ordered.offset(query.offset)
    # Read by cursor, one record more than the page says whether another page follows.
    keyset = query.after is not None
    rows = session.execute(ordered.limit(query.page_size + 1 if keyset else query.page_size)).all()
    keys = [(row.record_type, row.record_id) for row in rows[: query.page_size]]
    cursor = None
    if keyset and len(rows) > query.page_size:
        cursor = f"{CITED[keys[-1][0]].path}/{keys[-1][1]}"
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
        # A total order (two excerpts may start at the same offset), so both engines agree.
        .order_by(col(Citation.start), col(Citation.end), col(Citation.id))
    )
    wanted = set(keys)
    return [c for c in rows.unique() if (c.record_type, c.record_id) in wanted]
