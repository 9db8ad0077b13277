"""What every list query shares: paging, sorting, text match, source and year filters."""

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import ColumnElement, Select, String, cast, exists, func, or_, select
from sqlmodel import Session

from app.config import get_settings
from app.errors import InvalidParameter
from app.models import Citation

T = TypeVar("T")

MAX_TEXT = 200


class ListQuery(BaseModel):
    """Paging and sorting, accepted by every list; unknown parameters are rejected."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, description="Page size (at most 500 by default).")
    offset: int = Field(default=0, ge=0, le=10_000_000, description="Records to skip.")
    sort: str | None = Field(
        default=None, max_length=MAX_TEXT,
        description="Comma-separated fields to sort by; prefix a field with '-' for "
        "descending order. The allowed fields are listed per endpoint.",
    )

    @field_validator("limit")
    @classmethod
    def _cap_limit(cls, value: int) -> int:
        cap = get_settings().max_limit
        if value > cap:
            raise ValueError(f"must be at most {cap}")
        return value


def order_by(sort: str | None, allowed: dict[str, Any], default: Sequence[Any],
             tiebreak: Any) -> list[Any]:
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
                errors=[{"loc": ["query", "sort"], "msg": f"unknown sort field {name!r}",
                         "type": "enum"}],
            )
        column = allowed[name]
        clauses.append(column.desc().nulls_last() if descending else column.asc().nulls_last())
    return [*clauses, tiebreak]


def fetch_page(session: Session, statement: Select[Any], order: list[Any], query: ListQuery
               ) -> tuple[list[Any], int]:
    """One page of `statement` and the total number of matching rows."""
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(statement.order_by(*order).limit(query.limit).offset(query.offset))
    return list(rows.unique().all()), total


def contains(text: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive substring match of `text` in any of `columns`."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    # JSON columns (aliases) are matched on their serialized text.
    return or_(*(cast(column, String).ilike(f"%{escaped}%", escape="\\") for column in columns))


def cited_in(record_type: str, id_column: Any, source_id: str) -> ColumnElement[bool]:
    """The record cites `source_id`."""
    return exists(
        select(Citation.id).where(
            Citation.record_type == record_type,
            Citation.record_id == id_column,
            Citation.source_id == source_id,
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


def period_overlaps(start: Any, end: Any, year_from: int | None, year_to: int | None
                    ) -> list[Any]:
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
