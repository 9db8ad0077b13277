"""Direct quotations of people."""

from sqlmodel import Field, Relationship

from app.models.citation import Citation, CitationPublic, cited_by
from app.models.dating import basis_field, end_field, start_field, text_field
from app.models.person import Person, PersonSummary
from app.models.record import RecordBase
from app.models.types import DateBasis, PartialDate, Slug


class QuoteBase(RecordBase):
    """Facts about a quotation."""

    text: str = Field(
        description="Display text; may clean the source's debris. The verbatim "
        "wording is the first citation's excerpt."
    )
    speaker_role: str | None = Field(default=None, description="The speaker's role at the time.")
    date: PartialDate | None = Field(default=None, index=True, description="When it was said.")
    date_precision: str = Field(default="unknown", description="Precision of `date`.")
    date_basis: DateBasis | None = basis_field("date")
    date_text: str | None = text_field("date")
    date_start: str | None = start_field("date")
    date_end: str | None = end_field("date")
    context: str | None = Field(default=None, description="Where and in what setting.")


class Quote(QuoteBase, table=True):
    """A direct quotation."""

    id: Slug = Field(primary_key=True, description="Stable slug of the quote.")
    speaker_id: str = Field(foreign_key="person.id", index=True)

    speaker: Person = Relationship(sa_relationship_kwargs={"lazy": "joined"})
    citations: list[Citation] = cited_by("quote", "Quote")


class QuotePublic(QuoteBase):
    """A quote as served."""

    id: str = Field(description="Stable slug of the quote.")
    speaker: PersonSummary = Field(description="Who said it.")
    citations: list[CitationPublic] = Field(description="Excerpts backing the record.")
