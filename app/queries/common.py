"""What every list query shares: paging, sorting, text match, source and year filters."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
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
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Session, col

from app.config import get_settings
from app.errors import InvalidParameter, NotFound
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
        description="Page size: 50 by default for JSON, whose pages hold at most 500 (a "
        "larger limit is reduced to 500; the envelope's `limit` is the size used). CSV and "
        "GeoJSON return the whole filtered collection by default, up to 100,000 records.",
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
        whole filtered collection for CSV and GeoJSON; a limit above the format's cap is
        reduced to the cap (as GitHub does with per_page), and the JSON envelope's `limit`
        says so. Every limit the schema allows means a page, whatever the format."""
        settings = get_settings()
        exporting = fmt in ("csv", "geojson")
        cap = settings.max_export_rows if exporting else settings.max_limit
        limit = cap if self.limit is None and exporting else self.limit or DEFAULT_LIMIT
        return self.model_copy(update={"format": fmt, "limit": min(limit, cap)})

    @property
    def page_size(self) -> int:
        """The resolved limit."""
        return self.limit or DEFAULT_LIMIT


@dataclass(frozen=True)
class Choices:
    """The values a comma-separated list parameter allows (a Field's `json_schema_extra`):
    declared in OpenAPI as an array of enums with `explode: false`, checked by ListQuery."""

    values: tuple[str, ...]

    def __call__(self, schema: dict[str, Any]) -> None:
        schema.pop("anyOf", None)
        schema["anyOf"] = [
            {
                "type": "array",
                "items": {"type": "string", "enum": list(self.values)},
                "minItems": 1,
            },
            {"type": "null"},
        ]
        # app/api/openapi.py declares such a parameter `style: form, explode: false`.
        schema["x-comma-separated"] = True


def choices(values: Sequence[str], description: str) -> Any:
    """A Field: an optional comma-separated list of `values`, e.g. `sort=-date,name`."""
    return Field(default=None, description=description, json_schema_extra=Choices(tuple(values)))


def sort_choices(sortable: Iterable[str]) -> Any:
    """The `sort` Field of a list: each sortable field, ascending or (with `-`) descending."""
    names = list(sortable)
    return choices(
        [value for name in names for value in (name, f"-{name}")],
        "Comma-separated fields to sort by, `-` first for descending order (nulls last "
        "either way); ties are broken by id. Allowed: " + ", ".join(names) + ".",
    )


def facet_choices(spec: "ListSpec") -> Any:
    """The `facet` Field of a list: the fields whose values it can count, and `source` where
    its records cite sources."""
    names = [*spec.facets, *(["source"] if spec.cited else [])]
    return choices(
        names,
        "Comma-separated fields to count per value over the filtered set (the JSON envelope's "
        "`facets`; CSV and GeoJSON carry no counts). Allowed: " + ", ".join(names) + ".",
    )


def vocabulary(name: str, example: str, what: str) -> Any:
    """A Field: a repeatable filter on terms of the vocabulary `name` of data/vocabularies.yaml
    (the OpenAPI enum and the check of values are built from that file when the app is made)."""
    return Field(
        default=None,
        examples=[[example]],
        description=f"{what} (vocabulary `{name}`); repeat the parameter for any of several.",
        json_schema_extra={"x-vocabulary": name},
    )


def any_of(example: str, what: str) -> Any:
    """A Field: a repeatable equality filter (`country=KZ&country=CN` means either)."""
    return Field(
        default=None,
        examples=[[example]],
        description=f"{what}; repeat the parameter for any of several.",
    )


def _comma_separated(value: Any) -> Any:
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [
            part
            for item in value
            for part in (item.split(",") if isinstance(item, str) else [item])
        ]
    return value


