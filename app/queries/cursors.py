"""Keyset cursors (Stripe-style `after`): an opaque token naming the last row of a page by
its sort value and id, and the clause that continues after it."""

import base64
import json
from typing import Any

from sqlalchemy import and_, or_

from app.queries.errors import BadCursor

NOT_ISSUED = "after is not a cursor this API issued"


def encode_cursor(value: Any, record_id: str) -> str:
    """An opaque cursor naming a row by its sort value and id."""
    raw = json.dumps([value, record_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    """The sort value and id a cursor names; a malformed cursor is BadCursor."""
    try:
        value, record_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        raise BadCursor(NOT_ISSUED) from None
    if not isinstance(record_id, str) or not isinstance(value, (str, int, float, bool, type(None))):
        raise BadCursor(NOT_ISSUED)
    return value, record_id


def sort_field(sort: str | None, allowed: dict[str, Any], id_column: Any) -> tuple[Any, bool]:
    """The single (column, descending) a keyset page is ordered by: the id by default."""
    fields = [part.strip() for part in (sort or "").split(",") if part.strip()]
    if len(fields) > 1:
        raise BadCursor("after works with at most one sort field")
    if not fields:
        return id_column, False
    name = fields[0].removeprefix("-")
    return allowed[name], fields[0].startswith("-")


def after(column: Any, descending: bool, id_column: Any, cursor: tuple[Any, Any]) -> Any:
    """Rows after the decoded cursor (its values, or bind parameters standing for them) in
    (column nulls last, id) order."""
    value, record_id = cursor
    if column is id_column:
        return id_column < record_id if descending else id_column > record_id
    same = and_(column == value, id_column > record_id)
    if value is None:
        return and_(column.is_(None), id_column > record_id)
    beyond = column < value if descending else column > value
    return or_(beyond, same, column.is_(None))
