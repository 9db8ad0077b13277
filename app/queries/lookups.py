"""Fetch one record by id, for any collection."""

from typing import TypeVar

from sqlmodel import Session, SQLModel

T = TypeVar("T", bound=SQLModel)


def by_id(session: Session, table: type[T], record_id: str) -> T | None:
    """One record of `table` by id, or None."""
    return session.get(table, record_id)
