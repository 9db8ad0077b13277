"""The dataset as a Frictionless Data Package (Tabular Data Package, v1 specs).

One resource per collection (its CSV is the API's `?format=csv` answer, byte for byte), plus
the citations, the vocabularies and the link tables of records that link to several others
(an event's places, people and projects; a source's credited people). Each resource has a
Table Schema: the CSV's typed columns with their descriptions, enums from the vocabularies,
a primary key and foreign keys between resources. Everything derives from the collection
registry (app/registry.py) and the CSV columns (app/api/flat.py); nothing is listed twice.

Specs: https://specs.frictionlessdata.io/data-package/, /tabular-data-package/,
/table-schema/.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Table as SqlTable
from sqlmodel import Session, SQLModel, select

from app import models as m
from app.api.flat import Column, csv_lines, flat_columns
from app.config import Settings
from app.queries.ordering import as_on_sqlite
from app.queries.parameters import Limits
from app.registry import COLLECTIONS, Collection
from app.representations import header_of

NAME = "bilateral-relations"
TITLE = "Bilateral Relations: a source-cited dataset of bilateral relations (first pair CN-KZ)"
DESCRIPTION = (
    "Cooperation projects, awards, trade statistics, sister cities, quotes, events and stated "
    "figures between two countries, with the people and places around them. Every record "
    "cites verbatim excerpts of its source documents (the citations resource, with code-point "
    "offsets into each source's stored text)."
)
LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
CURATORS = {"title": "Bilateral Relations API curators", "role": "author"}


@dataclass(frozen=True)
class Table:
    """One tabular resource of the package."""

    name: str  # resource name, also the CSV file name (`<name>.csv`)
    title: str
    description: str
    columns: tuple[Column, ...]
    descriptions: dict[str, str]
    primary_key: tuple[str, ...]
    render: Callable[[Session, Settings], str]  # the CSV text
    served_at: str  # the API path serving its CSV, relative to /v1/
    # column -> (resource, its field)
    foreign_keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    vocabularies: dict[str, str] = field(default_factory=dict)  # column -> vocabulary
    enums: dict[str, list[str]] = field(default_factory=dict)  # column -> fixed values

    @property
    def file(self) -> str:
        """The CSV file name in an exported package."""
        return f"{self.name}.csv"

    def csv(self, session: Session, settings: Settings) -> str:
        """The resource's CSV text (the same rendering as every CSV answer of the API)."""
        return self.render(session, settings)


def _described(model: type[BaseModel], column: str) -> str | None:
    """The description of a CSV column of `model`, from the field it comes from."""
    fields = model.model_fields
    if column in fields:
        return fields[column].description
    for name in sorted(fields, key=len, reverse=True):
        if not column.startswith(f"{name}_"):
            continue
        sub = column.removeprefix(f"{name}_")
        own = fields[name].description or name
        if sub in ("start", "end"):
            bound = "First" if sub == "start" else "Last"
            return f"{bound} day (ISO 8601) of the interval of: {own}"
        inner = fields[name].annotation
        inner = next((a for a in getattr(inner, "__args__", ()) if a is not type(None)), inner)
        sub_fields = getattr(inner, "model_fields", {})
        if sub in sub_fields:
            return f"{own}: {sub_fields[sub].description or sub}"
    return None


def _collection_csv(collection: Collection) -> Callable[[Session, Settings], str]:
    def render(session: Session, settings: Settings) -> str:
        # What `GET /v1/<path>?format=csv` writes: the header, then the whole collection's
        # stored CSV lines in the list's default order (app/api/formats.py, list_response).
        limits = Limits(settings.max_limit, settings.max_export_rows)
        query = collection.query().resolved("csv", limits)
        return header_of(collection.public) + "".join(collection.select(session, query).rows)

    return render


