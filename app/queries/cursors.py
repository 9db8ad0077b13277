"""Keyset cursors (Stripe's `starting_after`): `after` names a record by its id, and the page
continues after that record in the requested order (sort keys, then id): a `sort` field's
nulls last; without `sort`, the list's default order, with nulls where SQLite puts them
(first when ascending, last when descending)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, or_

from app.queries.ordering import sort_key

# A sort key of a keyset page: (column, descending, nulls first).
Key = tuple[Any, bool, bool]


def after(keys: Sequence[Key], values: Sequence[Any], id_column: Any, record_id: Any) -> Any:
    """Rows after the record `record_id`, whose key values are `values` (values, or bind
    parameters standing for them; None for a null), in (keys..., id) order with nulls
    last: the rows that differ from it first on a key where they come later, or equal it
    on every key and have a greater id."""
    later: list[Any] = []
    equal: list[Any] = []
    id_column = sort_key(id_column)  # text compared by code point, as in the order
    for (key, descending, nulls_first), value in zip(keys, values, strict=True):
        column = sort_key(key)
        if nulls_first:  # ascending, nulls before every value
            if value is None:
                later.append(and_(*equal, column.is_not(None)))
                equal.append(column.is_(None))
            else:
                later.append(and_(*equal, column > value))
                equal.append(column == value)
            continue
        if value is None:
            equal.append(column.is_(None))  # nulls come last: only other nulls follow
            continue
        beyond = or_(column < value if descending else column > value, column.is_(None))
        later.append(and_(*equal, beyond))
        equal.append(column == value)
    later.append(and_(*equal, id_column > record_id))
    return or_(*later)
