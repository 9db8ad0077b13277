"""Statements compiled once per query shape and run on the DB-API cursor.

A list's SQL text depends only on its query's *shape*: which filters are present, the sort,
the facets, the format, how many values a repeated filter has, the value of a boolean
filter. Values enter only as bind parameters. So the statement of a shape is built (with
SQLAlchemy, from the same query code for every shape) and compiled once, with a
`Placeholder` bind in place of each value, and every later request of that shape runs the
compiled text with its own values on the DB-API cursor: no statement is built, no cache
key computed and no ORM result made per request (issue 9, "compile once, serve bytes").
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Integer, String
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import Session

M = TypeVar("M", bound=BaseModel)


class Placeholder(BindParameter[Any]):
    """A bind parameter standing for one query value while a shape's statement is built.

    It is truthy, as the value it stands for is (a falsy value never gets a placeholder:
    absent, false and empty values are part of the shape), so query code written for
    values (`if query.place: ...`) builds the same statement around it.
    """

    inherit_cache = True

    def __init__(self, key: str, type_: Any = None) -> None:
        super().__init__(key, None, type_=type_, unique=False)

    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class Statement:
    """One compiled statement: its SQL text, the names of its bind parameters in the order
    the driver takes them (None for a named paramstyle), the values fixed at build time,
    and the type conversions of its binds and its result columns."""

    sql: str
    positions: tuple[str, ...] | None
    fixed: Mapping[str, Any]
    binds: Mapping[str, Callable[[Any], Any]]
    results: tuple[Callable[[Any], Any] | None, ...]
    names: frozenset[str] = frozenset()  # every bind parameter's name

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver's parameters for `values` (by placeholder name)."""
        merged = {**self.fixed, **values}
        for name, process in self.binds.items():
            if name in merged:
                merged[name] = process(merged[name])
        if self.positions is None:
            return merged
        return [merged[name] for name in self.positions]

    def convert(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """A result row with each column converted as SQLAlchemy would (e.g. 0/1 to a bool)."""
        return tuple(
            value if process is None or value is None else process(value)
            for process, value in zip(self.results, row, strict=False)
        )


def compile_statement(statement: ClauseElement, dialect: Dialect) -> Statement:
    """Compile `statement` for `dialect`, once."""
    compiled: Any = statement.compile(dialect=dialect)  # an SQLCompiler: it has .binds
    positions = getattr(compiled, "positiontup", None)
    escaped = getattr(compiled, "escaped_bind_names", None) or {}
    fixed: dict[str, Any] = {}
    binds: dict[str, Callable[[Any], Any]] = {}
    names = set()
    for compiled_name, bind in compiled.binds.items():
        name = escaped.get(compiled_name, compiled_name)
        names.add(name)
        if not isinstance(bind, Placeholder) and bind.value is not None:
            fixed[name] = bind.effective_value
        process = bind.type._cached_bind_processor(dialect)
        if process is not None:
            binds[name] = process
    results = tuple(
        _result_processor(column.type, dialect)
        for column in getattr(statement, "selected_columns", ())
    )
    return Statement(
        compiled.string,
        tuple(positions) if positions is not None else None,
        fixed,
        binds,
        results,
        frozenset(names),
    )


def _result_processor(type_: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    """How SQLAlchemy would convert a result column of `type_`, before any row is read."""
    try:
        return type_._cached_result_processor(dialect, None)
    except (TypeError, InvalidRequestError):
        # PostgreSQL's numeric types choose by the column's type code, known only from a
        # result; the models' floats are double precision, which psycopg returns as float.
        return None


@dataclass
class Reader:
    """A DB-API connection and its dialect, which compiled statements run on.

    `info` is the pool's record of the connection: where the engine keeps the statement
    time limit (app/db.py), restarted here before each statement as the engine's own
    `before_cursor_execute` hook does for SQLAlchemy's executions.
    """

    connection: Any
    dialect: Dialect
    info: dict[str, Any]

    @classmethod
    def of(cls, source: "Readable") -> "Reader":
        """The reader of a session's (or SQLAlchemy connection's) DB-API connection."""
        if isinstance(source, Reader):
            return source
        connection = source.connection() if isinstance(source, Session) else source
        return cls(connection.connection, connection.dialect, connection.connection.info)

    def _cursor(self, statement: Statement, values: Mapping[str, Any]) -> Any:
        deadline = self.info.get("deadline")
        if deadline is not None:
            deadline[0] = time.monotonic() + self.info["time_limit"]
        parameters = statement.parameters(values)
        cursor = self.connection.cursor()
        try:
            cursor.execute(statement.sql, parameters)
        except self.dialect.loaded_dbapi.Error as error:
            cursor.close()
            # The same exception SQLAlchemy raises for it, so one handler words it (503).
            raise DBAPIError.instance(
                statement.sql, parameters, error, self.dialect.loaded_dbapi.Error
            ) from error
        return cursor

    def rows(self, statement: Statement, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of `statement` with `values`, converted."""
        cursor = self._cursor(statement, values)
        try:
            found = cursor.fetchall()
        finally:
            cursor.close()
        if any(statement.results):
            return [statement.convert(row) for row in found]
        return [tuple(row) for row in found]

    def batches(
        self, statement: Statement, values: Mapping[str, Any], size: int
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of `statement`, `size` at a time, read as they are consumed."""
        cursor = self._cursor(statement, values)
        try:
            while found := cursor.fetchmany(size):
                yield [statement.convert(row) for row in found]
        finally:
            cursor.close()

    def scalar(self, statement: Statement, values: Mapping[str, Any]) -> Any:
        """The first column of the first row, or None."""
        found = self.rows(statement, values)
        return found[0][0] if found else None

    def dataset_rows(
        self, statement: Statement, values: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """`rows` of a statement whose answer depends on nothing but the dataset and its own
        values, such as a list's total or facet counts (the same for every page of a
        filter): run once per dataset and values, then kept (`DatasetMemo`)."""
        memo: DatasetMemo | None = self.info.get(DatasetMemo.INFO_KEY)
        if memo is None:
            return self.rows(statement, values)
        parameters = statement.parameters(values)
        if isinstance(parameters, dict):  # a named paramstyle gets every value: keep its own
            bound = tuple(sorted((k, v) for k, v in parameters.items() if k in statement.names))
        else:
            bound = tuple(parameters)
        # PostgreSQL: the dataset schema this transaction reads (app/db.py); SQLite: an
        # engine, and so its memo, serves one file, and a rebuild is a new file.
        key = (self.info.get("dataset_key"), statement.sql, bound)
        return memo.get(key, lambda: self.rows(statement, values))


class StatementCache:
    """Entries made once by key (compiled statements by shape), least recently used first
    out, safe to share between threads (a bounded number of shapes: parameter names are
    fixed and repeated values are capped by the query length)."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self.entries: OrderedDict[Any, Any] = OrderedDict()
        # Routes run in worker threads: an eviction between another thread's lookup and its
        # move_to_end would be a KeyError.
        self.lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        """The entry for `key`, made by `make()` the first time (outside the lock: two threads
        may both make it the first time, to the same entry)."""
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
                return found
        found = make()
        with self.lock:
            self.entries[key] = found
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return found


class DatasetMemo(StatementCache):
    """Answers of statements that depend only on the dataset, by dataset, statement and
    values, kept for every connection of one engine (bounded, least recently used out, safe
    to share between threads, as a StatementCache).

    The dataset changes only at build time, so a filter's total and facet counts are the
    same for every page a client reads through; counting them is the part of a page whose
    cost grows with the matching rows.
    """

    INFO_KEY = "dataset_memo"  # where an engine's connections carry it (app/db.py)

    def __init__(self, size: int = 1024) -> None:
        super().__init__(size)


# What a compiled statement can run on: a session, a SQLAlchemy connection or a Reader.
Readable = Session | Connection | Reader


def bind_type(value: Any) -> Any:
    """The SQL type of a placeholder standing for `value`."""
    return Integer() if isinstance(value, int) else String()


def plain(value: Any) -> Any:
    """A value as the driver takes it (an enum member as its value)."""
    return value.value if isinstance(value, Enum) else value


# Parameters that shape the statement whatever their value: they are never placeholders.
STRUCTURAL = frozenset({"sort", "facet", "format"})
# Paging parameters: the list binds them itself (app/queries/listing.py).
PAGING = frozenset({"limit", "offset", "after"})


def shaped(query: M) -> tuple[tuple[Any, ...], M, dict[str, Any]]:
    """The shape of `query`, a copy of it with a placeholder for each value, and the values.

    A value is a placeholder named after its field (`sector`), or for a list one per item
    (`sector_0`, `sector_1`). Absent and falsy values, booleans and the parameters in
    STRUCTURAL are part of the shape itself; PAGING is left to the list.
    """
    shape: list[Any] = []
    update: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for name in type(query).model_fields:
        if name in PAGING:
            continue
        value = getattr(query, name)
        if name in STRUCTURAL or isinstance(value, bool) or not value:
            shape.append((name, value if not isinstance(value, list) else tuple(value)))
        elif isinstance(value, list):
            shape.append((name, len(value)))
            holders = []
            for index, item in enumerate(value):
                key = f"{name}_{index}"
                holders.append(Placeholder(key, bind_type(item)))
                values[key] = plain(item)
            update[name] = holders
        else:
            shape.append((name, type(value).__name__))
            update[name] = Placeholder(name, bind_type(value))
            values[name] = plain(value)
    return tuple(shape), query.model_copy(update=update), values
