"""The stored representations of records (RecordDocument): which text serves which format,
and one record's text by id."""

from functools import cache
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session, col

from app.models import RecordDocument

# Negotiated format -> the stored text that answers it.
TEXTS: dict[str, Any] = {
    "json": col(RecordDocument.json_text),
    "csv": col(RecordDocument.csv_line),
    "geojson": col(RecordDocument.feature),
}


def text_of(fmt: str | None) -> Any:
    """The column holding a record's representation in format `fmt` (JSON by default)."""
    return TEXTS[fmt or "json"]


@cache
def joined_on(record_type: str, id_column: Any) -> Any:
    """The join condition from a collection's table to its records' documents (built once
    per collection: statements are immutable)."""
    return and_(
        col(RecordDocument.record_type) == record_type,
        col(RecordDocument.record_id) == id_column,
    )


def document(session: Session, record_type: str, record_id: str, fmt: str) -> str | None:
    """One record's stored representation in format `fmt`, or None if there is no record."""
    found = (
        session.connection()
        .execute(
            select(text_of(fmt)).where(
                col(RecordDocument.record_type) == record_type,
                col(RecordDocument.record_id) == record_id,
            )
        )
        .first()
    )
    return None if found is None else found[0]
