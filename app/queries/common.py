"""What every list query shares: paging, sorting, text match, source and year filters."""

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Select,
    String,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, col

from app.config import get_settings
from app.errors import InvalidParameter
from app.models import Citation
from app.models.types import DateBasis

T = TypeVar("T")

MAX_TEXT = 200
DEFAULT_LIMIT = 50


class PageQuery(BaseModel):
    """Paging and format, accepted by every list; unknown parameters are rejected."""

    model_config = ConfigDict(extra="forbid")

    limit: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        examples=[50],
        description="Page size: 50 by default, at most 500 for JSON. CSV and GeoJSON return "
        "the whole filtered collection by default (up to 100,000 records).",
    )
    offset: int = Field(
        default=0, ge=0, le=10_000_000, examples=[0], description="Records to skip."
    )
    after: str | None = Field(
        default=None,
        max_length=400,
        description='Keyset cursor (from a `Link: rel="next"` header): continue after the '
        "record it names instead of skipping `offset` records, so deep pages cost as little "
        "as the first. Send an empty `after=` for the first page. On a collection's list it "
        "works with at most one sort field (without `sort`, records come in id order).",
    )
    format: Literal["json", "csv"] | None = Field(
        default=None,
        examples=["csv"],
        description="Representation: json (default) or csv. Overrides the Accept header.",
    )

    def resolved(self, fmt: str) -> Self:
        """This query for the negotiated format: the default limit is a JSON page, or the
        whole filtered collection for CSV and GeoJSON; a limit above the format's cap is a
        422."""
        settings = get_settings()
        exporting = fmt in ("csv", "geojson")
        cap = settings.max_export_rows if exporting else settings.max_limit
        limit = self.limit
        if limit is None:
            limit = cap if exporting else DEFAULT_LIMIT
        elif limit > cap:
            message = f"limit must be at most {cap} for {fmt}"
            raise InvalidParameter(
                message,
                errors=[{"loc": ["query", "limit"], "msg": message, "type": "less_than_equal"}],
            )
        return self.model_copy(update={"format": fmt, "limit": limit})

    @property
    def page_size(self) -> int:
        """The resolved limit."""
        return self.limit or DEFAULT_LIMIT


class ListQuery(PageQuery):
    """Paging, sorting, facets and format, accepted by every collection's list."""

    sort: str | None = Field(
        default=None,
        max_length=MAX_TEXT,
        description="Comma-separated fields to sort by; prefix a field with '-' for "
        "descending order. The allowed fields are listed per endpoint.",
    )
    facet: str | None = Field(
        default=None,
        max_length=MAX_TEXT,
        description="Comma-separated fields to count per value over the filtered set "
        "(JSON only); the allowed fields are listed per endpoint.",
    )


class CodePointOrder(ColumnElement[Any]):
    """A text expression compared by code point (on PostgreSQL: COLLATE "C"), as SQLite's
    BINARY collation does, so sorts and keyset cursors do not depend on the database's
    locale and both engines order text the same way."""

    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy reads it from the class)
        ("clause", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, clause: Any) -> None:
        self.clause = clause
        self.type = clause.type


@compiles(CodePointOrder)
def _code_point_order(element: CodePointOrder, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clause, **kw))


@compiles(CodePointOrder, "postgresql")
def _code_point_order_postgresql(element: CodePointOrder, compiler: Any, **kw: Any) -> str:
    return f'({compiler.process(element.clause, **kw)}) COLLATE "C"'


def sort_key(expression: Any) -> Any:
    """`expression` as ORDER BY and keyset comparisons should use it: text by code point."""
    if isinstance(expression, UnaryExpression) and expression.element is not None:
        # Already ordered (e.g. `column.desc()`): order its text by code point the same way.
        inner = sort_key(expression.element)
        if inner is expression.element:
            return expression
        return inner.desc() if expression.modifier is operators.desc_op else inner.asc()
    if hasattr(expression, "__clause_element__"):
        expression = expression.__clause_element__()
    if _is_text(getattr(expression, "type", None)):
        return CodePointOrder(expression)
    return expression


