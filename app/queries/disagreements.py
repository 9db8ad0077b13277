"""Queries on disagreements: the figures that sources state differently for one fact."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.registry import COLLECTIONS


def disagreeing_figures(session: Session) -> list[Any]:
    """Every stated figure (of each collection whose figures may be disputed) that belongs to
    a disagreement, ordered by the disagreement's key, then id."""
    rows: list[Any] = []
    for collection in COLLECTIONS:
        if collection.disputable:
            column = collection.table.disagreement_id  # type: ignore[attr-defined]
            rows += session.scalars(select(collection.table).where(column.is_not(None))).unique()
    return sorted(rows, key=lambda row: (row.disagreement_id or "", row.id))
