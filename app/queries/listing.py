"""A collection's list: its spec (filters, sorts, facets), the checks of a list query, and
the page, total, facets and next cursor that answer it."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from app.models import RecordDocument
from app.queries import cursors
from app.queries.documents import text_of
from app.queries.errors import RecordNotFound
from app.queries.facets import facet_counts
from app.queries.filters import basis_in, cited_in, contains, period_overlaps
from app.queries.parameters import ListQuery


@dataclass(frozen=True)
class ListSpec:
    """What a collection's list filters, sorts and facets by, and how its records are cited.

    The filters every list shares are declared here and applied by `run_list`; a query
    module writes only the filters peculiar to its collection.
    """

    record_type: str
    id_column: Any
    sortable: dict[str, Any]
    default_order: list[Any]
    facets: dict[str, Any]
    equals: dict[str, Any] = field(default_factory=dict)  # query field -> column
    text: tuple[Any, ...] = ()  # columns that `q` searches
    # (first day, last day) columns of the date or period that year_from/year_to overlap.
    period: tuple[Any, Any] | None = None
    # (basis column, date column) of each date that `date_basis` filters.
    bases: tuple[tuple[Any, Any], ...] = ()
    pair: Any = None  # the country-pair column
    disputed: Any = None  # the disagreement column that `disputed` tests
    cited: bool = True  # its rows are records citing sources (the `source` facet applies)
    # (record type, record id) of the citations the `source` filter looks for: by default
    # (`record_type`, `id_column`), each row being a record; the timeline's entries cite
    # through the records they date.
    citation_key: tuple[Any, Any] | None = None
    # A column of the table holding each row's served JSON, for a list whose documents are
    # kept on its own table (the timeline); otherwise they are the records' RecordDocuments.
    document: Any = None


@dataclass
class ListResult:
    """A page of rows, the number matching, the facet counts asked for, and the keyset
    cursor of the next page (when the list was read by cursor and more may follow).

    The rows of a CSV or GeoJSON export are an iterator, read from the database as the
    answer is written; every other list's are a list."""

    rows: Any
    total: int
    facets: dict[str, list[tuple[Any, int]]] | None = None
    next_cursor: str | None = None
    # The format the rows are already written in (json, csv, geojson); None for objects.
    written_as: str | None = None


@dataclass(frozen=True)
class ListPlan:
    """A list query (its values checked by its model): how to order, what to count, where a
    keyset page starts."""

    order: list[Any]
    facets: list[str] | None
    keyset: list[cursors.Key] | None  # the sort keys, when read by cursor
    cursor: str | None  # the id of the record `after` names, past the first keyset page


def sort_keys(sort: list[str] | None, allowed: dict[str, Any]) -> list[cursors.Key]:
    """(column, descending) of each field of a `sort` list (`-` first for descending)."""
    return [(allowed[value.removeprefix("-")], value.startswith("-")) for value in sort or []]


def order_by(
    sort: list[str] | None, allowed: dict[str, Any], default: Sequence[Any], tiebreak: Any
) -> list[Any]:
    """ORDER BY clauses for a `sort` list (its fields checked by the query's model), nulls
    last either way, ties broken by `tiebreak`."""
    if not sort:
        return [*default, tiebreak]
    clauses = [
        column.desc().nulls_last() if descending else column.asc().nulls_last()
        for column, descending in sort_keys(sort, allowed)
    ]
    return [*clauses, tiebreak]


def plan(query: ListQuery, spec: ListSpec) -> ListPlan:
    """How to answer `query` (whose values its model has checked), before any SQL runs."""
    order = order_by(query.sort, spec.sortable, spec.default_order, spec.id_column)
    facets = query.facet or None
    if query.after is None:
        return ListPlan(order, facets, None, None)
    # Without `sort`, a cursor walks the list in id order (the one order every list has).
    if not query.sort:
        order = [spec.id_column]
    return ListPlan(order, facets, sort_keys(query.sort, spec.sortable), query.after or None)


def shared_filters(statement: Select[Any], query: ListQuery, spec: ListSpec) -> Select[Any]:
    """Apply the filters declared in `spec`: equality, source, pair, q, years, disputed."""
    values = query.model_dump()
    for name, column in spec.equals.items():
        wanted = values.get(name)
        if isinstance(wanted, list):  # a repeatable filter: any of its values
            statement = statement.where(column.in_(wanted))
        elif wanted is not None:
            statement = statement.where(column == wanted)
    if values.get("source"):
        record_type, record_id = spec.citation_key or (spec.record_type, spec.id_column)
        statement = statement.where(cited_in(record_type, record_id, values["source"]))
    if spec.pair is not None and values.get("pair"):
        statement = statement.where(spec.pair.in_(values["pair"]))
    if spec.text and values.get("q"):
        statement = statement.where(contains(values["q"], *spec.text))
    year_from, year_to = values.get("year_from"), values.get("year_to")
    if spec.period is not None:
        statement = statement.where(*period_overlaps(*spec.period, year_from, year_to))
    if spec.bases and values.get("date_basis"):
        statement = statement.where(basis_in(spec.bases, values["date_basis"]))
    if spec.disputed is not None and values.get("disputed") is not None:
        disputed = spec.disputed.is_not(None) if values["disputed"] else spec.disputed.is_(None)
        statement = statement.where(disputed)
    return statement