def _collection_table(collection: Collection) -> Table:
    columns = flat_columns(collection.public)
    names = {column.name for column in columns}
    by_key = {c.key: c for c in COLLECTIONS}
    foreign_keys = {
        f"{ref}_id": (by_key[target].path, "id")
        for ref, target in collection.references.items()
        if "[" not in ref and "." not in ref and f"{ref}_id" in names
    }
    vocabularies = dict(collection.vocabulary_fields)
    # The precision of a partial date (`published_precision` beside `published_start`).
    vocabularies.update(
        {
            name: "precision"
            for name in names
            if name.endswith("_precision") and f"{name.removesuffix('_precision')}_start" in names
        }
    )
    return Table(
        name=collection.path,
        title=collection.plural.capitalize(),
        description=collection.list_doc,
        columns=columns,
        descriptions={c.name: _described(collection.public, c.name) or c.name for c in columns},
        primary_key=("id",),
        render=_collection_csv(collection),
        served_at=f"{collection.path}?format=csv",
        foreign_keys=foreign_keys,
        vocabularies={k: v for k, v in vocabularies.items() if k in names},
    )


def _model_of(table: SqlTable) -> type[SQLModel]:
    for mapper in SQLModel._sa_registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    raise LookupError(table.name)


def _table_csv(
    model: type[SQLModel], columns: tuple[Column, ...], order: tuple[str, ...]
) -> Callable[[Session, Settings], str]:
    def render(session: Session, _settings: Settings) -> str:
        statement = select(model).order_by(*(as_on_sqlite(getattr(model, name)) for name in order))
        names = [column.name for column in columns]
        rows = [{name: getattr(row, name) for name in names} for row in session.exec(statement)]
        return csv_lines(columns, rows)

    return render


def _plain_table(
    model: type[SQLModel],
    name: str,
    title: str,
    description: str,
    primary_key: tuple[str, ...],
    order: tuple[str, ...] | None = None,
    exclude: tuple[str, ...] = (),
) -> Table:
    """A resource holding a table's rows as they are (link tables, citations, vocabularies)."""
    columns = tuple(c for c in flat_columns(model) if c.name not in exclude)
    tables = {c.table.__tablename__: c for c in COLLECTIONS}
    foreign_keys = {}
    descriptions = {}
    for column in columns:
        sql_column = model.__table__.c[column.name]  # type: ignore[attr-defined]
        described = model.model_fields[column.name].description
        for key in sql_column.foreign_keys:
            target = tables.get(key.column.table.name)
            if target is not None:
                foreign_keys[column.name] = (target.path, key.column.name)
                described = described or f"Id of the {target.noun} (resource {target.path})."
        descriptions[column.name] = described or column.name
    return Table(
        name=name,
        title=title,
        description=description,
        columns=columns,
        descriptions=descriptions,
        primary_key=primary_key,
        render=_table_csv(model, columns, order or primary_key),
        served_at=f"datapackage/{name}.csv",
        foreign_keys=foreign_keys,
    )


def _link_tables() -> list[Table]:
    """Tables linking a record to several records of another collection (a list reference
    in the registry, e.g. an event's `places[]`), found by their two foreign keys."""
    by_key = {c.key: c for c in COLLECTIONS}
    links = []
    for collection in COLLECTIONS:
        for ref, target_key in collection.references.items():
            if "[]" not in ref:
                continue
            wanted = {collection.table.__tablename__, by_key[target_key].table.__tablename__}
            for table in SQLModel.metadata.sorted_tables:
                targets = {key.column.table.name for key in table.foreign_keys}
                if targets == wanted and table.name not in {
                    c.table.__tablename__ for c in COLLECTIONS
                }:
                    model = _model_of(table)
                    name = table.name.replace("_", "-")
                    links.append(
                        _plain_table(
                            model,
                            name=name,
                            title=f"Links: {collection.noun} to {by_key[target_key].noun}",
                            description=(model.__doc__ or "").strip().splitlines()[0],
                            primary_key=tuple(c.name for c in table.primary_key.columns),
                            # The owner's links in their curated order.
                            order=(
                                next(
                                    c.name
                                    for c in table.columns
                                    for key in c.foreign_keys
                                    if key.column.table is collection.table.__table__  # type: ignore[attr-defined]
                                ),
                                *(("position",) if "position" in table.c else ()),
                            ),
                        )
                    )
    return links


