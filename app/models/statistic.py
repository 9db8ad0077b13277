"""Fields shared by stated figures over a period (trade statistics and indicators)."""

from sqlmodel import Field

from app.models.dating import basis_field, text_field
from app.models.record import RecordBase
from app.models.types import DateBasis, FullDate


class PeriodFigureBase(RecordBase):
    """A value with a unit for a period, as one source states it."""

    metric: str = Field(index=True, description="What is measured (a metric vocabulary).")
    period_start: FullDate | None = Field(
        default=None,
        index=True,
        description="First day of the period; null if not stated.",
    )
    period_end: FullDate | None = Field(
        default=None,
        index=True,
        description="Last day of the period (a target's deadline).",
    )
    date_basis: DateBasis | None = basis_field("period_start` and `period_end")
    date_text: str | None = text_field("period_start` and `period_end")
    period_label: str | None = Field(default=None, description="The period as a person says it.")
    value: float | None = Field(default=None, description="The value, in `unit`; null if unstated.")
    unit: str = Field(description="Unit of the value (vocabulary `unit`), e.g. USD.")
    qualifier: str = Field(default="exact", description="exact, approximately, more_than, ...")
    fact_key: str | None = Field(
        default=None,
        index=True,
        description="Curator key grouping claims about the same fact, for disagreements.",
    )
    disagreement_id: str | None = Field(
        default=None,
        index=True,
        description="Set when another source states a different value for the same fact; "
        "see /v1/disagreements/{id}.",
    )