def run_list(
    session: Session, statement: Select[Any], query: ListQuery, spec: ListSpec
) -> ListResult:
    """One page of `statement` with the shared filters applied, as the stored documents of
    its records in the query's format; its total, any facets, and the next cursor.

    Read by cursor (`after`), the page holds the records after the one it names, in the
    requested order (`offset` skips some of them), and the next cursor is the id of the
    page's last record when the page is full.

    SQL over the table's typed, indexed columns selects the page's ids, then their stored
    documents are read by id: no ORM object is built.
    """
    checked = plan(query, spec)
    statement = shared_filters(statement, query, spec)
    facets = None
    if checked.facets:
        facets = facet_counts(
            session,
            statement,
            checked.facets,
            spec.facets,
            spec.record_type,
            spec.id_column,
            spec.cited,
        )
    # Plain rows of text: the connection runs them without the ORM's result machinery.
    connection = session.connection()
    total = connection.scalar(select(func.count()).select_from(statement.subquery())) or 0
    # The page is chosen over the table's own indexed columns (ids and sort key only), then
    # its records' stored texts are read by id: joining the documents into the ordered,
    # limited statement would let the planner scan them all on a large table.
    if spec.document is not None:
        written_as = "json"
        page = statement.with_only_columns(
            spec.document, spec.id_column, maintain_column_froms=True
        )
        texts_of = None
    else:
        written_as = query.format or "json"
        page = statement.with_only_columns(
            spec.id_column, spec.id_column, maintain_column_froms=True
        )
        texts_of = _texts_reader(session, spec.record_type, written_as)
    if checked.keyset is None:
        page = page.order_by(*checked.order).limit(query.page_size).offset(query.offset)
        if written_as in ("csv", "geojson"):
            # An export may hold the whole collection: its rows are read as it is written.
            return ListResult(_streamed(session, page, texts_of), total, facets, None, written_as)
        found = connection.execute(page).all()
        return ListResult(_texts(found, texts_of), total, facets, None, written_as)
    if checked.cursor is not None:
        values = _key_values(session, spec, checked.keyset, checked.cursor)
        page = page.where(cursors.after(checked.keyset, values, spec.id_column, checked.cursor))
    page = page.order_by(*checked.order).limit(query.page_size).offset(query.offset)
    found = connection.execute(page).all()
    cursor = found[-1][1] if len(found) == query.page_size else None
    return ListResult(_texts(found, texts_of), total, facets, cursor, written_as)


def _key_values(
    session: Session, spec: ListSpec, keys: list[cursors.Key], record_id: str
) -> Sequence[Any]:
    """The sort-key values of the record a cursor names (found whatever the filters); an id
    that names no record of the collection is RecordNotFound."""
    named = select(spec.id_column, *(column for column, _ in keys)).where(
        spec.id_column == record_id
    )
    row = session.connection().execute(named).first()
    if row is None:
        raise RecordNotFound(f"after names {record_id!r}, which is no record of this list.")
    return tuple(row)[1:]


TextsOf = Callable[[list[str]], dict[str, str]]


def _texts_reader(session: Session, record_type: str, fmt: str) -> TextsOf:
    """A function giving the stored texts in format `fmt` of records of `record_type`, by id."""
    column = text_of(fmt)

    def read(ids: list[str]) -> dict[str, str]:
        rows = session.connection().execute(
            select(col(RecordDocument.record_id), column).where(
                col(RecordDocument.record_type) == record_type,
                col(RecordDocument.record_id).in_(ids),
            )
        )
        return {row[0]: row[1] for row in rows}

    return read


def _texts(found: Sequence[Any], texts_of: TextsOf | None) -> list[str]:
    """The texts of the page's rows, in the page's order: the row's own first column, or
    the stored document of the id it names."""
    if texts_of is None:
        return [row[0] for row in found]
    by_id = texts_of([row[0] for row in found]) if found else {}
    return [by_id[row[0]] for row in found]


def _streamed(
    session: Session, page: Select[Any], texts_of: TextsOf | None, batch: int = 1000
) -> Iterator[str]:
    """The texts of `page`'s rows, in order, read `batch` rows at a time as they are consumed."""
    result = session.connection().execute(page.execution_options(yield_per=batch))
    for rows in result.partitions(batch):
        yield from _texts(rows, texts_of)
