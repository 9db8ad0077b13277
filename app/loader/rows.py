"""Turn checked entries into table rows: one converter per shape of record.

A collection's declaration (app/registry.py) names its converter; `dataset_batches`
(app/loader/batches.py) runs them in load order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlmodel import SQLModel

from app import models as m

if TYPE_CHECKING:
    from app.loader.check import Dataset, Entry
    from app.registry import Collection


def _fields(model: Any, table: type[SQLModel], **extra: Any) -> dict[str, Any]:
    """The entry's values of the columns `table` shares with it, plus `extra`."""
    columns = set(table.model_fields)
    values = {k: v for k, v in model.model_dump().items() if k in columns}
    values.update(extra)
    return values


def record_rows(collection: Collection, entry: Entry, dataset: Dataset) -> Iterator[SQLModel]:
    """The record's own row: its fields, each plain reference `<field>` as `<field>_id`, and
    the disagreement it belongs to (for stated figures)."""
    model = entry.model
    table = collection.table
    extra = {
        f"{name}_id": getattr(model, name)
        for name in collection.references
        if "." not in name and not name.endswith("[]") and f"{name}_id" in table.model_fields
    }
    if collection.disputable:
        extra["disagreement_id"] = dataset.disagreements.get((collection.key, model.id))
    yield table(**_fields(model, table, **extra))


def source_rows(collection: Collection, entry: Entry, dataset: Dataset) -> Iterator[SQLModel]:
    """A source, its exact text, and the people it credits."""
    model = entry.model
    text = dataset.texts[model.id]
    digest = hashlib.sha256(text.encode()).hexdigest()
    yield m.Source(**_fields(model, m.Source, sha256=digest, length=len(text)))
    yield m.SourceText(source_id=model.id, text=text)
    for position, credit in enumerate(model.credits):
        yield m.SourceCredit(
            source_id=model.id, person_id=credit.person, role=credit.role, position=position
        )


def project_rows(collection: Collection, entry: Entry, dataset: Dataset) -> Iterator[SQLModel]:
    """A project, its figures and its partners, in their curated order."""
    model = entry.model
    yield from record_rows(collection, entry, dataset)
    for position, figure in enumerate(model.figures):
        yield m.ProjectFigure(project_id=model.id, position=position, **figure.model_dump())
    for position, partner in enumerate(model.partners):
        yield m.ProjectPartner(project_id=model.id, position=position, **partner.model_dump())


def event_rows(collection: Collection, entry: Entry, dataset: Dataset) -> Iterator[SQLModel]:
    """An event and its links to places, people and projects, in their curated order."""
    model = entry.model
    yield from record_rows(collection, entry, dataset)
    links = (
        (m.EventPlace, "place_id", model.places),
        (m.EventPerson, "person_id", model.people),
        (m.EventProject, "project_id", model.projects),
    )
    for table, column, refs in links:
        for position, ref in enumerate(dict.fromkeys(refs)):
            yield table(event_id=model.id, position=position, **{column: ref})
