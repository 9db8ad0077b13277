"""People named in the sources."""

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.models.citation import Citation, CitationPublic, cited_by
from app.models.types import CountryCode, Slug


class PersonBase(SQLModel):
    """Facts about a person, as the sources give them."""

    name: str = Field(index=True, description="Name as the sources write it.")
    aliases: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Other names or spellings the sources give (e.g. a Chinese name).",
    )
    country: CountryCode | None = Field(
        default=None,
        index=True,
        description="Country of the person (ISO 3166-1 alpha-2).",
    )
    description: str | None = Field(default=None, description="Role or short description.")
    notes: str | None = Field(default=None, description="Curator notes.")


class Person(PersonBase, table=True):
    """A person named in at least one source."""

    id: Slug = Field(primary_key=True, description="Stable slug of the person.")
    citations: list[Citation] = cited_by("person", "Person", lazy="select")


class PersonPublic(PersonBase):
    """A person as served, with the excerpts that name them."""

    id: str = Field(description="Stable slug of the person.")
    citations: list[CitationPublic] = Field(description="Excerpts naming the person.")


class PersonSummary(SQLModel):
    """The few facts of a person that a record embeds."""

    id: str = Field(description="Stable slug of the person.")
    name: str = Field(description="Name as the sources write it.")
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 country.")
    description: str | None = Field(default=None, description="Role or short description.")
