"""What every list query shares: paging, sorting, text match, source and year filters."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import ColumnElement, Select, String, cast, exists, func, or_, select
from sqlmodel import Session, col

from app.config import get_settings
from app.errors import InvalidParameter
from app.models import Citation

T = TypeVar("T")

MAX_TEXT = 200
DEFAULT_LIMIT = 50


class ListQuery(BaseModel):
    """Paging, sorting, facets and format, accepted by every list; unknown parameters are
    rejected."""

    model_config = ConfigDict(extra="forbid")

    limit: int | None = Field(
        default=None,
        ge=1,
        examples=[50],
        description="Page size: 50 by default, at most 500 for JSON. CSV and GeoJSON return "
        "the whole filtered collection by default (up to 100,000 records).",
    )
    offset: int = Field(
        default=0, ge=0, le=10_000_000, examples=[0], description="Records to skip."
    )
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
    format: Literal["json", "csv", "geojson"] | None = Field(
        default=None,
        examples=["csv"],
        description="Representation: json (default), csv, or geojson where records have "
        "coordinates. Overrides the Accept header.",
    )

    @model_validator(mode="after")
    def _resolve_limit(self) -> Self:
        settings = get_settings()
        exporting = self.format in ("csv", "geojson")
        cap = settings.max_export_rows if exporting else settings.max_limit
        if self.limit is None:
            self.limit = cap if exporting else DEFAULT_LIMIT
        elif self.limit > cap:
            raise ValueError(f"limit must be at most {cap}")
        return self

    @property
    def page_size(self) -> int:
        """The resolved limit."""
        return self.limit or DEFAULT_LIMIT


def order_by(
    sort: str | None, allowed: dict[str, Any], default: Sequence[Any], tiebreak: Any
) -> list[Any]:
    """ORDER BY clauses for a `sort` value; an unknown field is a 422 naming the allowed ones."""
    if not sort:
        return [*default, tiebreak]
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
        column = allowed[name]
        clauses.append(column.desc().nulls_last() if descending else column.asc().nulls_last())
    return [*clauses, tiebreak]


@dataclass
class ListResult:
    """A page of rows, the number matching, and the facet counts asked for."""

    rows: list[Any]
    total: int
    facets: dict[str, list[tuple[Any, int]]] | None = None


@dataclass(frozen=True)
class ListSpec:
    """What a collection's list can sort and facet by, and how its records are cited."""

    record_type: str
    id_column: Any
    sortable: dict[str, Any]
    default_order: list[Any]
    facets: dict[str, Any]


def run_list(
    session: Session, statement: Select[Any], query: ListQuery, spec: ListSpec
) -> ListResult:
    """One page of the filtered `statement`, its total, and any facets asked for."""
    order = order_by(query.sort, spec.sortable, spec.default_order, spec.id_column)
    facets = facet_counts(session, statement, query.facet, spec) if query.facet else None
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(statement.order_by(*order).limit(query.page_size).offset(query.offset))
    return ListResult(list(rows.unique().all()), total, facets)


def facet_counts(
    session: Session, statement: Select[Any], facet: str, spec: ListSpec
) -> dict[str, list[tuple[Any, int]]]:
    """Counts per value of each requested field over the filtered set, most frequent first."""
    allowed = sorted([*spec.facets, "source"])
    result: dict[str, list[tuple[Any, int]]] = {}
    for raw in facet.split(","):
        name = raw.strip()
        if name == "source":
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
        rows = session.execute(grouped.order_by(counted.desc(), grouped.selected_columns[0]))
        result[name] = [(row[0], int(row[1])) for row in rows]
    return result


def year_of(column: Any) -> Any:
    """The year of a partial ISO date column, for facets."""
    return func.substr(column, 1, 4)


def contains(text: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive substring match of `text` in any of `columns`."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    # JSON columns (aliases) are matched on their serialized text.
    return or_(*(cast(column, String).ilike(f"%{escaped}%", escape="\\") for column in columns))


def cited_in(record_type: str, id_column: Any, source_id: str) -> ColumnElement[bool]:
    """The record cites `source_id`."""
    return exists(
        select(col(Citation.id)).where(
            col(Citation.record_type) == record_type,
            col(Citation.record_id) == id_column,
            col(Citation.source_id) == source_id,
        )
    )


def year_range(column: Any, year_from: int | None, year_to: int | None) -> list[Any]:
    """Clauses keeping partial ISO dates (YYYY[-MM[-DD]]) within the years, inclusive."""
    clauses = []
    if year_from is not None:
        clauses.append(column >= f"{year_from:04d}")
    if year_to is not None:
        clauses.append(column < f"{year_to + 1:04d}")
    return clauses


def period_overlaps(start: Any, end: Any, year_from: int | None, year_to: int | None) -> list[Any]:
    """Clauses keeping periods that overlap the years, inclusive."""
    clauses = []
    if year_from is not None:
        clauses.append(func.coalesce(end, start) >= f"{year_from:04d}")
    if year_to is not None:
        clauses.append(func.coalesce(start, end) < f"{year_to + 1:04d}")
    return clauses


Year = Annotated[int | None, Field(ge=1000, le=9999, description="A year, e.g. 2023.")]
Text = Annotated[str | None, Field(min_length=1, max_length=MAX_TEXT)]
Ref = Annotated[str | None, Field(min_length=1, max_length=120, pattern=r"^[a-z0-9-]+$")]