def _is_text(type_: Any) -> bool:
    """True for text types (String, and SQLModel's AutoString, a TypeDecorator of it)."""
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    return isinstance(type_, String) and not isinstance(type_, JSON)


def _nulls_last(clause: Any) -> Any:
    """An ORDER BY clause with NULLs last, whatever the engine's default (SQLite puts them
    first in ascending order, PostgreSQL last)."""
    if isinstance(clause, UnaryExpression) and clause.modifier in (
        operators.desc_op,
        operators.asc_op,
    ):
        return sort_key(clause).nulls_last()
    return sort_key(clause).asc().nulls_last()


def order_by(
    sort: str | None, allowed: dict[str, Any], default: Sequence[Any], tiebreak: Any
) -> list[Any]:
    """ORDER BY clauses for a `sort` value; an unknown field is a 422 naming the allowed ones.

    Every clause puts NULLs last and orders text by code point, on both engines."""
    if not sort:
        return [*(_nulls_last(clause) for clause in default), sort_key(tiebreak)]
    clauses = []
    for raw in sort.split(","):
        name = raw.strip()
        descending = name.startswith("-")
        name = name.removeprefix("-")
        if name not in allowed:
            names = sorted(allowed)
            raise InvalidParameter(
                f"cannot sort by {name!r}; allowed: {', '.join(names)}",
                allowed=names,
                errors=[
                    {
                        "loc": ["query", "sort"],
                        "msg": f"unknown sort field {name!r}",
                        "type": "enum",
                    }
                ],
            )
        column = sort_key(allowed[name])
        clauses.append(column.desc().nulls_last() if descending else column.asc().nulls_last())
    return [*clauses, sort_key(tiebreak)]


@dataclass
class ListResult:
    """A page of rows, the number matching, the facet counts asked for, and the keyset
    cursor of the next page (when the list was read by cursor and more may follow)."""

    rows: list[Any]
    total: int
    facets: dict[str, list[tuple[Any, int]]] | None = None
    next_cursor: str | None = None


def _bad_cursor(message: str) -> InvalidParameter:
    return InvalidParameter(
        message, errors=[{"loc": ["query", "after"], "msg": message, "type": "value_error"}]
    )


