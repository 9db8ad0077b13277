"""Awards: the conferral of an award, order or title on a person."""

from sqlmodel import Field, Relationship

from app.models.citation import Citation, CitationPublic, cited_by
from app.models.dating import basis_field, end_field, start_field, text_field
from app.models.person import Person, PersonSummary
from app.models.place import Place, PlaceSummary
from app.models.record import RecordBase
from app.models.types import CountryCode, DateBasis, PartialDate, Slug


class AwardBase(RecordBase):
    """Facts about one conferral of an award."""

    name: str = Field(index=True, description="English name of the award.")
    local_name: str | None = Field(default=None, description="Local name, e.g. Altyn Qyran.")
    conferred_by: str | None = Field(default=None, description="The state or body conferring it.")
    conferred_by_country: CountryCode | None = Field(
        default=None,
        index=True,
        description="Country of the conferring state or body.",
    )
    date: PartialDate | None = Field(default=None, index=True, description="Date of conferral.")
    date_precision: str = Field(default="unknown", description="Precision of `date`.")
    date_basis: DateBasis | None = basis_field("date")
    date_text: str | None = text_field("date")
    date_start: str | None = start_field("date")
    date_end: str | None = end_field("date")
    reason: str | None = Field(default=None, description="The stated reason.")


class Award(AwardBase, table=True):
    """One conferral of an award."""

    id: Slug = Field(primary_key=True, description="Stable slug of the conferral.")
    recipient_id: str = Field(foreign_key="person.id", index=True)
    place_id: str | None = Field(default=None, foreign_key="place.id", index=True)

    recipient: Person = Relationship(sa_relationship_kwargs={"lazy": "joined"})
    place: Place | None = Relationship(sa_relationship_kwargs={"lazy": "joined"})
    citations: list[Citation] = cited_by("award", "Award")


class AwardPublic(AwardBase):
    """An award conferral as served."""

    id: str = Field(description="Stable slug of the conferral.")
    recipient: PersonSummary = Field(description="Who received it.")
    place: PlaceSummary | None = Field(default=None, description="Where it was conferred.")
    citations: list[CitationPublic] = Field(description="Excerpts backing the record.")
