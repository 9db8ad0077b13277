"""Records of any cited collection: a short human label for each."""

from sqlalchemy import select
from sqlmodel import Session

from app.registry import CITED


def labels(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """A short human label for each (record_type, record_id): its collection's label field."""
    wanted: dict[str, set[str]] = {}
    for record_type, record_id in keys:
        wanted.setdefault(record_type, set()).add(record_id)
    found: dict[tuple[str, str], str] = {}
    for record_type, ids in wanted.items():
        collection = CITED[record_type]
        table = collection.table
        id_column = table.id  # type: ignore[attr-defined]
        label = getattr(table, collection.label or "id")
        for row in session.execute(select(id_column, label).where(id_column.in_(ids))):
            found[(record_type, row[0])] = str(row[1] or row[0])
    return found