def encode_cursor(value: Any, record_id: str) -> str:
    """An opaque cursor naming a row by its sort value and id."""
    raw = json.dumps([value, record_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    """The sort value and id a cursor names; a malformed cursor is a 422."""
    try:
        value, record_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        raise _bad_cursor("after is not a cursor this API issued") from None
    if not isinstance(record_id, str) or not isinstance(value, (str, int, float, bool, type(None))):
        raise _bad_cursor("after is not a cursor this API issued")
    return value, record_id


def _sort_field(sort: str | None, allowed: dict[str, Any], id_column: Any) -> tuple[Any, bool]:
    """The single (column, descending) a keyset page is ordered by."""
    fields = [part.strip() for part in (sort or "").split(",") if part.strip()]
    if len(fields) > 1:
        raise _bad_cursor("after works with at most one sort field")
    if not fields:
        return id_column, False
    name = fields[0].removeprefix("-")
    return allowed[name], fields[0].startswith("-")


def _after(column: Any, descending: bool, id_column: Any, cursor: str) -> Any:
    """Rows after the cursor in (column nulls last, id) order."""
    value, record_id = decode_cursor(cursor)
    if column is id_column:
        key = sort_key(id_column)
        return key < record_id if descending else key > record_id
    column, id_column = sort_key(column), sort_key(id_column)
    same = and_(column == value, id_column > record_id)
    if value is None:
        return and_(column.is_(None), id_column > record_id)
    beyond = column < value if descending else column > value
    return or_(beyond, same, column.is_(None))


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


def shared_filters(statement: Select[Any], query: ListQuery, spec: ListSpec) -> Select[Any]:
    """Apply the filters declared in `spec`: equality, source, pair, q, years, disputed."""
    values = query.model_dump()
    for name, column in spec.equals.items():
        if values.get(name) is not None:
            statement = statement.where(column == values[name])
    if values.get("source"):
        statement = statement.where(cited_in(spec.record_type, spec.id_column, values["source"]))
    if spec.pair is not None and values.get("pair"):
        statement = statement.where(spec.pair == values["pair"])
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
    """One page of `statement` with the shared filters applied, its total, and any facets."""
    statement = shared_filters(statement, query, spec)
    order = order_by(query.sort, spec.sortable, spec.default_order, spec.id_column)
    facets = facet_counts(session, statement, query.facet, spec) if query.facet else None
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    if query.after is None:
        page = statement.order_by(*order).limit(query.page_size).offset(query.offset)
        return ListResult(list(session.scalars(page).unique().all()), total, facets)
    if query.offset:
        raise _bad_cursor("use either after or offset, not both")
    column, descending = _sort_field(query.sort, spec.sortable, spec.id_column)
    if not query.sort:
        order = [spec.id_column]
    if query.after:
        statement = statement.where(_after(column, descending, spec.id_column, query.after))
    page = statement.order_by(*order).limit(query.page_size)
    rows = list(session.scalars(page).unique().all())
    cursor = None
    if len(rows) == query.page_size:
        last = rows[-1]
        cursor = encode_cursor(getattr(last, column.key), last.id)
    return ListResult(rows, total, facets, cursor)


def facet_counts(
    session: Session, statement: Select[Any], facet: str, spec: ListSpec
) -> dict[str, list[tuple[Any, int]]]:
    """Counts per value of each requested field over the filtered set, most frequent first."""
    allowed = sorted([*spec.facets, *(["source"] if spec.cited else [])])
    result: dict[str, list[tuple[Any, int]]] = {}
    for raw in facet.split(","):
        name = raw.strip()
        if name == "source" and spec.cited:
            counted = func.count(func.distinct(spec.id_column))
            grouped = (
                statement.with_only_columns(
                    col(Citation.source_id), counted, maintain_column_froms=True
                )
                .join(
                    Citation,
                    (col(Citation.record_type) == spec.record_type)
                    & (col(Citation.record_id) == spec.id_column),
                )
                .group_by(col(Citation.source_id))
            )
        elif name in spec.facets:
            expression = spec.facets[name]
            counted = func.count()
            grouped = statement.with_only_columns(
                expression, counted, maintain_column_froms=True
            ).group_by(expression)
        else:
            raise InvalidParameter(
                f"cannot facet by {name!r}; allowed: {', '.join(allowed)}",
                allowed=allowed,
                errors=[
                    {
                        "loc": ["query", "facet"],
                        "msg": f"unknown facet field {name!r}",
                        "type": "enum",
                    }
                ],
            )
        value = sort_key(grouped.selected_columns[0]).asc().nulls_last()
        rows = session.execute(grouped.order_by(counted.desc(), value))
        result[name] = [(row[0], int(row[1])) for row in rows]
    return result


def eager(relationship: Any) -> Any:
    """Load `relationship` for every row of the page in one more query."""
    return selectinload(relationship)


def year_of(column: Any) -> Any:
    """The year of a partial ISO date column, for facets."""
    return func.substr(column, 1, 4)


class JSONElementLike(ColumnElement[bool]):
    """Some element of a JSON array of strings matches a LIKE pattern, case-insensitively.

    The elements are matched one by one, never the serialized JSON, so `[`, `"` or `,` in a
    query are characters of a name, not JSON syntax.
    """

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy reads it from the class)
        ("column", InternalTraversal.dp_clauseelement),
        ("pattern", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: Any, pattern: str) -> None:
        self.column = column
        self.pattern = literal(pattern, String())


@compiles(JSONElementLike)
def _json_element_like_sqlite(element: JSONElementLike, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    pattern = compiler.process(element.pattern, **kw)
    return (
        f"EXISTS (SELECT 1 FROM json_each({column}) AS element "
        f"WHERE lower(element.value) LIKE lower({pattern}) ESCAPE '\\')"
    )


@compiles(JSONElementLike, "postgresql")
def _json_element_like_postgresql(element: JSONElementLike, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    pattern = compiler.process(element.pattern, **kw)
    return (
        f"EXISTS (SELECT 1 FROM json_array_elements_text(CAST({column} AS JSON)) AS element "
        f"WHERE element ILIKE {pattern} ESCAPE '\\')"
    )


def contains(text: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive substring match of `text` in any of `columns` (in any element of a
    JSON list column, such as aliases)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(
        *(
            JSONElementLike(column, pattern)
            if isinstance(column.type, JSON)
            else column.ilike(pattern, escape="\\")
            for column in columns
        )
    )


def cited_in(record_type: str, id_column: Any, source_id: str) -> ColumnElement[bool]:
    """The record cites `source_id`."""
    return exists(
        select(col(Citation.id)).where(
            col(Citation.record_type) == record_type,
            col(Citation.record_id) == id_column,
            col(Citation.source_id) == source_id,
        )
    )


def period_overlaps(start: Any, end: Any, year_from: int | None, year_to: int | None) -> list[Any]:
    """Clauses keeping periods (or a partial date's full-date interval) that overlap the
    years, inclusive; an open end is taken as the other end."""
    clauses = []
    if year_from is not None:
        clauses.append(func.coalesce(end, start) >= f"{year_from:04d}")
    if year_to is not None:
        clauses.append(func.coalesce(start, end) < f"{year_to + 1:04d}")
    return clauses


def basis_in(bases: tuple[tuple[Any, Any], ...], allowed: list[str]) -> ColumnElement[bool]:
    """Records that have a date and whose every date has one of the `allowed` bases."""
    return and_(
        or_(*(date.is_not(None) for _, date in bases)),
        *(or_(date.is_(None), basis.in_(allowed)) for basis, date in bases),
    )


Year = Annotated[int | None, Field(ge=1000, le=9999, description="A year, e.g. 2023.")]
Text = Annotated[str | None, Field(min_length=1, max_length=MAX_TEXT)]
Ref = Annotated[str | None, Field(min_length=1, max_length=120, pattern=r"^[a-z0-9-]+$")]
DateBases = Annotated[
    list[DateBasis] | None,
    Field(
        examples=[["stated"]],
        description="Only records whose every date has one of these bases (repeatable: "
        "`date_basis=stated&date_basis=relative`): stated, relative, publication, inferred. "
        "Records without a date, or whose date has no basis yet, are left out.",
    ),
]


class CitedQuery(ListQuery):
    """A list of records that cite sources, and may belong to a country pair."""

    source: Ref = Field(
        default=None,
        examples=["sfc-2023-zhang-xiao"],
        description="Only records citing (or naming) this source id.",
    )


class PairQuery(CitedQuery):
    """A list of bilateral records."""

    pair: Text = Field(
        default=None,
        examples=["CN-KZ"],
        description="Country pair: two ISO 3166-1 alpha-2 codes in alphabetical order, e.g. CN-KZ.",
    )


class FigureQuery(PairQuery):
    """A list of stated figures, which sources may contradict."""

    disputed: bool | None = Field(
        default=None,
        examples=[True],
        description="true: only figures another source contradicts; false: only uncontested ones.",
    )


GeoFormat = Annotated[
    Literal["json", "csv", "geojson"] | None,
    Field(
        examples=["geojson"],
        description="Representation: json (default), csv, or geojson (a FeatureCollection "
        "for a list, a Feature for one record). Overrides the Accept header.",
    ),
]


class ItemQuery(BaseModel):
    """The representation of one record; unknown parameters are rejected."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["json", "csv"] | None = Field(
        default=None,
        examples=["json"],
        description="Representation: json (default) or csv (one row). Overrides the Accept header.",
    )


class GeoItemQuery(ItemQuery):
    """The representation of one record that has coordinates."""

    format: GeoFormat = None  # type: ignore[assignment]  # widened: geojson is served too


class NoQuery(BaseModel):
    """An endpoint that takes no query parameters; any is rejected."""

    model_config = ConfigDict(extra="forbid")
