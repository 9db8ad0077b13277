"""The rows of a checked dataset in the order they can be inserted."""

from collections.abc import Iterator

from sqlmodel import SQLModel

from app import models as m
from app.loader.check import Dataset, Entry
from app.registry import BY_KEY, COLLECTIONS, load_order

# The tables of the collections' own records (the rest are their children and links).
RECORD_TABLES = tuple(collection.table for collection in COLLECTIONS)


def dataset_batches(dataset: Dataset) -> Iterator[list[SQLModel]]:
    """The rows of the dataset, one batch per collection, referenced collections first,
    then the citations."""
    for collection in load_order():
        entries = dataset.entries.get(collection.key, [])
        if collection.parent_field:
            entries = _parents_first(entries, collection.parent_field)
        rows = [row for entry in entries for row in collection.to_rows(collection, entry, dataset)]
        # Children and link rows after the records they hang from, within the batch.
        yield sorted(rows, key=lambda row: not isinstance(row, RECORD_TABLES))
    yield [
        m.Citation(
            record_type=BY_KEY[key].record_type,
            record_id=record_id,
            position=position,
            source_id=citation.source_id,
            excerpt=citation.excerpt,
            start=citation.start,
            end=citation.end,
        )
        for (key, record_id), citations in dataset.citations.items()
        for position, citation in enumerate(citations)
    ]


def _parents_first(entries: list[Entry], parent_field: str) -> list[Entry]:
    """Entries ordered so that each comes after the entry its `parent_field` names."""
    by_id = {entry.model.id: entry for entry in entries}
    ordered: dict[str, Entry] = {}

    def visit(entry: Entry, seen: frozenset[str]) -> None:
        parent = by_id.get(getattr(entry.model, parent_field) or "")
        if parent is not None and parent.model.id not in seen:
            visit(parent, seen | {entry.model.id})
        ordered.setdefault(entry.model.id, entry)

    for entry in entries:
        visit(entry, frozenset())
    return list(ordered.values())
