"""Sister-city (and sister-region) ties."""

from sqlmodel import Field, Relationship

from app.models.citation import Citation, CitationPublic, cited_by
from app.models.dating import basis_field, end_field, start_field, text_field
from app.models.place import Place, PlaceSummary
from app.models.record import RecordBase
from app.models.types import DateBasis, PartialDate, Slug


class SisterCityBase(RecordBase):
    """Facts about a tie between two places of the pair's two countries."""

    tie_type: str = Field(index=True, description="Type of tie (vocabulary `tie_type`).")
    established: PartialDate | None = Field(
        default=None,
        index=True,
        description="Date the tie was established.",
    )
    established_precision: str = Field(default="unknown", description="Precision of established.")
    established_basis: DateBasis | None = basis_field("established")
    established_text: str | None = text_field("established")
    established_start: str | None = start_field("established")
    established_end: str | None = end_field("established")


class SisterCity(SisterCityBase, table=True):
    """A tie between a place of the pair's first country and one of its second."""

    __tablename__ = "sister_city"

    id: Slug = Field(primary_key=True, description="Stable slug of the tie.")
    side_a_id: str = Field(foreign_key="place.id", index=True)
    side_b_id: str = Field(foreign_key="place.id", index=True)

    side_a: Place = Relationship(
        sa_relationship_kwargs={"lazy": "joined", "foreign_keys": "SisterCity.side_a_id"}
    )
    side_b: Place = Relationship(
        sa_relationship_kwargs={"lazy": "joined", "foreign_keys": "SisterCity.side_b_id"}
    )
    citations: list[Citation] = cited_by("sister_city", "SisterCity")


class SisterCityPublic(SisterCityBase):
    """A sister-city tie as served."""

    id: str = Field(description="Stable slug of the tie.")
    side_a: PlaceSummary = Field(description="The place in the pair's first country.")
    side_b: PlaceSummary = Field(description="The place in the pair's second country.")
    citations: list[CitationPublic] = Field(description="Excerpts backing the record.")
