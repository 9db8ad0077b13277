"""The timeline: every dated fact of the dataset, one entry per date, derived at build time."""

from sqlmodel import Field, SQLModel

from app.models.citation import CitationPublic
from app.models.dating import basis_field
from app.models.person import PersonSummary
from app.models.place import PlaceSummary
from app.models.types import DateBasis, DateOrPeriod, FullDate


class TimelineEntryBase(SQLModel):
    """One dated fact: which record and which of its dates, and the date with its basis."""

    collection: str = Field(index=True, description="Collection of the record, e.g. events.")
    record_id: str = Field(description="Id of the record in its collection.")
    field: str = Field(
        description="Which date of the record: date, start_date, completion_date, established, "
        "or period (of a trade statistic or indicator)."
    )
    url: str = Field(description="Path of the record.")
    title: str = Field(description="What happened, in a line.")
    date: DateOrPeriod = Field(
        description="The date as an ISO 8601 partial date (YYYY[-MM[-DD]]), or for a period "
        "that is not one calendar year, month or day, an ISO 8601 interval start/end. CSV "
        "gives it as `date_start`, `date_end` and `date_precision`, like every partial date."
    )
    date_precision: str = Field(description="Precision of `date`: day, month or year.")
    date_basis: DateBasis | None = basis_field("date")
    date_text: str | None = Field(
        default=None, description="The verbatim phrase the date was read from, if any."
    )
    # Full dates (typed so CSV and the data package declare them as dates).
    date_start: FullDate = Field(index=True, description="First day the date covers (ISO 8601).")
    date_end: FullDate = Field(index=True, description="Last day the date covers (ISO 8601).")
    pair: str | None = Field(default=None, index=True, description="Country pair, e.g. CN-KZ.")


class TimelineEntry(TimelineEntryBase, table=True):
    """A timeline entry and its served JSON, rendered once at build time."""

    __tablename__ = "timeline_entry"

    id: str = Field(primary_key=True, description="<collection>/<record id>/<field>.")
    document: str = Field(description="The entry as served (TimelineEntryPublic JSON).")


class TimelinePlace(SQLModel, table=True):
    """A place of a timeline entry, for the `place` filter."""

    __tablename__ = "timeline_place"

    entry_id: str = Field(foreign_key="timeline_entry.id", primary_key=True)
    place_id: str = Field(foreign_key="place.id", primary_key=True, index=True)


class TimelinePerson(SQLModel, table=True):
    """A person of a timeline entry, for the `person` filter."""

    __tablename__ = "timeline_person"

    entry_id: str = Field(foreign_key="timeline_entry.id", primary_key=True)
    person_id: str = Field(foreign_key="person.id", primary_key=True, index=True)


class TimelineEntryPublic(TimelineEntryBase):
    """A timeline entry as served: the dated fact, its places, people and citations."""

    id: str = Field(description="<collection>/<record id>/<field>, unique in the timeline.")
    places: list[PlaceSummary] = Field(description="Places of the fact.")
    people: list[PersonSummary] = Field(description="People of the fact.")
    citations: list[CitationPublic] = Field(description="Excerpts backing the record.")
