"""Facet counts (Datasette-style): how many records of the filtered set have each value of a
field, most frequent first."""

from typing import Any

from sqlalchemy import Select, func
from sqlmodel import Session, col

from app.models import Citation

# Every list may also be counted by the sources its records cite.
SOURCE = "source"


def facet_counts(
    session: Session,
    statement: Select[Any],
    names: list[str],
    offered: dict[str, Any],
    record_type: str,
    id_column: Any,
    cited: bool = True,
) -> dict[str, list[tuple[Any, int]]]:
    """Counts per value of each field in `names` (checked by the list query's model) over
    the rows of `statement`."""
    result: dict[str, list[tuple[Any, int]]] = {}
    for name in names:
        if name == SOURCE and cited:
            counted = func.count(func.distinct(id_column))
            grouped = (
                statement.with_only_columns(
                    col(Citation.source_id), counted, maintain_column_froms=True
                )
                .join(
                    Citation,
                    (col(Citation.record_type) == record_type)
                    & (col(Citation.record_id) == id_column),
                )
                .group_by(col(Citation.source_id))
            )
        else:
            expression = offered[name]
            counted = func.count()
            grouped = statement.with_only_columns(
                expression, counted, maintain_column_froms=True
            ).group_by(expression)
        rows = session.execute(grouped.order_by(counted.desc(), grouped.selected_columns[0]))
        result[name] = [(row[0], int(row[1])) for row in rows]
    return result
