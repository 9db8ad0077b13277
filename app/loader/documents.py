"""Compile every record's served representations once, at build time."""

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.models import RecordDocument
from app.registry import COLLECTIONS, Collection
from app.representations import public_of, render


def documents_of(collection: Collection, rows: Iterable[Any]) -> Iterator[RecordDocument]:
    """The RecordDocument of each table row of `collection`, rendered through its Public
    model."""
    for row in rows:
        rendered = render(collection, public_of(collection, row))
        yield RecordDocument(
            record_type=collection.record_type,
            record_id=row.id,
            json_text=rendered.json,
            csv_line=rendered.csv,
            feature=rendered.feature,
        )


def document_rows(session: Session) -> Iterator[RecordDocument]:
    """A RecordDocument per record of every collection, rendered from the rows just loaded
    (read back from the database, as a request would have read them)."""
    session.expire_all()
    for collection in COLLECTIONS:
        yield from documents_of(collection, session.scalars(select(collection.table)).unique())
