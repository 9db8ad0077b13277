"""Cooperation projects and facilities, with their figures and partners."""

from typing import Annotated

from pydantic import BeforeValidator
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, Relationship, SQLModel

from app.models.citation import Citation, CitationPublic, cited_by
from app.models.dating import basis_field, end_field, start_field, text_field
from app.models.place import Place, PlaceSummary
from app.models.record import Figure, RecordBase
from app.models.types import CountryCode, DateBasis, PartialDate, Slug


class ProjectBase(RecordBase):
    """Facts about a cooperation project or facility."""

    name: str = Field(index=True, description="Name of the project.")
    aliases: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Other names the sources use.",
    )
    sector: str = Field(index=True, description="Sector (vocabulary `sector`).")
    host_country: CountryCode | None = Field(
        default=None,
        index=True,
        description="Country where the project is (ISO 3166-1 alpha-2); null if it spans both.",
    )
    status: str = Field(index=True, description="Status (vocabulary `project_status`).")
    start_date: PartialDate | None = Field(
        default=None,
        index=True,
        description="Start of construction or launch (YYYY[-MM[-DD]]).",
    )
    start_date_precision: str = Field(default="unknown", description="Precision of start_date.")
    start_date_basis: DateBasis | None = basis_field("start_date")
    start_date_text: str | None = text_field("start_date")
    start_date_start: str | None = start_field("start_date")
    start_date_end: str | None = end_field("start_date")
    completion_date: PartialDate | None = Field(
        default=None,
        index=True,
        description="Completion, commissioning or grid connection (YYYY[-MM[-DD]]).",
    )
    completion_date_precision: str = Field(
        default="unknown",
        description="Precision of completion_date.",
    )
    completion_date_basis: DateBasis | None = basis_field("completion_date")
    completion_date_text: str | None = text_field("completion_date")
    completion_date_start: str | None = start_field("completion_date")
    completion_date_end: str | None = end_field("completion_date")
    bri: bool | None = Field(
        default=None,
        description="True where a source ties it to the Belt and Road Initiative.",
    )
    description: str | None = Field(default=None, description="What the sources say it is.")


class ProjectFigure(Figure, table=True):
    """A figure stated for a project (capacity, output, jobs, investment, ...)."""

    __tablename__ = "project_figure"

    id: int | None = Field(default=None, primary_key=True)
    project_id: str = Field(foreign_key="project.id", index=True)
    position: int = Field(description="Order within the project.")


class ProjectPartner(SQLModel, table=True):
    """An organisation named as a partner in a project."""

    __tablename__ = "project_partner"

    id: int | None = Field(default=None, primary_key=True)
    project_id: str = Field(foreign_key="project.id", index=True)
    position: int = Field(description="Order within the project.")
    name: str = Field(description="Name of the organisation.")
    country: CountryCode | None = Field(default=None, description="Its country, where known.")
    role: str | None = Field(default=None, description="Its role: investor, builder, operator, ...")


class Project(ProjectBase, table=True):
    """A cooperation project or facility."""

    # The common "filter by sector, newest first" page reads straight from one index.
    __table_args__ = (Index("ix_project_sector_completion", "sector", "completion_date_start"),)

    id: Slug = Field(primary_key=True, description="Stable slug of the project.")
    place_id: str | None = Field(default=None, foreign_key="place.id", index=True)

    place: Place | None = Relationship(sa_relationship_kwargs={"lazy": "joined"})
    figures: list[ProjectFigure] = Relationship(
        sa_relationship_kwargs={"lazy": "selectin", "order_by": "ProjectFigure.position"}
    )
    partners: list[ProjectPartner] = Relationship(
        sa_relationship_kwargs={"lazy": "selectin", "order_by": "ProjectPartner.position"}
    )
    citations: list[Citation] = cited_by("project", "Project")


class PartnerPublic(SQLModel):
    """An organisation named as a partner."""

    name: str = Field(description="Name of the organisation.")
    country: str | None = Field(default=None, description="Its country (ISO 3166-1 alpha-2).")
    role: str | None = Field(default=None, description="Its role in the project.")


def _no_source_says(value: bool | None) -> bool:
    return bool(value)


class ProjectPublic(ProjectBase):
    """A project as served, with its place, figures, partners and citations."""

    id: str = Field(description="Stable slug of the project.")
    # Stored as null where no source ties the project to the BRI: that is false, not unknown,
    # which is what the `bri=false` filter has always matched. Served as a two-valued boolean,
    # so CSV tools read the column as booleans.
    bri: Annotated[bool, BeforeValidator(_no_source_says)] = Field(
        default=False,
        description="true where a source ties the project to the Belt and Road Initiative; "
        "false where none does.",
    )
    place: PlaceSummary | None = Field(default=None, description="Where the project is.")
    figures: list[Figure] = Field(description="Stated figures, each with a unit.")
    partners: list[PartnerPublic] = Field(description="Organisations named as partners.")
    citations: list[CitationPublic] = Field(description="Excerpts backing the record.")


class ProjectSummary(SQLModel):
    """The few facts of a project that another record embeds."""

    id: str = Field(description="Stable slug of the project.")
    name: str = Field(description="Name of the project.")
    sector: str = Field(description="Sector.")
    status: str = Field(description="Status.")