class ListQuery(PageQuery):
    """Paging, sorting, facets and format, accepted by every collection's list."""

    after: str | None = Field(
        default=None,
        max_length=120,
        pattern=r"^[a-z0-9-]*$",
        description="Keyset cursor: the id of a record of this list (the last one you have); "
        "the page continues after it in the requested order, so deep pages cost as little as "
        'the first. `Link: rel="next"` carries it. An empty `after=` starts from the first '
        "record; an id that names no record is a 404. `offset` then skips records after it.",
    )
    sort: list[str] | None = choices((), "Fields to sort by (allowed values per endpoint).")
    facet: list[str] | None = choices((), "Fields to count (allowed values per endpoint).")

    @model_validator(mode="before")
    @classmethod
    def _check_choices(cls, data: Any) -> Any:
        """Split comma-separated lists and refuse a value outside their choices with a 422
        that lists the allowed ones."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name, info in cls.model_fields.items():
            allowed = info.json_schema_extra
            if not isinstance(allowed, Choices) or data.get(name) is None:
                continue
            values = _comma_separated(data[name])
            unknown = [value for value in values if value not in allowed.values]
            if unknown:
                message = f"{name} cannot be {unknown[0]!r}; allowed: {', '.join(allowed.values)}"
                raise InvalidParameter(
                    message,
                    allowed=list(allowed.values),
                    errors=[{"loc": ["query", name], "msg": message, "type": "enum"}],
                )
            data[name] = values
        return data


def order_by(
    sort: list[str] | None, allowed: dict[str, Any], default: Sequence[Any], tiebreak: Any
) -> list[Any]:
    """ORDER BY clauses for a `sort` list (fields checked by ListQuery), nulls last."""
    if not sort:
        return [*default, tiebreak]
    clauses = []
    for _, column, descending in _sort_keys(sort, allowed):
        clauses.append(column.desc().nulls_last() if descending else column.asc().nulls_last())
    return [*clauses, tiebreak]


def _sort_keys(sort: list[str], allowed: dict[str, Any]) -> list[tuple[str, Any, bool]]:
    """(name, column, descending) of each sort field."""
    return [
        (value.removeprefix("-"), allowed[value.removeprefix("-")], value.startswith("-"))
        for value in sort
    ]


@dataclass
class ListResult:
    """A page of rows, the number matching, the facet counts asked for, and the keyset
    cursor of the next page (when the list was read by cursor and more may follow)."""

    rows: list[Any]
    total: int
    facets: dict[str, list[tuple[Any, int]]] | None = None
    next_cursor: str | None = None


def _after(
    session: Session, spec: "ListSpec", keys: list[tuple[str, Any, bool]], record_id: str
) -> Any:
    """Rows after the record `record_id` in (keys..., id) order, nulls last: the rows that
    differ from it first on a key where they come later (keyset pagination, Stripe's
    `starting_after`). A record id that names nothing is a 404."""
    table = spec.id_column.table
    values = session.execute(
        select(*(column for _, column, _ in keys), spec.id_column)
        .select_from(table)
        .where(spec.id_column == record_id)
    ).first()
    if values is None:
        raise NotFound(f"after: no {spec.record_type.replace('_', ' ')} with id {record_id!r}.")
    later: list[Any] = []
    equal: list[Any] = []
    for (_, column, descending), value in zip(keys, values, strict=False):
        if value is None:
            beyond = None  # nulls come last: nothing but other nulls follows
            same = column.is_(None)
        else:
            beyond = or_(column < value if descending else column > value, column.is_(None))
            same = column == value
        if beyond is not None:
            later.append(and_(*equal, beyond))
        equal.append(same)
    later.append(and_(*equal, spec.id_column > record_id))
    return or_(*later)


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
        wanted = values.get(name)
        if isinstance(wanted, list):  # repeatable: any of the values
            statement = statement.where(column.in_(wanted))
        elif wanted is not None:
            statement = statement.where(column == wanted)
    if values.get("source"):
        statement = statement.where(cited_in(spec.record_type, spec.id_column, values["source"]))
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
    """One page of `statement` with the shared filters applied, its total, and any facets.

    Read by cursor (`after`), the page holds the records after the one it names, in the
    requested order, and `next_cursor` is the id of the page's last record when more follow.
    """
    statement = shared_filters(statement, query, spec)
    order = order_by(query.sort, spec.sortable, spec.default_order, spec.id_column)
    facets = facet_counts(session, statement, query.facet, spec) if query.facet else None
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    if query.after is None:
        page = statement.order_by(*order).limit(query.page_size).offset(query.offset)
        return ListResult(list(session.scalars(page).unique().all()), total, facets)
    # Without `sort`, a cursor walks the list in id order (the one order every list has).
    keys = _sort_keys(query.sort, spec.sortable) if query.sort else []
    if not query.sort:
        order = [spec.id_column]
    if query.after:
        statement = statement.where(_after(session, spec, keys, query.after))
    page = statement.order_by(*order).limit(query.page_size + 1).offset(query.offset)
    rows = list(session.scalars(page).unique().all())
    cursor = None
    if len(rows) > query.page_size:
        rows = rows[: query.page_size]
        cursor = rows[-1].id
    return ListResult(rows, total, facets, cursor)


def facet_counts(
    session: Session, statement: Select[Any], facet: list[str], spec: ListSpec
) -> dict[str, list[tuple[Any, int]]]:
    """Counts per value of each requested field (checked by ListQuery) over the filtered set,
    most frequent first."""
    result: dict[str, list[tuple[Any, int]]] = {}
    for name in facet:
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
        else:
            expression = spec.facets[name]
            counted = func.count()
            grouped = statement.with_only_columns(
                expression, counted, maintain_column_froms=True
            ).group_by(expression)
        rows = session.execute(grouped.order_by(counted.desc(), grouped.selected_columns[0]))
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


def cited_in(record_type: str, id_column: Any, source_ids: list[str]) -> ColumnElement[bool]:
    """The record cites one of `source_ids`."""
    # An alias of its own, so that a query also joining citation (the `source` facet) does
    # not correlate this subquery's table away.
    cited = aliased(Citation)
    return exists(
        select(col(cited.id)).where(
            col(cited.record_type) == record_type,
            col(cited.record_id) == id_column,
            col(cited.source_id).in_(source_ids),
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
TextItem = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
RefItem = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[a-z0-9-]+$")]
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

    source: list[RefItem] | None = any_of(
        "sfc-2023-zhang-xiao", "Only records citing this source id"
    )


class PairQuery(CitedQuery):
    """A list of bilateral records."""

    pair: list[TextItem] | None = any_of(
        "CN-KZ", "Country pair: two ISO 3166-1 alpha-2 codes in alphabetical order, e.g. CN-KZ"
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
