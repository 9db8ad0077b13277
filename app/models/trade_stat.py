"""Trade and investment statistics."""

from sqlmodel import Field, Relationship

from app.models.citation import Citation, CitationPublic, cited_by
from app.models.person import Person, PersonSummary
from app.models.statistic import PeriodFigureBase
from app.models.types import CountryCode, Slug


class TradeStatBase(PeriodFigureBase):
    """A trade or investment figure for a period, actual or target."""

    exporter: CountryCode | None = Field(
        default=None,
        description="For a directed flow: the exporting (investing) country.",
    )
    importer: CountryCode | None = Field(
        default=None,
        description="For a directed flow: the importing (receiving) country.",
    )
    yoy_change_pct: float | None = Field(
        default=None,
        description="Year-on-year change in per cent, as stated.",
    )
    kind: str = Field(index=True, description="actual or target (vocabulary `trade_kind`).")


class TradeStat(TradeStatBase, table=True):
    """A trade or investment statistic."""

    __tablename__ = "trade_stat"

    id: Slug = Field(primary_key=True, description="Stable slug of the statistic.")
    stated_by_id: str | None = Field(default=None, foreign_key="person.id", index=True)

    stated_by: Person | None = Relationship(sa_relationship_kwargs={"lazy": "joined"})
    citations: list[Citation] = cited_by("trade_stat", "TradeStat")


class TradeStatPublic(TradeStatBase):
    """A trade statistic as served."""

    id: str = Field(description="Stable slug of the statistic.")
    stated_by: PersonSummary | None = Field(default=None, description="Who stated it, if named.")
    citations: list[CitationPublic] = Field(description="Excerpts backing the record.")
