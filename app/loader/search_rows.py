"""Rows of the full-text index: one per record, one per paragraph of each source text."""

import re
from collections.abc import Iterator
from typing import Any

from app.loader.check import Dataset
from app.registry import BY_KEY, COLLECTIONS

# The field that labels a record in search hits, per collection key (records only: the
# sources are searched paragraph by paragraph of their texts).
LABEL_FIELDS = {c.key: c.label for c in COLLECTIONS if c.cited and c.label}
# Fields that are codes or vocabulary terms, not prose worth searching.
SKIPPED = {"id", "pair", "notes", "qualifier", "unit", "kind", "fact_key"}

PARAGRAPH = re.compile(r"[^\n]+")


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)


def search_rows(dataset: Dataset) -> Iterator[dict[str, Any]]:
    """Index rows: collection path, record id, label, body and (for passages) offsets."""
    for key, field in LABEL_FIELDS.items():
        path = BY_KEY[key].path
        for entry in dataset.entries.get(key, []):
            data = entry.model.model_dump(exclude={"citations"})
            body = [
                text
                for key, value in data.items()
                if key not in SKIPPED and not key.endswith("_precision")
                for text in _texts(value)
            ]
            body += [c.excerpt for c in dataset.citations.get((key, entry.model.id), [])]
            yield {
                "collection": path,
                "record_id": entry.model.id,
                "label": str(data.get(field) or entry.model.id),
                "body": "\n".join(body),
                "start": None,
                "end": None,
            }
    for source_id, text in dataset.texts.items():
        for match in PARAGRAPH.finditer(text):
            if match.group().strip():
                yield {
                    "collection": "sources",
                    "record_id": source_id,
                    "label": source_id,
                    "body": match.group(),
                    "start": match.start(),
                    "end": match.end(),
                }
