"""Dated milestones for a timeline, with the places, people and projects involved."""

from sqlmodel import Field, Relationship, SQLModel

from app.models.citation import Citation, CitationPublic, cited_by
from app.models.dating import basis_field, end_field, start_field, text_field
from app.models.person import Person, PersonSummary
from app.models.place import Place, PlaceSummary
from app.models.project import Project, ProjectSummary
from app.models.record import RecordBase
from app.models.types import DateBasis, PartialDate, Slug


class EventPlace(SQLModel, table=True):
    """Link between an event and a place."""

    __tablename__ = "event_place"

    event_id: str = Field(foreign_key="event.id", primary_key=True)
    place_id: str = Field(foreign_key="place.id", primary_key=True, index=True)
    position: int = Field(default=0, description="Order of the link as curated.")


class EventPerson(SQLModel, table=True):
    """Link between an event and a person."""

    __tablename__ = "event_person"

    event_id: str = Field(foreign_key="event.id", primary_key=True)
    person_id: str = Field(foreign_key="person.id", primary_key=True, index=True)
    position: int = Field(default=0, description="Order of the link as curated.")


class EventProject(SQLModel, table=True):
    """Link between an event and a project."""

    __tablename__ = "event_project"

    event_id: str = Field(foreign_key="event.id", primary_key=True)
    project_id: str = Field(foreign_key="project.id", primary_key=True, index=True)
    position: int = Field(default=0, description="Order of the link as curated.")


class EventBase(RecordBase):
    """Facts about a dated milestone."""

    title: str = Field(description="Short title of the milestone.")
    type: str = Field(index=True, description="Type of event (vocabulary `event_type`).")
    date: PartialDate | None = Field(default=None, index=True, description="When it happened.")
    date_precision: str = Field(default="unknown", description="Precision of `date`.")
    date_basis: DateBasis | None = basis_field("date")
    date_text: str | None = text_field("date")
    date_start: str | None = start_field("date")
    date_end: str | None = end_field("date")
    description: str | None = Field(default=None, description="What the sources say happened.")


class Event(EventBase, table=True):
    """A dated milestone."""

    id: Slug = Field(primary_key=True, description="Stable slug of the event.")

    places: list[Place] = Relationship(
        link_model=EventPlace,
        sa_relationship_kwargs={"lazy": "selectin", "order_by": "EventPlace.position"},
    )
    people: list[Person] = Relationship(
        link_model=EventPerson,
        sa_relationship_kwargs={"lazy": "selectin", "order_by": "EventPerson.position"},
    )
    projects: list[Project] = Relationship(
        link_model=EventProject,
        sa_relationship_kwargs={"lazy": "selectin", "order_by": "EventProject.position"},
    )
    citations: list[Citation] = cited_by("event", "Event")


class EventPublic(EventBase):
    """An event as served."""

    id: str = Field(description="Stable slug of the event.")
    places: list[PlaceSummary] = Field(description="Places involved.")
    people: list[PersonSummary] = Field(description="People involved.")
    projects: list[ProjectSummary] = Field(description="Projects involved.")
    citations: list[CitationPublic] = Field(description="Excerpts backing the record.")
