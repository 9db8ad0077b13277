"""The stored representations of records (RecordDocument): which text serves which format,
and one record's text by id."""

from typing import Any

from sqlalchemy import select
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