@cache
def tables() -> tuple[Table, ...]:
    """Every resource of the package, collections first, in registry order."""
    citations = _plain_table(
        m.Citation,
        name="citations",
        title="Citations",
        description=(
            "Every citation of every record: the verbatim excerpt of a source and its "
            "code-point offsets in the source's stored text (text[start:end] == excerpt)."
        ),
        primary_key=("record_type", "record_id", "position"),
        exclude=("id",),
    )
    citations.enums["record_type"] = [c.record_type for c in COLLECTIONS if c.cited]
    vocabularies = _plain_table(
        m.VocabularyTerm,
        name="vocabularies",
        title="Vocabularies",
        description="The controlled vocabularies: every allowed term, with what it means.",
        primary_key=("vocabulary", "term"),
        order=("vocabulary", "position"),
    )
    return (
        *(_collection_table(collection) for collection in COLLECTIONS),
        citations,
        *_link_tables(),
        vocabularies,
    )


def table_named(name: str) -> Table | None:
    """The resource called `name`, if there is one."""
    return next((table for table in tables() if table.name == name), None)


def _schema(table: Table, terms: dict[str, list[str]]) -> dict[str, Any]:
    fields = []
    for column in table.columns:
        described: dict[str, Any] = {
            "name": column.name,
            "type": column.kind,
            "description": table.descriptions[column.name],
        }
        constraints: dict[str, Any] = {}
        if column.name in table.primary_key:
            constraints["required"] = True
        vocabulary = table.vocabularies.get(column.name)
        if vocabulary is not None and vocabulary in terms:
            constraints["enum"] = terms[vocabulary]
            described["description"] += f" (vocabulary `{vocabulary}`)"
        if column.name in table.enums:
            constraints["enum"] = table.enums[column.name]
        if constraints:
            described["constraints"] = constraints
        fields.append(described)
    schema: dict[str, Any] = {
        "fields": fields,
        "primaryKey": list(table.primary_key),
        "missingValues": [""],
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": column, "reference": {"resource": resource, "fields": target}}
            for column, (resource, target) in table.foreign_keys.items()
        ]
    return schema


def descriptor(
    session: Session, settings: Settings, path: Callable[[Table], str]
) -> dict[str, Any]:
    """datapackage.json for the database behind `session`; `path` gives each resource's
    path (a file name in an export, an API URL when served)."""
    info = session.get(m.BuildInfo, 1)
    if info is None:
        raise LookupError("the database holds no build")
    terms: dict[str, list[str]] = {}
    for term in session.exec(
        select(m.VocabularyTerm).order_by(
            as_on_sqlite(m.VocabularyTerm.vocabulary), as_on_sqlite(m.VocabularyTerm.position)
        )
    ):
        terms.setdefault(term.vocabulary, []).append(term.term)
    sources = session.exec(select(m.Source).order_by(as_on_sqlite(m.Source.id))).all()
    credits = session.exec(
        select(m.SourceCredit).order_by(
            as_on_sqlite(m.SourceCredit.source_id), as_on_sqlite(m.SourceCredit.position)
        )
    ).all()
    people = {p.id: p for p in session.exec(select(m.Person)).all()}
    contributors: list[dict[str, Any]] = [dict(CURATORS)]
    for source in sources:
        for author in source.authors:
            contributors.append(
                {"title": author, "role": "contributor", "organization": source.publisher}
            )
    for credit in credits:
        person = people.get(credit.person_id)
        if person is not None:
            source = next(s for s in sources if s.id == credit.source_id)
            contributors.append(
                {"title": person.name, "role": "contributor", "organization": source.publisher}
            )
    unique = list({tuple(sorted(c.items(), key=str)): c for c in contributors}.values())
    return {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": TITLE,
        "description": DESCRIPTION,
        "version": info.dataset_version,
        "created": info.built_at,
        "licenses": [{**LICENSE, "title": f"{LICENSE['title']}. {settings.licence}"}],
        "sources": [
            {
                "title": source.title,
                **(
                    {"path": source.url or source.copy_url} if source.url or source.copy_url else {}
                ),
            }
            for source in sources
        ],
        "contributors": unique,
        "resources": [
            {
                "name": table.name,
                "path": path(table),
                "profile": "tabular-data-resource",
                "title": table.title,
                "description": table.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": _schema(table, terms),
            }
            for table in tables()
        ],
    }
