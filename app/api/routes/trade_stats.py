"""Routes of /v1/trade-stats beyond the list and the item: the time series."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from app.api.examples import example, media_example
from app.api.flat import csv_lines, flat_columns
from app.api.formats import (
    csv_media,
    negotiate,
)
from app.api.params import check_query
from app.deps import SessionDep
from app.models import PersonSummary, TradeStat
from app.models.types import DateBasis, FullDate
from app.queries.trade_stats import SeriesQuery, series_points

# Mounted under /v1/trade-stats beside the list and item routes (app/api/routes/collections.py).
router = APIRouter()


class SeriesPoint(BaseModel):
    """One period of a series."""

    id: str = Field(description="Id of the trade statistic (see /v1/trade-stats/{id}).")
    period_start: FullDate | None = Field(description="First day of the period.")
    period_end: FullDate | None = Field(description="Last day of the period (a target's deadline).")
    period_label: str | None = Field(description="The period as a person says it.")
    date_basis: DateBasis | None = Field(
        description="How the period was obtained: stated, relative (resolved against the "
        "source's date, e.g. 'January-May of this year'), publication or inferred."
    )
    date_text: str | None = Field(description="The verbatim phrase giving the period, if any.")
    time: dt.datetime = Field(
        description="Where a time-series tool (Grafana) places the point, RFC 3339 UTC: the "
        "first day of an actual figure's period, a target's deadline."
    )
    deadline: dt.datetime | None = Field(
        description="A target's deadline, the last day of its period, RFC 3339 UTC; null for "
        "actual figures."
    )
    value: float | None = Field(description="The value, in `unit`.")
    unit: str = Field(description="Unit, e.g. USD.")
    qualifier: str = Field(description="exact, more_than, ...")
    kind: str = Field(description="actual or target.")
    yoy_change_pct: float | None = Field(description="Year-on-year change in per cent.")
    disputed: bool = Field(description="Another source states a different value for it.")
    stated_by: PersonSummary | None = Field(description="Who stated it, if a person is named.")
    sources: list[str] = Field(description="Ids of the sources stating it.")


class Series(BaseModel):
    """The points of one kind (actual or target), in period order."""

    kind: str = Field(description="actual or target.")
    points: list[SeriesPoint] = Field(description="One point per stated period.")


class TradeSeries(BaseModel):
    """A metric's values over time, actual and target kept apart, ready to plot."""

    metric: str = Field(description="The metric.")
    pair: str | None = Field(description="The country pair asked for, if any.")
    series: list[Series] = Field(description="One series per kind.")


def _timestamp(day: str | None) -> dt.datetime | None:
    """Midnight UTC of a full ISO date."""
    return None if day is None else dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)


def _point(row: TradeStat) -> SeriesPoint:
    deadline = _timestamp(row.period_end) if row.kind == "target" else None
    time = deadline or _timestamp(row.period_start or row.period_end)
    assert time is not None  # the series holds only figures with a period
    return SeriesPoint(
        id=row.id,
        period_start=row.period_start,
        period_end=row.period_end,
        period_label=row.period_label,
        date_basis=row.date_basis,
        date_text=row.date_text,
        time=time,
        deadline=deadline,
        value=row.value,
        unit=row.unit,
        qualifier=row.qualifier,
        kind=row.kind,
        yoy_change_pct=row.yoy_change_pct,
        disputed=row.disagreement_id is not None,
        stated_by=PersonSummary.model_validate(row.stated_by) if row.stated_by else None,
        sources=list(dict.fromkeys(c.source_id for c in row.citations)),
    )


@router.get(
    "/series",
    operation_id="get_trade_series",
    summary="Get a trade time series",
    response_model=TradeSeries,
    responses={
        200: {
            "content": {
                "application/json": media_example("series", example("series")),
                "text/csv": csv_media(
                    "series",
                    SeriesPoint,
                    [p for s in example("series")["series"] for p in s["points"]],
                ),
            },
            "description": "The series as JSON, or as CSV rows with a kind column.",
        }
    },
)
def read_trade_series(
    request: Request, session: SessionDep, query: Annotated[SeriesQuery, Query()]
) -> Response:
    """One row per stated period of a metric, sorted; actual values and targets apart.

    Figures whose period the sources do not state are left out (they cannot be placed on
    a time axis); they remain in /v1/trade-stats.
    """
    check_query(request, query)
    fmt = negotiate(request, query.format, geo=False)
    points = [_point(row) for row in series_points(session, query)]
    if fmt == "csv":
        rows = [point.model_dump(mode="json") for point in points]
        body = csv_lines(flat_columns(SeriesPoint), rows)
        return Response(body, media_type="text/csv; charset=utf-8", headers={"Vary": "Accept"})
    kinds = list(dict.fromkeys(point.kind for point in points))
    result = TradeSeries(
        metric=query.metric,
        pair=query.pair,
        series=[Series(kind=kind, points=[p for p in points if p.kind == kind]) for kind in kinds],
    )
    return Response(
        result.model_dump_json(), media_type="application/json", headers={"Vary": "Accept"}
    )
