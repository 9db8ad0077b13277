"""Keyset cursors (Stripe's `starting_after`): `after` names a record by its id, and the page
continues after that record in the requested order (sort keys, nulls last, then id)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, or_

from app.queries.ordering import sort_key

# A sort key of a keyset page: (column, descending).
Key = tuple[Any, bool]


def after(keys: Sequence[Key], values: Sequence[Any], id_column: Any, record_id: Any) -> Any:
    """Rows after the record `record_id`, whose key values are `values` (values, or bind
    parameters standing for them; None for a null), in (keys..., id) order with nulls
    last: the rows that differ from it first on a key where they come later, or equal it
    on every key and have a greater id."""
    later: list[Any] = []
    equal: list[Any] = []
    id_column = sort_key(id_column)  # text compared by code point, as in the order
    for (key, descending), value in zip(keys, values, strict=True):
        column = sort_key(key)
        if value is None:
            equal.append(column.is_(None))  # nulls come last: only other nulls follow
            continue
        beyond = or_(column < value if descending else column > value, column.is_(None))
        later.append(and_(*equal, beyond))
        equal.append(column == value)
    later.append(and_(*equal, id_column > record_id))
    return or_(*later)
