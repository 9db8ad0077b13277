"""Source documents: bibliographic facts of each text that records cite."""

from typing import TYPE_CHECKING

from sqlalchemy import JSON, Column
from sqlmodel import Field, Relationship, SQLModel

from app.models.dating import basis_field, end_field, start_field
from app.models.types import DateBasis, PartialDate, Slug

if TYPE_CHECKING:
    from app.models.person import Person


class SourceBase(SQLModel):
    """Bibliographic facts of a source document."""

    title: str = Field(description="Title as published (may be cut off where the copy is).")
    publisher: str | None = Field(default=None, description="Publisher or outlet.")
    authors: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Named authors, in byline order; empty when none is named.",
    )
    kind: str = Field(
        description="Kind of document (vocabulary `source_kind`), e.g. interview, press_release."
    )
    language: str = Field(description="Language of the stored text (ISO 639-1).")
    published: PartialDate | None = Field(
        default=None,
        description="Publication date, as precise as known (YYYY[-MM[-DD]]).",
    )
    published_precision: str = Field(
        default="unknown",
        description="Precision of `published`: day, month, year or unknown.",
    )
    published_basis: DateBasis | None = basis_field("published", index=False)
    published_start: str | None = start_field("published")
    published_end: str | None = end_field("published")
    url: str | None = Field(default=None, description="The original's address, where known.")
    copy_url: str | None = Field(default=None, description="A public republished copy's address.")
    notes: str | None = Field(
        default=None, description="Curator notes, e.g. how a date was inferred."
    )


class Source(SourceBase, table=True):
    """A source document stored byte for byte under data/sources/."""

    id: Slug = Field(primary_key=True, description="Stable slug of the source.")
    sha256: str = Field(description="SHA-256 of the stored text's bytes.")
    length: int = Field(description="Length of the stored text in code points.")

    credits: list["SourceCredit"] = Relationship(
        # Sources are embedded in every citation; their credits load only when asked.
        sa_relationship_kwargs={"lazy": "select", "order_by": "SourceCredit.position"}
    )


class SourceCredit(SQLModel, table=True):
    """A person credited by a source: author, reporter, editor, ..."""

    __tablename__ = "source_credit"

    source_id: str = Field(foreign_key="source.id", primary_key=True)
    person_id: str = Field(foreign_key="person.id", primary_key=True, index=True)
    role: str = Field(description="Role in making the document, as it credits them.")
    position: int = Field(description="Order of the credit in the document.")

    person: "Person" = Relationship(sa_relationship_kwargs={"lazy": "joined"})

    @property
    def name(self) -> str:
        """The credited person's name."""
        return self.person.name


class CreditPublic(SQLModel):
    """A person credited by a source, and their role."""

    person_id: str = Field(description="Id of the person (see /v1/people/{id}).")
    name: str = Field(description="Name of the person.")
    role: str = Field(description="Role in making the document.")


class SourcePublic(SourceBase):
    """A source document as served, without its text."""

    id: str = Field(description="Stable slug of the source.")
    sha256: str = Field(description="SHA-256 of the stored text's bytes (UTF-8).")
    length: int = Field(description="Length of the stored text in code points.")
    text_url: str = Field(description="Path of the exact stored text (text/plain).")
    credits: list[CreditPublic] = Field(
        default_factory=list, description="People the document credits (authors, editors, ...)."
    )


class SourceSummary(SQLModel):
    """The few facts of a source that a citation shows."""

    id: str = Field(description="Stable slug of the source.")
    title: str = Field(description="Title as published.")
    publisher: str | None = Field(default=None, description="Publisher or outlet.")
    published: str | None = Field(default=None, description="Publication date (YYYY[-MM[-DD]]).")


class SourceText(SQLModel, table=True):
    """The exact stored text of a source, kept apart so lists never load it."""

    __tablename__ = "source_text"

    source_id: str = Field(foreign_key="source.id", primary_key=True)
    text: str = Field(description="The text, byte for byte as stored under data/sources/.")
