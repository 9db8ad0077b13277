"""The shape of each record in data/*.yaml: the models' Base fields plus references by id."""

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from app.models.award import AwardBase
from app.models.event import EventBase
from app.models.indicator import IndicatorBase
from app.models.person import PersonBase
from app.models.place import PlaceBase
from app.models.project import ProjectBase
from app.models.quote import QuoteBase
from app.models.record import Figure
from app.models.sister_city import SisterCityBase
from app.models.source import SourceBase
from app.models.trade_stat import TradeStatBase
from app.models.types import CountryCode, Slug, interval_of, precision_of

STRICT = ConfigDict(extra="forbid")


def derive_date_fields(record: BaseModel) -> None:
    """Set `F_precision`, `F_start` and `F_end` of every partial date field `F` from its value."""
    fields = type(record).model_fields
    for name in fields:
        date_field = name.removesuffix("_precision")
        if date_field == name or date_field not in fields:
            continue
        value = getattr(record, date_field)
        setattr(record, name, precision_of(value))
        start, end = interval_of(value)
        if f"{date_field}_start" in fields:
            setattr(record, f"{date_field}_start", start)
            setattr(record, f"{date_field}_end", end)


def refuse_interval(model: type[BaseModel], name: str | None, value: Any) -> Any:
    """A curated `F_start`/`F_end` of a partial date `F` is refused: it is derived, never typed."""
    for suffix in ("_start", "_end"):
        date_field = (name or "").removesuffix(suffix)
        if date_field != name and f"{date_field}_precision" in model.model_fields:
            raise ValueError(f"derived from {date_field}; remove it from the record")
    return value


class CitationIn(BaseModel):
    """A citation as the curator writes it: offsets are computed, never typed."""

    model_config = STRICT

    source: Slug
    excerpt: str = Field(min_length=1)
    occurrence: int | None = Field(default=None, ge=1)


class _Record(BaseModel):
    """Id and citations, which every cited record has."""

    id: Slug
    citations: list[CitationIn] = Field(min_length=1)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_interval(cls, value: Any, info: ValidationInfo) -> Any:
        return refuse_interval(cls, info.field_name, value)

    @model_validator(mode="after")
    def _derive_precisions(self) -> Self:
        # Precision and interval are derived from the date's form, so they cannot contradict it.
        derive_date_fields(self)
        return self


class CreditIn(BaseModel):
    """A person the source credits."""

    model_config = STRICT

    person: Slug
    role: str = Field(min_length=1)


class SourceIn(SourceBase):
    """A source entry of sources.yaml."""

    model_config = STRICT  # type: ignore[assignment]

    id: Slug
    credits: list[CreditIn] = Field(default_factory=list)
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_interval(cls, value: Any, info: ValidationInfo) -> Any:
        return refuse_interval(cls, info.field_name, value)

    @model_validator(mode="after")
    def _check_precision(self) -> Self:
        if self.published_precision != precision_of(self.published):
            raise ValueError(
                f"published_precision {self.published_precision!r} does not match "
                f"published {self.published!r}"
            )
        derive_date_fields(self)
        return self


class PersonIn(PersonBase, _Record):
    """A person entry."""

    model_config = STRICT  # type: ignore[assignment]


class PlaceIn(PlaceBase, _Record):
    """A place entry."""

    model_config = STRICT  # type: ignore[assignment]

    parent: Slug | None = None


class PartnerIn(BaseModel):
    """A partner organisation of a project."""

    model_config = STRICT

    name: str
    country: CountryCode | None = None
    role: str | None = None


class FigureIn(Figure):
    """A project figure."""

    model_config = STRICT  # type: ignore[assignment]


class ProjectIn(ProjectBase, _Record):
    """A project entry."""

    model_config = STRICT  # type: ignore[assignment]

    place: Slug | None = None
    figures: list[FigureIn] = Field(default_factory=list)
    partners: list[PartnerIn] = Field(default_factory=list)


class AwardIn(AwardBase, _Record):
    """An award conferral entry."""

    model_config = STRICT  # type: ignore[assignment]

    recipient: Slug
    place: Slug | None = None


class TradeStatIn(TradeStatBase, _Record):
    """A trade statistic entry."""

    model_config = STRICT  # type: ignore[assignment]

    stated_by: Slug | None = None

    @model_validator(mode="after")
    def _check_period(self) -> Self:
        _check_period_order(self.period_start, self.period_end)
        return self


class IndicatorIn(IndicatorBase, _Record):
    """An indicator entry."""

    model_config = STRICT  # type: ignore[assignment]

    place: Slug | None = None

    @model_validator(mode="after")
    def _check_period(self) -> Self:
        _check_period_order(self.period_start, self.period_end)
        return self


class SisterCityIn(SisterCityBase, _Record):
    """A sister-city tie entry."""

    model_config = STRICT  # type: ignore[assignment]

    side_a: Slug
    side_b: Slug


class QuoteIn(QuoteBase, _Record):
    """A quote entry."""

    model_config = STRICT  # type: ignore[assignment]

    speaker: Slug


class EventIn(EventBase, _Record):
    """An event entry."""

    model_config = STRICT  # type: ignore[assignment]

    places: list[Slug] = Field(default_factory=list)
    people: list[Slug] = Field(default_factory=list)
    projects: list[Slug] = Field(default_factory=list)


def _check_period_order(start: str | None, end: str | None) -> None:
    if start and end and start > end:
        raise ValueError(f"period_start {start} is after period_end {end}")
