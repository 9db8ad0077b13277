"""Facet counts (Datasette-style): how many records of the filtered set have each value of a
field, most frequent first."""

from typing import Any

from sqlalchemy import Select, func
from sqlmodel import col

from app.models import Citation
from app.queries.errors import UnknownField

# Every list may also be counted by the sources its records cite.
SOURCE = "source"


def facet_names(facet: str, offered: dict[str, Any], cited: bool = True) -> list[str]:
    """The fields a `facet` value asks for (`source` too, for records citing sources); one
    the list does not offer is UnknownField."""
    allowed = sorted([*offered, *([SOURCE] if cited else [])])
    names = [raw.strip() for raw in facet.split(",")]
    for name in names:
        if name not in allowed:
            raise UnknownField("facet", name, allowed)
    return names


def facet_statement(
    statement: Select[Any],
    name: str,
    offered: dict[str, Any],
    record_type: str,
    id_column: Any,
    cited: bool = True,
) -> Select[Any]:
    """The (value, count) rows of field `name` over the rows of `statement`, most frequent
    first, then by value."""
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
    return grouped.order_by(counted.desc(), grouped.selected_columns[0])
