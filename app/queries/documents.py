"""The stored representations of records (RecordDocument): which text serves which format,
one record's text by id, and a page's texts by id, each read by a statement compiled once."""

from typing import Any

from sqlalchemy import String, select
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


def _one(dialect: Any, fmt: str) -> Statement:
    return _COMPILED.get(
        (dialect.name, fmt),
        lambda: compile_statement(
            select(text_of(fmt)).where(
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
            select(col(RecordDocument.record_id), text_of(fmt)).where(
                col(RecordDocument.record_type) == _RECORD_TYPE,
                col(RecordDocument.record_id).in_(
                    [Placeholder(f"id_{index}", String()) for index in range(count)]
                ),
            ),
            dialect,
        ),
    )


def document(source: Readable, record_type: str, record_id: str, fmt: str) -> str | None:
    """One record's stored representation in format `fmt`, or None if there is no record."""
    reader = Reader.of(source)
    value: str | None = reader.scalar(
        _one(reader.dialect, fmt), {"record_type": record_type, "record_id": record_id}
    )
    return value


def texts_by_id(reader: Reader, record_type: str, fmt: str, ids: list[str]) -> dict[str, str]:
    """The stored texts in format `fmt` of the records of `record_type` with these ids."""
    values = {f"id_{index}": record_id for index, record_id in enumerate(ids)}
    values["record_type"] = record_type
    return dict(reader.rows(_many(reader.dialect, fmt, len(ids)), values))
