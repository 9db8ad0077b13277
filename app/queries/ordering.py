"""Orders as SQLite gives them, on PostgreSQL too.

SQLite compares text by code point (BINARY) and takes NULL as the smallest value: first in
an ascending order, last in a descending one, unless a clause says NULLS FIRST or LAST.
PostgreSQL compares text by the database's collation and takes NULL as the largest value.
The answers SQLite gives are the reference, so on SQLite these helpers change nothing (not
a byte of SQL), and on PostgreSQL they spell SQLite's behaviour out: `sort_key` compares text
by code point (COLLATE "C"), `as_on_sqlite` places NULLs where SQLite would.
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


class SQLiteOrder(ColumnElement[Any]):
    """An ORDER BY clause (a column, `.asc()`, `.desc()`, with or without NULLS FIRST/LAST)
    that PostgreSQL sorts as SQLite does; on SQLite, the clause itself."""

    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy reads it from the class)
        ("clause", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, clause: Any) -> None:
        if hasattr(clause, "__clause_element__"):
            clause = clause.__clause_element__()
        self.clause = clause
        self.type = clause.type


@compiles(SQLiteOrder)
def _sqlite_order(element: SQLiteOrder, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clause, **kw))


@compiles(SQLiteOrder, "postgresql")
def _sqlite_order_postgresql(element: SQLiteOrder, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(_spelled_out(element.clause), **kw))


def _spelled_out(clause: Any) -> Any:
    """`clause` with SQLite's text comparison and NULL placement made explicit."""
    if isinstance(clause, UnaryExpression):
        if clause.modifier in (operators.nulls_first_op, operators.nulls_last_op):
            ordered = sort_key(clause.element)  # the NULLs are placed already
            if clause.modifier is operators.nulls_first_op:
                return ordered.nulls_first()
            return ordered.nulls_last()
        if clause.modifier is operators.desc_op:
            return sort_key(clause.element).desc().nulls_last()
        if clause.modifier is operators.asc_op:
            return sort_key(clause.element).asc().nulls_first()
    return sort_key(clause).asc().nulls_first()


def as_on_sqlite(clause: Any) -> Any:
    """An ORDER BY clause that every engine sorts as SQLite does (SQL unchanged on SQLite)."""
    return SQLiteOrder(clause)
