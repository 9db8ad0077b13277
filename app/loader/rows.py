"""Turn checked entries into table rows."""

import hashlib
from collections.abc import Iterator
from typing import Any

from sqlmodel import SQLModel

from app import models as m
from app.loader.check import Dataset, Entry

# Collection key in the YAML files -> record_type of its citations.
RECORD_TYPES = {
    "people": "person",
    "places": "place",
    "projects": "project",
    "awards": "award",
    "trade_stats": "trade_stat",
    "sister_cities": "sister_city",
    "quotes": "quote",
    "events": "event",
    "indicators": "indicator",
}


def _fields(model: Any, table: type[SQLModel], **extra: Any) -> dict[str, Any]:
    """The entry's values of the columns `table` shares with it, plus `extra`."""
    columns = set(table.model_fields)
    values = {k: v for k, v in model.model_dump().items() if k in columns}
    values.update(extra)
    return values


def _source(entry: Entry, dataset: Dataset) -> Iterator[SQLModel]:
    model = entry.model
    text = dataset.texts[model.id]
    yield m.Source(
        **_fields(
            model, m.Source, sha256=hashlib.sha256(text.encode()).hexdigest(), length=len(text)
        )
    )
    yield m.SourceText(source_id=model.id, text=text)


def _simple(table: type[SQLModel], collection: str, **refs: str) -> Any:
    """A converter for a record whose references are plain `<field>` -> `<column>`."""

    def convert(entry: Entry, dataset: Dataset) -> Iterator[SQLModel]:
        model = entry.model
        extra = {column: getattr(model, field) for field, column in refs.items()}
        if "disagreement_id" in table.model_fields:
            extra["disagreement_id"] = dataset.disagreements.get((collection, model.id))
        yield table(**_fields(model, table, **extra))

    return convert


def _project(entry: Entry, _dataset: Dataset) -> Iterator[SQLModel]:
    model = entry.model
    yield m.Project(**_fields(model, m.Project, place_id=model.place))
    for position, figure in enumerate(model.figures):
        yield m.ProjectFigure(project_id=model.id, position=position, **figure.model_dump())
    for position, partner in enumerate(model.partners):
        yield m.ProjectPartner(project_id=model.id, position=position, **partner.model_dump())


def _event(entry: Entry, _dataset: Dataset) -> Iterator[SQLModel]:
    model = entry.model
    yield m.Event(**_fields(model, m.Event))
    links = (
        (m.EventPlace, "place_id", model.places),
        (m.EventPerson, "person_id", model.people),
        (m.EventProject, "project_id", model.projects),
    )
    for table, column, refs in links:
        for position, ref in enumerate(dict.fromkeys(refs)):
            yield table(event_id=model.id, position=position, **{column: ref})


CONVERTERS: dict[str, Any] = {
    "sources": _source,
    "people": _simple(m.Person, "people"),
    "places": _simple(m.Place, "places", parent="parent_id"),
    "projects": _project,
    "awards": _simple(m.Award, "awards", recipient="recipient_id", place="place_id"),
    "trade_stats": _simple(m.TradeStat, "trade_stats", stated_by="stated_by_id"),
    "indicators": _simple(m.Indicator, "indicators", place="place_id"),
    "sister_cities": _simple(m.SisterCity, "sister_cities", side_a="side_a_id", side_b="side_b_id"),
    "quotes": _simple(m.Quote, "quotes", speaker="speaker_id"),
    "events": _event,
}

_PARENTS = (
    m.Source,
    m.Person,
    m.Place,
    m.Project,
    m.Award,
    m.TradeStat,
    m.Indicator,
    m.SisterCity,
    m.Quote,
    m.Event,
)

# Referenced collections first, so foreign keys hold at every insert.
LOAD_ORDER = [
    "sources",
    "people",
    "places",
    "projects",
    "awards",
    "trade_stats",
    "indicators",
    "sister_cities",
    "quotes",
    "events",
]


def dataset_batches(dataset: Dataset) -> Iterator[list[SQLModel]]:
    """The rows of the dataset, one batch per collection, referenced collections first."""
    for collection in LOAD_ORDER:
        entries = dataset.entries.get(collection, [])
        if collection == "places":
            entries = _parents_first(entries)
        rows = [row for entry in entries for row in CONVERTERS[collection](entry, dataset)]
        # Link rows (figures, event links) after their parents, within the batch.
        yield sorted(rows, key=lambda row: not isinstance(row, _PARENTS))
    yield [
        m.SourceCredit(
            source_id=entry.model.id, person_id=credit.person, role=credit.role, position=position
        )
        for entry in dataset.entries.get("sources", [])
        for position, credit in enumerate(entry.model.credits)
    ]
    yield [
        m.Citation(
            record_type=RECORD_TYPES[collection],
            record_id=record_id,
            position=position,
            source_id=citation.source_id,
            excerpt=citation.excerpt,
            start=citation.start,
            end=citation.end,
        )
        for (collection, record_id), citations in dataset.citations.items()
        for position, citation in enumerate(citations)
    ]


def _parents_first(entries: list[Entry]) -> list[Entry]:
    by_id = {entry.model.id: entry for entry in entries}
    ordered: dict[str, Entry] = {}

    def visit(entry: Entry, seen: frozenset[str]) -> None:
        parent = by_id.get(entry.model.parent or "")
        if parent is not None and parent.model.id not in seen:
            visit(parent, seen | {entry.model.id})
        ordered.setdefault(entry.model.id, entry)

    for entry in entries:
        visit(entry, frozenset())
    return list(ordered.values())
