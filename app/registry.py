"""The one registry of collections: each collection of the API is declared here, once.

Everything that lists collections derives from `COLLECTIONS`: the loader (which YAML key
holds which records, what they must reference, in which order they load), the routes and
their OpenAPI descriptions, /v1/meta counts, full-text search, record labels, examples and
the test suite. Adding a collection is one `Collection(...)` here, one Alembic revision for
its table, and its records in a YAML file (see README, "Adding a collection").
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlmodel import SQLModel

from app import models as m
from app.geometry import Geometry, place_point, places_points, record_point, tie_line
from app.loader import inputs, rows
from app.loader.dates import DATE, PERIOD, DateField
from app.queries import (
    awards,
    events,
    indicators,
    people,
    places,
    projects,
    quotes,
    sister_cities,
    sources,
    trade_stats,
)
from app.queries.compiled import Readable
from app.queries.listing import ListResult, ListSpec
from app.queries.parameters import ListQuery

if TYPE_CHECKING:
    from app.loader.check import Dataset, Entry


@dataclass(frozen=True)
class TimelineDates:
    """How a collection's records appear on the timeline (one entry per date of
    `Collection.dates`): each entry's title, places and people, read from the served record
    (app/loader/timeline.py)."""

    title: Callable[[Any, str], str]  # (served record, field) -> title
    places: Callable[[Any], list[Any]]
    people: Callable[[Any], list[Any]]


def _optional(item: Any) -> list[Any]:
    return [item] if item is not None else []


def _number(value: float) -> str:
    """A value as people write it, digits grouped: 31,000,000,000 or 23.6 (never 3.1e+10)."""
    text = format(Decimal(repr(value)), ",f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _figure(record: Any, what: str) -> str:
    value = "?" if record.value is None else _number(record.value)
    label = f", {record.period_label}" if record.period_label else ""
    return f"{what}{label}: {value} {record.unit}"


@dataclass(frozen=True)
class Collection:
    """One collection: its names, models, list query, loading rules, search and formats.

    Names: `path` is the URL slug (`/v1/trade-stats`), `key` the YAML key and module name
    (`trade_stats:` in data/*.yaml), `record_type` (from its list spec) the singular stored
    on citations (`trade_stat`). `noun`/`plural` word the OpenAPI summaries and 404 details.
    """

    path: str
    key: str
    noun: str
    plural: str
    tag: str
    tag_doc: str  # what the OpenAPI tag groups
    list_doc: str
    item_doc: str
    table: type[SQLModel]
    public: type[BaseModel]
    entry: type[BaseModel]  # the shape of one record in data/*.yaml
    query: type[ListQuery]
    spec: ListSpec
    select: Callable[[Readable, Any], ListResult]  # one filtered, sorted page
    label: str | None = None  # field naming a record in search hits and record lists
    geometry: Geometry | None = None  # GeoJSON geometry of a served record, if it has one
    cited: bool = True  # its records cite sources (and are indexed for search)
    must_be_referenced: bool = False  # a record that nothing references is a build error
    # YAML field (dotted; `[]` walks a list) -> the collection key whose ids it names.
    references: dict[str, str] = field(default_factory=dict)
    # YAML field -> the vocabulary its values come from.
    vocabularies: dict[str, str] = field(default_factory=dict)
    # The table rows of one checked YAML record (the record's own row first).
    to_rows: Callable[["Collection", "Entry", "Dataset"], Iterator[SQLModel]] = rows.record_rows
    # Fields the Public model takes beyond the table's (e.g. a source's text_url).
    extra: Callable[[Any], dict[str, Any]] | None = None
    # One-segment paths of other routes beside the items (`series` of /v1/trade-stats/series):
    # a record with one as its id could not be reached, so the build refuses it.
    routes_beside_items: tuple[str, ...] = ()
    # Its dates, each with its basis and phrase fields (checked by app/loader/dates.py).
    dates: tuple[DateField, ...] = ()
    # How its dates appear on the timeline; None: they don't (quotes are not facts).
    timeline: TimelineDates | None = None

    @property
    def vocabulary_fields(self) -> dict[str, str]:
        """Every field whose values come from a vocabulary: the declared ones, and each
        date's basis field (from `date_basis`)."""
        return {**self.vocabularies, **{date.basis: "date_basis" for date in self.dates}}

    @property
    def tag_description(self) -> str:
        """The OpenAPI tag's description: what it groups, and whether GeoJSON is served."""
        return self.tag_doc + (" GeoJSON available." if self.geometry is not None else "")

    @property
    def formats(self) -> tuple[str, ...]:
        """Its representations besides JSON, of lists and items alike, each also at a path
        of its own (`/v1/places.geojson`): CSV always, GeoJSON where records have a geometry."""
        return ("csv", "geojson") if self.geometry is not None else ("csv",)

    @property
    def record_type(self) -> str:
        """The singular naming its records on citations (`trade_stat`), as its list spec says."""
        return self.spec.record_type

    @property
    def file(self) -> str:
        """The data file that holds its records by convention (a key may span files)."""
        return f"{self.key}.yaml"

    @property
    def depends_on(self) -> frozenset[str]:
        """Keys of the other collections its records reference: they must load first."""
        return frozenset(target for target in self.references.values() if target != self.key)

    @property
    def parent_field(self) -> str | None:
        """A field referencing the same collection (a place's parent), if any."""
        for name, target in self.references.items():
            if target == self.key and not name.endswith("[]"):
                return name
        return None

    @property
    def disputable(self) -> bool:
        """Its records are stated figures that other sources may contradict."""
        return "disagreement_id" in self.table.model_fields

    def to_public(self, row: Any) -> BaseModel:
        """The served model of a table row."""
        update = self.extra(row) if self.extra else None
        return self.public.model_validate(row, update=update)  # type: ignore[call-arg]


def _source_text_url(source: Any) -> dict[str, Any]:
    return {"text_url": f"/v1/sources/{source.id}/text"}


SOURCES = Collection(
    path="sources",
    key="sources",
    noun="source",
    plural="sources",
    tag="sources",
    tag_doc="The source documents, their exact texts, and the records citing each.",
    list_doc="The source documents every record is drawn from.",
    item_doc="One source's bibliographic facts (its text is at /v1/sources/{id}/text).",
    table=m.Source,
    public=m.SourcePublic,
    entry=inputs.SourceIn,
    query=sources.SourceQuery,
    spec=sources.SPEC,
    select=sources.list_sources,
    label="title",
    cited=False,
    references={"credits[].person": "people"},
    vocabularies={"kind": "source_kind", "published_precision": "precision"},
    to_rows=rows.source_rows,
    extra=_source_text_url,
    dates=(DateField("published", "published_basis", None),),
)
PEOPLE = Collection(
    path="people",
    key="people",
    noun="person",
    plural="people",
    tag="people",
    tag_doc="People the sources name: officials, award recipients, speakers, reporters.",
    list_doc="People named in the sources.",
    item_doc="One person with the excerpts that name them.",
    table=m.Person,
    public=m.PersonPublic,
    entry=inputs.PersonIn,
    query=people.PersonQuery,
    spec=people.SPEC,
    select=people.list_people,
    label="name",
    must_be_referenced=True,
)
PLACES = Collection(
    path="places",
    key="places",
    noun="place",
    plural="places",
    tag="places",
    tag_doc="Countries, regions and cities, with gazetteer coordinates.",
    list_doc="Countries, regions and cities, with ISO codes and curator-supplied coordinates.",
    item_doc="One place with the excerpts that name it.",
    table=m.Place,
    public=m.PlacePublic,
    entry=inputs.PlaceIn,
    query=places.PlaceQuery,
    spec=places.SPEC,
    select=places.list_places,
    label="name",
    geometry=place_point,
    must_be_referenced=True,
    references={"parent": "places"},
    vocabularies={"kind": "place_kind"},
)
PROJECTS = Collection(
    path="projects",
    key="projects",
    noun="project",
    plural="projects",
    tag="projects",
    tag_doc="Cooperation projects and facilities, with figures and partners.",
    list_doc="Cooperation projects and facilities, filtered, sorted and paged.",
    item_doc="One project with its place, figures, partners and citations.",
    table=m.Project,
    public=m.ProjectPublic,
    entry=inputs.ProjectIn,
    query=projects.ProjectQuery,
    spec=projects.SPEC,
    select=projects.list_projects,
    label="name",
    geometry=record_point,
    references={"place": "places"},
    vocabularies={
        "sector": "sector",
        "status": "project_status",
        "figures[].metric": "project_metric",
        "figures[].unit": "unit",
        "figures[].qualifier": "qualifier",
    },
    to_rows=rows.project_rows,
    dates=(
        DateField("start_date", "start_date_basis", "start_date_text"),
        DateField("completion_date", "completion_date_basis", "completion_date_text"),
    ),
    timeline=TimelineDates(
        lambda r, f: f"{r.name}: {'start' if f == 'start_date' else 'completion'}",
        lambda r: _optional(r.place),
        lambda _r: [],
    ),
)
AWARDS = Collection(
    path="awards",
    key="awards",
    noun="award",
    plural="awards",
    tag="awards",
    tag_doc="Conferrals of state and other awards.",
    list_doc="Conferrals of awards, orders and titles.",
    item_doc="One award conferral with its recipient, place and citations.",
    table=m.Award,
    public=m.AwardPublic,
    entry=inputs.AwardIn,
    query=awards.AwardQuery,
    spec=awards.SPEC,
    select=awards.list_awards,
    label="name",
    references={"recipient": "people", "place": "places"},
    dates=(DATE,),
    timeline=TimelineDates(
        lambda r, _f: f"{r.name} conferred on {r.recipient.name}",
        lambda r: _optional(r.place),
        lambda r: [r.recipient],
    ),
)
TRADE_STATS = Collection(
    path="trade-stats",
    key="trade_stats",
    routes_beside_items=("series",),
    noun="trade statistic",
    plural="trade statistics",
    tag="trade statistics",
    tag_doc="Trade and investment figures, actual and target, and their time series.",
    list_doc="Trade and investment figures, actual and target, each with who stated it.",
    item_doc="One trade statistic with its citations.",
    table=m.TradeStat,
    public=m.TradeStatPublic,
    entry=inputs.TradeStatIn,
    query=trade_stats.TradeStatQuery,
    spec=trade_stats.SPEC,
    select=trade_stats.list_trade_stats,
    label="period_label",
    references={"stated_by": "people"},
    vocabularies={
        "metric": "trade_metric",
        "unit": "unit",
        "qualifier": "qualifier",
        "kind": "trade_kind",
    },
    dates=(PERIOD,),
    timeline=TimelineDates(
        lambda r, _f: _figure(r, f"{r.metric.replace('_', ' ')} ({r.kind})"),
        lambda _r: [],
        lambda r: _optional(r.stated_by),
    ),
)
SISTER_CITIES = Collection(
    path="sister-cities",
    key="sister_cities",
    noun="sister-city tie",
    plural="sister-city ties",
    tag="sister cities",
    tag_doc="Twinning ties between cities and regions (as GeoJSON, a line between the two).",
    list_doc="Sister-city and sister-region ties between the pair's countries.",
    item_doc="One sister-city tie with both places and its citations.",
    table=m.SisterCity,
    public=m.SisterCityPublic,
    entry=inputs.SisterCityIn,
    query=sister_cities.SisterCityQuery,
    spec=sister_cities.SPEC,
    select=sister_cities.list_sister_cities,
    label="id",
    geometry=tie_line,
    references={"side_a": "places", "side_b": "places"},
    vocabularies={"tie_type": "tie_type"},
    dates=(DateField("established", "established_basis", "established_text"),),
    timeline=TimelineDates(
        lambda r, _f: (
            f"{r.side_a.name} and {r.side_b.name}: {r.tie_type.replace('_', ' ')} established"
        ),
        lambda r: [r.side_a, r.side_b],
        lambda _r: [],
    ),
)
QUOTES = Collection(
    path="quotes",
    key="quotes",
    noun="quote",
    plural="quotes",
    tag="quotes",
    tag_doc="What people said, verbatim, with speaker and date.",
    list_doc="Direct quotations, each with its speaker and verbatim excerpt.",
    item_doc="One quote with its speaker and citations.",
    table=m.Quote,
    public=m.QuotePublic,
    entry=inputs.QuoteIn,
    query=quotes.QuoteQuery,
    spec=quotes.SPEC,
    select=quotes.list_quotes,
    label="text",
    references={"speaker": "people"},
    dates=(DATE,),
)
EVENTS = Collection(
    path="events",
    key="events",
    noun="event",
    plural="events",
    tag="events",
    tag_doc="Dated milestones: visits, summits, agreements.",
    list_doc="Dated milestones for a timeline.",
    item_doc="One event with its places, people, projects and citations.",
    table=m.Event,
    public=m.EventPublic,
    entry=inputs.EventIn,
    query=events.EventQuery,
    spec=events.SPEC,
    select=events.list_events,
    label="title",
    geometry=places_points,
    references={"places[]": "places", "people[]": "people", "projects[]": "projects"},
    vocabularies={"type": "event_type"},
    to_rows=rows.event_rows,
    dates=(DATE,),
    timeline=TimelineDates(
        lambda r, _f: r.title,
        lambda r: r.places,
        lambda r: r.people,
    ),
)
INDICATORS = Collection(
    path="indicators",
    key="indicators",
    noun="indicator",
    plural="indicators",
    tag="indicators",
    tag_doc="Other stated figures: counts of institutes, trains, tourists, ...",
    list_doc="Other stated figures: counts of ports, institutes, trains, tourists, ranks, ...",
    item_doc="One indicator with its citations.",
    table=m.Indicator,
    public=m.IndicatorPublic,
    entry=inputs.IndicatorIn,
    query=indicators.IndicatorQuery,
    spec=indicators.SPEC,
    select=indicators.list_indicators,
    label="subject",
    references={"place": "places"},
    vocabularies={"metric": "indicator_metric", "unit": "unit", "qualifier": "qualifier"},
    dates=(PERIOD,),
    timeline=TimelineDates(
        lambda r, _f: _figure(r, r.subject),
        lambda r: _optional(r.place),
        lambda _r: [],
    ),
)

# Every collection, in the order the design lists them (and the API documents them).
COLLECTIONS: tuple[Collection, ...] = (
    SOURCES,
    PEOPLE,
    PLACES,
    PROJECTS,
    AWARDS,
    TRADE_STATS,
    SISTER_CITIES,
    QUOTES,
    EVENTS,
    INDICATORS,
)

BY_PATH: dict[str, Collection] = {c.path: c for c in COLLECTIONS}
BY_KEY: dict[str, Collection] = {c.key: c for c in COLLECTIONS}
BY_RECORD_TYPE: dict[str, Collection] = {c.record_type: c for c in COLLECTIONS}
# The collections whose records cite sources, keyed by the record_type of their citations.
CITED: dict[str, Collection] = {c.record_type: c for c in COLLECTIONS if c.cited}


def undeclared_references() -> list[str]:
    """A sentence for each column of a collection's table that names another collection's
    records (a foreign key) without a declared `references` entry: the loader would not check
    that its YAML values name records, so the build refuses to run (app/loader/check.py)."""
    tables = {c.table.__tablename__: c for c in COLLECTIONS}
    missing = []
    for collection in COLLECTIONS:
        declared = set(collection.references.values())
        for column in collection.table.__table__.columns:  # type: ignore[attr-defined]
            for key in column.foreign_keys:
                target = tables.get(key.column.table.name)
                if target is None or target is collection or target.key in declared:
                    continue
                missing.append(
                    f"{collection.table.__name__}.{column.name} names {target.key} records, "
                    f"but the {collection.key} declaration in app/registry.py has no "
                    f"`references` entry for it (e.g. references={{'<yaml field>': "
                    f"'{target.key}'}}), so its values would load unchecked."
                )
    return missing


def load_order() -> list[Collection]:
    """Every collection, each after the collections it references (so foreign keys hold at
    every insert); among those ready, the earliest declared first."""
    order: list[Collection] = []
    loaded: set[str] = set()
    pending = list(COLLECTIONS)
    while pending:
        ready = next((c for c in pending if c.depends_on <= loaded), None)
        if ready is None:
            names = ", ".join(c.key for c in pending)
            raise ValueError(f"collections reference each other in a cycle: {names}")
        order.append(ready)
        loaded.add(ready.key)
        pending.remove(ready)
    return order
