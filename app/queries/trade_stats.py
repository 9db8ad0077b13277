"""Queries on trade statistics."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from app.models import TradeStat
from app.queries.compiled import Readable
from app.queries.filters import year_of
from app.queries.listing import ListResult, ListSpec, every, run_list
from app.queries.ordering import as_on_sqlite
from app.queries.parameters import (
    MAX_TEXT,
    PAIR_DOC,
    VOCABULARY_KEY,
    DateBases,
    FigureQuery,
    PairItem,
    RefItem,
    TextItem,
    Year,
    any_of,
    facet_choices,
    sort_choices,
    vocabulary,
)

SORTABLE = {
    "id": col(TradeStat.id),
    "period_start": col(TradeStat.period_start),
    "period_end": col(TradeStat.period_end),
    "value": col(TradeStat.value),
    "metric": col(TradeStat.metric),
    "kind": col(TradeStat.kind),
}

SPEC = ListSpec(
    record_type="trade_stat",
    id_column=col(TradeStat.id),
    sortable=SORTABLE,
    default_order=[col(TradeStat.period_start)],
    facets={
        "metric": col(TradeStat.metric),
        "kind": col(TradeStat.kind),
        "stated_by": col(TradeStat.stated_by_id),
        "unit": col(TradeStat.unit),
        "year": year_of(col(TradeStat.period_start)),
    },
    equals={
        "metric": col(TradeStat.metric),
        "kind": col(TradeStat.kind),
        "stated_by": col(TradeStat.stated_by_id),
    },
    period=(col(TradeStat.period_start), col(TradeStat.period_end)),
    bases=(
        (
            col(TradeStat.date_basis),
            func.coalesce(col(TradeStat.period_start), col(TradeStat.period_end)),
        ),
    ),
    pair=col(TradeStat.pair),
    disputed=col(TradeStat.disagreement_id),
)


class TradeStatQuery(FigureQuery):
    """Filters of the trade statistics list."""

    metric: list[TextItem] | None = vocabulary("trade_metric", "trade_turnover", "Metric")
    kind: list[TextItem] | None = vocabulary("trade_kind", "actual", "actual or target")
    year_from: Year = Field(
        default=None, examples=[2020], description="Periods overlapping this year or later."
    )
    year_to: Year = Field(
        default=None, examples=[2024], description="Periods overlapping this year or earlier."
    )
    date_basis: DateBases = None
    stated_by: list[RefItem] | None = any_of("zhang-xiao", "Person id of who stated it")
    sort: list[str] | None = sort_choices(SORTABLE)
    facet: list[str] | None = facet_choices(SPEC)


def list_trade_stats(session: Readable, query: TradeStatQuery) -> ListResult:
    """A filtered, sorted page of trade statistics."""
    return run_list(session, every(TradeStat), query, SPEC)


class SeriesQuery(BaseModel):
    """Which time series to return."""

    model_config = ConfigDict(extra="forbid")

    metric: str = Field(
        min_length=1,
        max_length=MAX_TEXT,
        examples=["trade_turnover"],
        description="Metric (vocabulary `trade_metric`), e.g. trade_turnover.",
        json_schema_extra={VOCABULARY_KEY: "trade_metric"},
    )
    pair: PairItem | None = Field(default=None, examples=["CN-KZ"], description=PAIR_DOC + ".")
    format: Literal["json", "csv"] | None = Field(
        default=None, description="json (default) or csv; overrides the Accept header."
    )


def series_points(session: Session, query: SeriesQuery) -> list[TradeStat]:
    """Statistics of one metric with a stated period, by kind (actual, target), then in the
    order of each point's time: its period's last day (or first, where no end is stated)."""
    statement = select(TradeStat).where(
        col(TradeStat.metric) == query.metric,
        or_(col(TradeStat.period_start).is_not(None), col(TradeStat.period_end).is_not(None)),
    )
    if query.pair:
        statement = statement.where(col(TradeStat.pair) == query.pair)
    order = [
        as_on_sqlite(key)
        for key in (
            col(TradeStat.kind),
            func.coalesce(col(TradeStat.period_end), col(TradeStat.period_start)),
            func.coalesce(col(TradeStat.period_start), col(TradeStat.period_end)),
            col(TradeStat.id),
        )
    ]
    return list(session.scalars(statement.order_by(*order)).unique())
