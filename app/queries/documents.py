"""The stored representations of records (RecordDocument): which text serves which format,
one record's text by id, and a page's texts by id, each read by a statement compiled once."""

from typing import Any

from sqlalchemy import LargeBinary, String, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col

from app.models import RecordDocument
from app.queries.compiled import (
    Placeholder,
    Readable,
    Reader,
    Statement,
    StatementCache,
    compile_statement,
)

# Negotiated format -> the stored text that answers it.
TEXTS: dict[str, Any] = {
    "json": col(RecordDocument.json_text),
    "csv": col(RecordDocument.csv_line),
    "geojson": col(RecordDocument.feature),
}
_COMPILED = StatementCache()
_RECORD_TYPE = Placeholder("record_type", String())


def text_of(fmt: str | None) -> Any:
    """The column holding a record's representation in format `fmt` (JSON by default)."""
    return TEXTS[fmt or "json"]


class Utf8Bytes(FunctionElement[bytes]):
    """A text column's value as its UTF-8 bytes (SQLite `CAST(x AS BLOB)`, PostgreSQL
    `convert_to(x, 'UTF8')`; not a cast to bytea, which would read backslashes as escapes)."""

    type = LargeBinary()
    name = "utf8_bytes"
    inherit_cache = True


@compiles(Utf8Bytes)
def _utf8_bytes_sqlite(element: Utf8Bytes, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS BLOB)"


@compiles(Utf8Bytes, "postgresql")
def _utf8_bytes_postgres(element: Utf8Bytes, compiler: SQLCompiler, **kw: Any) -> str:
    return f"convert_to({compiler.process(element.clauses, **kw)}, 'UTF8')"


def _served(fmt: str) -> Any:
    """What a statement selects to serve format `fmt`: JSON documents as their UTF-8 bytes,
    which become a response body by joining, never decoded and encoded again (a page of
    them is most of the body); CSV lines and GeoJSON Features as text, which the CSV and
    GeoJSON writers join with text of their own."""
    return Utf8Bytes(text_of(fmt)) if fmt == "json" else text_of(fmt)


def _one(dialect: Any, fmt: str) -> Statement:
    return _COMPILED.get(
        (dialect.name, fmt),
        lambda: compile_statement(
            select(_served(fmt)).where(
                col(RecordDocument.record_type) == _RECORD_TYPE,
                col(RecordDocument.record_id) == Placeholder("record_id", String()),
            ),
            dialect,
        ),
    )


def _many(dialect: Any, fmt: str, count: int) -> Statement:
    return _COMPILED.get(
        (dialect.name, fmt, count),
        lambda: compile_statement(
            select(col(RecordDocument.record_id), _served(fmt)).where(
                col(RecordDocument.record_type) == _RECORD_TYPE,
                col(RecordDocument.record_id).in_(
                    [Placeholder(f"id_{index}", String()) for index in range(count)]
                ),
            ),
            dialect,
        ),
    )


def document(source: Readable, record_type: str, record_id: str, fmt: str) -> str | bytes | None:
    """One record's stored representation in format `fmt` (JSON as UTF-8 bytes, the others
    as text), or None if there is no record."""
    reader = Reader.of(source)
    value: str | bytes | None = reader.scalar(
        _one(reader.dialect, fmt), {"record_type": record_type, "record_id": record_id}
    )
    return value


def texts_by_id(
    reader: Reader, record_type: str, fmt: str, ids: list[str]
) -> dict[str, str | bytes]:
    """The stored texts in format `fmt` of the records of `record_type` with these ids (JSON
    as UTF-8 bytes, the others as text)."""
    values = {f"id_{index}": record_id for index, record_id in enumerate(ids)}
    values["record_type"] = record_type
    return dict(reader.rows(_many(reader.dialect, fmt, len(ids)), values))
