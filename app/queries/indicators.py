"""Queries on indicators."""

from pydantic import Field
from sqlalchemy import func
from sqlmodel import col

from app.models import Indicator
from app.queries.compiled import Readable
from app.queries.filters import year_of
from app.queries.listing import ListResult, ListSpec, every, run_list
from app.queries.parameters import (
    DateBases,
    FigureQuery,
    RefItem,
    Text,
    TextItem,
    Year,
    any_of,
    facet_choices,
    sort_choices,
    vocabulary,
)

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

    metric: list[TextItem] | None = vocabulary("indicator_metric", "confucius_institutes", "Metric")
    place: list[RefItem] | None = any_of("zhambyl-region", "Place id the figure is about")
    year_from: Year = Field(
        default=None, examples=[2020], description="Periods overlapping this year or later."
    )
    year_to: Year = Field(
        default=None, examples=[2024], description="Periods overlapping this year or earlier."
    )
    date_basis: DateBases = None
    q: Text = Field(default=None, examples=["wind"], description="Text to find in the subject.")
    sort: list[str] | None = sort_choices(SORTABLE)
    facet: list[str] | None = facet_choices(SPEC)


def list_indicators(session: Readable, query: IndicatorQuery) -> ListResult:
    """A filtered, sorted page of indicators."""
    return run_list(session, every(Indicator), query, SPEC)
