"""A collection's list: its spec (filters, sorts, facets), the checks of a list query, and
the page, total, facets and next cursor that answer it."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Integer, Select, String, func, select
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from app.queries import cursors
from app.queries.compiled import (
    Placeholder,
    Readable,
    Reader,
    Statement,
    StatementCache,
    compile_statement,
    shaped,
)
from app.queries.documents import texts_by_id
from app.queries.errors import RecordNotFound
from app.queries.facets import facet_statement
from app.queries.filters import basis_in, cited_in, contains, period_overlaps
from app.queries.ordering import as_on_sqlite
from app.queries.parameters import ListQuery

Q = TypeVar("Q", bound=ListQuery)


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
    """(column, descending, nulls first) of each field of a `sort` list (`-` first for
    descending; nulls last either way)."""
    return [
        (allowed[value.removeprefix("-")], value.startswith("-"), False) for value in sort or []
    ]


def default_keys(default: Sequence[Any]) -> list[cursors.Key]:
    """The keys of a list's default order (columns, or `.desc()` of one), with NULLs where
    SQLite puts them: first when ascending, last when descending."""
    keys: list[cursors.Key] = []
    for clause in default:
        if isinstance(clause, UnaryExpression) and clause.modifier is operators.desc_op:
            keys.append((clause.element, True, False))
        else:
            keys.append((clause, False, True))
    return keys


def order_by(
    sort: list[str] | None, allowed: dict[str, Any], default: Sequence[Any], tiebreak: Any
) -> list[Any]:
    """ORDER BY clauses for a `sort` list (its fields checked by the query's model), nulls
    last either way, ties broken by `tiebreak`; the default order's NULLs where SQLite puts
    them (app/queries/ordering.py: every engine sorts as SQLite does)."""
    if not sort:
        return [*(as_on_sqlite(clause) for clause in default), as_on_sqlite(tiebreak)]
    clauses = [
        as_on_sqlite(column.desc().nulls_last() if descending else column.asc().nulls_last())
        for column, descending, _ in sort_keys(sort, allowed)
    ]
    return [*clauses, as_on_sqlite(tiebreak)]


def plan(query: ListQuery, spec: ListSpec) -> ListPlan:
    """How to answer `query` (whose values its model has checked), before any SQL runs."""
    order = order_by(query.sort, spec.sortable, spec.default_order, spec.id_column)
    facets = query.facet or None
    if query.after is None:
        return ListPlan(order, facets, None, None)
    # Without `sort`, a cursor walks the list in its default order, as offset pages do.
    keys = sort_keys(query.sort, spec.sortable) if query.sort else default_keys(spec.default_order)
    return ListPlan(order, facets, keys, query.after or None)


def shared_filters(statement: Select[Any], query: ListQuery, spec: ListSpec) -> Select[Any]:
    """Apply the filters declared in `spec`: equality, source, pair, q, years, disputed."""

    def value(name: str) -> Any:
        return getattr(query, name, None)

    for name, column in spec.equals.items():
        wanted = value(name)
        if isinstance(wanted, list):  # a repeatable filter: any of its values
            statement = statement.where(column.in_(wanted))
        elif wanted is not None:
            statement = statement.where(column == wanted)
    if value("source"):
        record_type, record_id = spec.citation_key or (spec.record_type, spec.id_column)
        statement = statement.where(cited_in(record_type, record_id, value("source")))
    if spec.pair is not None and value("pair"):
        statement = statement.where(spec.pair.in_(value("pair")))
    if spec.text and value("q"):
        statement = statement.where(contains(value("q"), *spec.text))
    if spec.period is not None:
        statement = statement.where(
            *period_overlaps(*spec.period, value("year_from"), value("year_to"))
        )
    if spec.bases and value("date_basis"):
        statement = statement.where(basis_in(spec.bases, value("date_basis")))
    if spec.disputed is not None and value("disputed") is not None:
        disputed = spec.disputed.is_not(None) if value("disputed") else spec.disputed.is_(None)
        statement = statement.where(disputed)
    return statement


@dataclass(frozen=True)
class CompiledList:
    """The statements answering one shape of a list query: its count, its facets, its page
    (the ids, or for a list with documents of its own the documents, in order)."""

    count: Statement
    facets: tuple[tuple[str, Statement], ...]
    page: Statement


# Every list's compiled statements, by engine, list and query shape.
_COMPILED = StatementCache()
# The page's bind parameters, which every shape has.
LIMIT, OFFSET = Placeholder("limit", Integer()), Placeholder("offset", Integer())
AFTER_ID = Placeholder("after_id", String())


def _compile(
    build: Callable[[Q], Select[Any]],
    query: Q,
    checked: ListPlan,
    spec: ListSpec,
    dialect: Any,
    nulls: tuple[bool, ...] | None,
) -> CompiledList:
    """Build and compile the statements of `query`'s shape (its values are placeholders;
    `nulls` says which sort keys of the record a cursor names are null)."""
    statement = shared_filters(build(query), query, spec)
    count = select(func.count()).select_from(statement.subquery())
    facets = tuple(
        (
            name,
            facet_statement(
                statement, name, spec.facets, spec.record_type, spec.id_column, spec.cited
            ),
        )
        for name in checked.facets or ()
    )
    # The page is chosen over the table's own indexed columns (ids and sort keys only), then
    # its records' stored texts are read by id: joining the documents into the ordered,
    # limited statement would let the planner scan them all on a large table.
    first = spec.document if spec.document is not None else spec.id_column
    page = statement.with_only_columns(first, spec.id_column, maintain_column_froms=True)
    if checked.keyset is not None and nulls is not None:
        # After the named record: its key values (a null one is no bind: it shapes the SQL).
        named = [
            None if null else Placeholder(f"after_{index}", column.type)
            for index, ((column, *_), null) in enumerate(zip(checked.keyset, nulls, strict=True))
        ]
        page = page.where(cursors.after(checked.keyset, named, spec.id_column, AFTER_ID))
    page = page.order_by(*checked.order).limit(LIMIT).offset(OFFSET)
    return CompiledList(
        compile_statement(count, dialect),
        tuple((name, compile_statement(grouped, dialect)) for name, grouped in facets),
        compile_statement(page, dialect),
    )


def every(table: Any) -> Callable[[Any], Select[Any]]:
    """The statement builder of a list with no filters of its own: all rows of `table`."""

    def build(_query: Any) -> Select[Any]:
        return select(table)

    return build


def run_list(
    source: Readable, build: Callable[[Q], Select[Any]], query: Q, spec: ListSpec
) -> ListResult:
    """One page of the records `build(query)` selects, with the shared filters applied, as
    the stored documents of its records in the query's format; its total, any facets, and
    the next cursor.

    Every parameter is checked first. The statements of the query's shape are built and
    compiled the first time that shape is asked (app/queries/compiled.py), then run with
    the query's values: SQL over the table's typed, indexed columns selects the page's ids
    and their stored documents are read by id. No statement, ORM object or model is built.

    Read by cursor (`after`), the page holds the records after the one it names, in the
    requested order (`offset` skips some of them), and the next cursor is the id of the
    page's last record when the page is full.
    """
    checked = plan(query, spec)
    reader = Reader.of(source)
    shape, placeholders, values = shaped(query)
    written_as = "json" if spec.document is not None else (query.format or "json")
    values["limit"], values["offset"] = query.page_size, query.offset
    nulls = None
    if checked.keyset is not None and checked.cursor is not None:
        named = _key_values(reader, spec, query.sort, checked.keyset, checked.cursor)
        nulls = tuple(value is None for value in named)
        values["after_id"] = checked.cursor
        values.update({f"after_{i}": value for i, value in enumerate(named) if value is not None})
    paging = None if checked.keyset is None else (checked.cursor is None, nulls)
    compiled: CompiledList = _COMPILED.get(
        (reader.dialect.name, spec.record_type, shape, paging),
        lambda: _compile(build, placeholders, checked, spec, reader.dialect, nulls),
    )
    facets = None
    if compiled.facets:
        facets = {
            name: [(row[0], int(row[1])) for row in reader.dataset_rows(statement, values)]
            for name, statement in compiled.facets
        }
    counted = reader.dataset_rows(compiled.count, values)
    total = (counted[0][0] if counted else 0) or 0
    texts_of = None
    if spec.document is None:
        texts_of = _reader_of_texts(reader, spec.record_type, written_as)
    if checked.keyset is None:
        if written_as in ("csv", "geojson"):
            # An export may hold the whole collection: its rows are read as it is written.
            rows = _streamed(reader, compiled.page, values, texts_of)
            return ListResult(rows, total, facets, None, written_as)
        found = reader.rows(compiled.page, values)
        return ListResult(_texts(found, texts_of), total, facets, None, written_as)
    # Read by cursor, one record more than the page says whether another page follows (so
    # the last page links to no empty one).
    values["limit"] = query.page_size + 1
    found = reader.rows(compiled.page, values)
    more = len(found) > query.page_size
    found = found[: query.page_size]
    cursor = found[-1][1] if more else None
    return ListResult(_texts(found, texts_of), total, facets, cursor, written_as)


def _key_values(
    reader: Reader,
    spec: ListSpec,
    sort: list[str] | None,
    keys: list[cursors.Key],
    record_id: str,
) -> tuple[Any, ...]:
    """The sort-key values of the record a cursor names (found whatever the filters); an id
    that names no record of the collection is RecordNotFound."""
    named = _COMPILED.get(
        (reader.dialect.name, spec.record_type, "after", tuple(sort or ())),
        lambda: compile_statement(
            select(spec.id_column, *(column for column, *_ in keys)).where(
                spec.id_column == AFTER_ID
            ),
            reader.dialect,
        ),
    )
    found = reader.rows(named, {"after_id": record_id})
    if not found:
        raise RecordNotFound(f"after names {record_id!r}, which is no record of this list.")
    return found[0][1:]


TextsOf = Callable[[list[str]], dict[str, str | bytes]]


def _reader_of_texts(reader: Reader, record_type: str, fmt: str) -> TextsOf:
    """A function giving the stored texts in format `fmt` of records of `record_type`, by id."""

    def read(ids: list[str]) -> dict[str, str | bytes]:
        return texts_by_id(reader, record_type, fmt, ids)

    return read


def _texts(found: Sequence[Any], texts_of: TextsOf | None) -> list[Any]:
    """The texts of the page's rows, in the page's order: the row's own first column, or
    the stored document of the id it names."""
    if texts_of is None:
        return [row[0] for row in found]
    by_id = texts_of([row[0] for row in found]) if found else {}
    return [by_id[row[0]] for row in found]


def _streamed(
    reader: Reader,
    page: Statement,
    values: dict[str, Any],
    texts_of: TextsOf | None,
    batch: int = 1000,
) -> Iterator[Any]:
    """The texts of `page`'s rows, in order, read `batch` rows at a time as they are consumed."""
    for rows in reader.batches(page, values, batch):
        yield from _texts(rows, texts_of)
