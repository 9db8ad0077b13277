"""Queries on indicators."""

from pydantic import Field
from sqlalchemy import func
from sqlmodel import col

from app.models import Indicator
from app.queries.compiled import Readable
from app.queries.filters import year_of
from app.queries.listing import ListResult, ListSpec, every, run_list
from app.queries.parameters import DateBases, FigureQuery, Ref, Text, Year

SORTABLE = {
    "id": col(Indicator.id),
    "metric": col(Indicator.metric),
    "value": col(Indicator.value),
    "period_start": col(Indicator.period_start),
    "period_end": col(Indicator.period_end),
}

SPEC = ListSpec(
    record_type="indicator",
    id_column=col(Indicator.id),
    sortable=SORTABLE,
    default_order=[col(Indicator.metric)],
    facets={
        "metric": col(Indicator.metric),
        "unit": col(Indicator.unit),
        "place": col(Indicator.place_id),
        "year": year_of(col(Indicator.period_start)),
    },
    equals={"metric": col(Indicator.metric), "place": col(Indicator.place_id)},
    text=(col(Indicator.subject),),
    period=(col(Indicator.period_start), col(Indicator.period_end)),
    bases=(
        (
            col(Indicator.date_basis),
            func.coalesce(col(Indicator.period_start), col(Indicator.period_end)),
        ),
    ),
    pair=col(Indicator.pair),
    disputed=col(Indicator.disagreement_id),
)


class IndicatorQuery(FigureQuery):
    """Filters of the indicator list."""

    metric: Text = Field(
        default=None,
        examples=["confucius_institutes"],
        description="Metric (vocabulary `indicator_metric`).",
    )
    place: Ref = Field(
        default=None, examples=["zhambyl-region"], description="Place id the figure is about."
    )
    year_from: Year = Field(
        default=None, examples=[2020], description="Periods overlapping this year or later."
    )
    year_to: Year = Field(
        default=None, examples=[2024], description="Periods overlapping this year or earlier."
    )
    date_basis: DateBases = None
    q: Text = Field(default=None, examples=["wind"], description="Text to find in the subject.")
    sort: Text = Field(
        default=None, description="Sort fields, '-' for descending: " + ", ".join(SORTABLE)
    )
    facet: Text = Field(
        default=None,
        description="Fields to count values of: " + ", ".join([*SPEC.facets, "source"]),
    )


def list_indicators(session: Readable, query: IndicatorQuery) -> ListResult:
    """A filtered, sorted page of indicators."""
    return run_list(session, every(Indicator), query, SPEC)
