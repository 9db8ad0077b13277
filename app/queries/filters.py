"""SQL conditions the lists share: text match (JSON list elements included), citing a
source, partial-date years and period overlap."""

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    String,
    and_,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import col

from app.models import Citation


def year_of(column: Any) -> Any:
    """The year of a partial ISO date column, for facets."""
    return func.substr(column, 1, 4)


class _PatternMatch(ColumnElement[bool]):
    """A column matched by a LIKE pattern: the two clauses SQLAlchemy traverses and caches
    by (each engine's SQL is compiled per subclass)."""

    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy reads it from the class)
        ("column", InternalTraversal.dp_clauseelement),
        ("pattern", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: Any, pattern: Any) -> None:
        self.column = column
        self.pattern = pattern


class JSONElementLike(_PatternMatch):
    """Some element of a JSON array of strings matches a LIKE pattern, case-insensitively.

    The elements are matched one by one, never the serialized JSON, so `[`, `"` or `,` in a
    query are characters of a name, not JSON syntax.
    """

    inherit_cache = True
    type = Boolean()


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
        f"WHERE {_ascii_lower('element')} LIKE {_ascii_lower(pattern)} ESCAPE '\\')"
    )


# SQLite's lower() and LIKE fold ASCII letters only; PostgreSQL's lower() and ILIKE fold
# every script's (and map e.g. the Kelvin sign to `k`). Folding ASCII alone on PostgreSQL
# too keeps the two engines' matches the same.
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _ascii_lower(sql: str) -> str:
    return f"translate({sql}, '{_UPPER}', '{_UPPER.lower()}')"


class CaseInsensitiveLike(_PatternMatch):
    """`column` matches a LIKE pattern (escape `\\`), ASCII letters in any case, as SQLite
    matches it (there: SQLAlchemy's `ilike`, `lower(column) LIKE lower(pattern)`)."""

    inherit_cache = True
    # No Boolean type of its own: SQLite would write such an element `... = 1`, and its SQL
    # is to stay exactly `ilike`'s.


@compiles(CaseInsensitiveLike)
def _case_insensitive_like(element: CaseInsensitiveLike, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column.ilike(element.pattern, escape="\\"), **kw))


@compiles(CaseInsensitiveLike, "postgresql")
def _case_insensitive_like_postgresql(
    element: CaseInsensitiveLike, compiler: Any, **kw: Any
) -> str:
    column = compiler.process(element.column, **kw)
    pattern = compiler.process(element.pattern, **kw)
    return f"{_ascii_lower(column)} LIKE {_ascii_lower(pattern)} ESCAPE '\\'"


def contains(text: Any, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive substring match of `text` (a string or a bind parameter) in any of
    `columns` (in any element of a JSON list column, such as aliases).

    The LIKE pattern is made in SQL (`%` + text with its wildcards escaped + `%`), so a
    compiled statement takes the text itself as its parameter.
    """
    escaped = literal(text, String()) if isinstance(text, str) else text
    for char in ("\\", "%", "_"):
        escaped = func.replace(escaped, char, "\\" + char, type_=String())
    pattern = literal("%", String()) + escaped + literal("%", String())
    return or_(
        *(
            JSONElementLike(column, pattern)
            if isinstance(column.type, JSON)
            else CaseInsensitiveLike(column, pattern)
            for column in columns
        )
    )


def cited_in(record_type: Any, id_column: Any, source_ids: list[str]) -> ColumnElement[bool]:
    """The record cites one of `source_ids`; `record_type` is the type of its citations, or
    an expression giving it per row."""
    # An alias of its own, so that a query also joining citation (the `source` facet) does
    # not correlate this subquery's table away (SQLAlchemy: "returned no FROM clauses").
    cited = aliased(Citation)
    return exists(
        select(col(cited.id)).where(
            col(cited.record_type) == record_type,
            col(cited.record_id) == id_column,
            col(cited.source_id).in_(source_ids),
        )
    )


def period_overlaps(start: Any, end: Any, year_from: Any, year_to: Any) -> list[Any]:
    """Clauses keeping periods (or a partial date's full-date interval) that overlap the
    years (four-digit ints or bind parameters), inclusive; an open end is taken as the
    other end. The ISO dates compare as text with the year written in SQL."""
    clauses = []
    if year_from is not None:
        clauses.append(func.coalesce(end, start) >= cast(year_from, String()))
    if year_to is not None:
        clauses.append(func.coalesce(start, end) < cast(year_to + 1, String()))
    return clauses


def basis_in(bases: tuple[tuple[Any, Any], ...], allowed: list[str]) -> ColumnElement[bool]:
    """Records that have a date and whose every date has one of the `allowed` bases."""
    return and_(
        or_(*(date.is_not(None) for _, date in bases)),
        *(or_(date.is_(None), basis.in_(allowed)) for basis, date in bases),
    )
