"""Indicators: any other stated figure (counts of pairs, institutes, trains, ...)."""

from sqlmodel import Field, Relationship

from app.models.citation import Citation, CitationPublic, cited_by
from app.models.place import Place, PlaceSummary
from app.models.statistic import PeriodFigureBase
from app.models.types import Slug


class IndicatorBase(PeriodFigureBase):
    """A stated figure that is not a trade statistic."""

    subject: str = Field(description="What exactly is counted or measured.")


class Indicator(IndicatorBase, table=True):
    """A stated figure."""

    id: Slug = Field(primary_key=True, description="Stable slug of the indicator.")
    place_id: str | None = Field(default=None, foreign_key="place.id", index=True)

    place: Place | None = Relationship(sa_relationship_kwargs={"lazy": "joined"})
    citations: list[Citation] = cited_by("indicator", "Indicator")


class IndicatorPublic(IndicatorBase):
    """An indicator as served."""

    id: str = Field(description="Stable slug of the indicator.")
    place: PlaceSummary | None = Field(default=None, description="The place it is about.")
    citations: list[CitationPublic] = Field(description="Excerpts backing the record.")
