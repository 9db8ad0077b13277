"""How lists order text and empty values, the same on every engine.

SQLite compares text by code point (BINARY) and puts NULLs first in ascending order;
PostgreSQL compares by the database's collation and puts NULLs last. Every ORDER BY and keyset
comparison goes through `sort_key` (text by code point: COLLATE "C" on PostgreSQL) and
`nulls_last`, so both engines give the same pages.
"""

from typing import Any

from sqlalchemy import JSON, ColumnElement, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator


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


def nulls_last(clause: Any) -> Any:
    """An ORDER BY clause with NULLs last, whatever the engine's default (SQLite puts them
    first in ascending order, PostgreSQL last)."""
    if isinstance(clause, UnaryExpression) and clause.modifier in (
        operators.desc_op,
        operators.asc_op,
    ):
        return sort_key(clause).nulls_last()
    return sort_key(clause).asc().nulls_last()
