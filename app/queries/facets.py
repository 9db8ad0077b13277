"""Facet counts (Datasette-style): how many records of the filtered set have each value of a
field, most frequent first."""

from typing import Any

from sqlalchemy import Select, func
from sqlmodel import col

from app.models import Citation
from app.queries.ordering import as_on_sqlite

# Every list may also be counted by the sources its records cite.
SOURCE = "source"


def facet_statement(
    statement: Select[Any],
    name: str,
    offered: dict[str, Any],
    record_type: str,
    id_column: Any,
    cited: bool = True,
) -> Select[Any]:
    """The (value, count) rows of field `name` (checked by the list query's model) over the
    rows of `statement`, most frequent first, then by value."""
    if name == SOURCE and cited:
        counted = func.count(func.distinct(id_column))
        grouped: Any = (
            statement.with_only_columns(
                col(Citation.source_id), counted, maintain_column_froms=True
            )
            .join(
                Citation,
                (col(Citation.record_type) == record_type) & (col(Citation.record_id) == id_column),
            )
            .group_by(col(Citation.source_id))
        )
    else:
        expression = offered[name]
        counted = func.count()
        grouped = statement.with_only_columns(
            expression, counted, maintain_column_froms=True
        ).group_by(expression)
    return grouped.order_by(counted.desc(), as_on_sqlite(grouped.selected_columns[0]))
