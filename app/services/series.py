"""The trade time series: a metric's figures as points a time-series tool can place.

A figure covers a period, so a point sits at the period's last day, the instant the figure
is complete (a target's deadline is the last day of its period too). Figures over periods
of different kinds (a whole year, January to some month, a total as of a day) are not
comparable with each other, so each kind of period is a series of its own: the full-year
2023 trade and the January-July 2023 trade are two series, not two neighbouring points of
one line.
"""

import datetime as dt
from typing import Literal, get_args

from pydantic import BaseModel, Field
from sqlmodel import Session

from app.models import PersonSummary, TradeStat
from app.models.types import DateBasis, FullDate
from app.queries.trade_stats import SeriesQuery, series_points

PeriodKind = Literal["year", "year_to_date", "other", "until"]
# The order series of one kind (actual, target) come in.
PERIOD_KINDS: tuple[str, ...] = get_args(PeriodKind)

PERIOD_KIND_DOC = (
    "Kind of period, which makes a series of its own: `year`, a whole calendar year "
    "(1 January to 31 December); `year_to_date`, from 1 January to a day before the year's "
    "end (January-July 2023); `until`, a period whose start is not stated (a total as of "
    "its last day, a target by its deadline); `other`, any other period (a month, a "
    "quarter, several years, or no stated end)."
)


class SeriesPoint(BaseModel):
    """One period of a series."""

    id: str = Field(description="Id of the trade statistic (see /v1/trade-stats/{id}).")
    period_start: FullDate | None = Field(
        description="First day of the period; null if not stated."
    )
    period_end: FullDate | None = Field(description="Last day of the period (a target's deadline).")
    period_label: str | None = Field(description="The period as a person says it.")
    period_kind: PeriodKind = Field(description=PERIOD_KIND_DOC)
    date_basis: DateBasis | None = Field(
        description="How the period was obtained: stated, relative (resolved against the "
        "source's date, e.g. 'January-May of this year'), publication or inferred."
    )
    date_text: str | None = Field(description="The verbatim phrase giving the period, if any.")
    time: dt.datetime = Field(
        description="Where a time-series tool (Grafana) places the point, RFC 3339 UTC: "
        "midnight starting the last day of its period (31 December for a year, 31 July for "
        "January-July, a target's deadline), or its first day where no end is stated. No two "
        "points of one series share a time unless they state the same period."
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
    """The points of one kind (actual or target) over one kind of period, in time order."""

    kind: str = Field(description="actual or target.")
    period_kind: PeriodKind = Field(description=PERIOD_KIND_DOC)
    points: list[SeriesPoint] = Field(description="One point per stated period, in time order.")


class TradeSeries(BaseModel):
    """A metric's values over time, ready to plot: one series per kind (actual, target) and
    kind of period (whole years, year to date, ...), so that no line joins figures over
    periods of different lengths."""

    metric: str = Field(description="The metric.")
    pair: str | None = Field(description="The country pair asked for, if any.")
    series: list[Series] = Field(
        description="One series per kind and kind of period: actual before target, and "
        "within each, year, year_to_date, other, until."
    )


def period_kind(start: str | None, end: str | None) -> PeriodKind:
    """The kind of a period of full ISO dates (see PERIOD_KIND_DOC)."""
    if start is None:
        return "until" if end is not None else "other"
    if end is None or start[4:] != "-01-01" or start[:4] != end[:4]:
        return "other"
    return "year" if end[4:] == "-12-31" else "year_to_date"


def _timestamp(day: str | None) -> dt.datetime | None:
    """Midnight UTC of a full ISO date."""
    return None if day is None else dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)


def _point(row: TradeStat) -> SeriesPoint:
    deadline = _timestamp(row.period_end) if row.kind == "target" else None
    time = _timestamp(row.period_end or row.period_start)
    assert time is not None  # the series holds only figures with a period
    return SeriesPoint(
        id=row.id,
        period_start=row.period_start,
        period_end=row.period_end,
        period_label=row.period_label,
        period_kind=period_kind(row.period_start, row.period_end),
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


def trade_series(session: Session, query: SeriesQuery) -> TradeSeries:
    """The series of `query`'s metric: its figures with a stated period, grouped by kind and
    kind of period, each series in time order."""
    points = [_point(row) for row in series_points(session, query)]  # by kind, then time
    groups: dict[tuple[str, PeriodKind], list[SeriesPoint]] = {}
    for point in points:
        groups.setdefault((point.kind, point.period_kind), []).append(point)
    keys = sorted(groups, key=lambda key: (key[0], PERIOD_KINDS.index(key[1])))
    return TradeSeries(
        metric=query.metric,
        pair=query.pair,
        series=[Series(kind=kind, period_kind=pk, points=groups[kind, pk]) for kind, pk in keys],
    )


def series_rows(series: TradeSeries) -> list[SeriesPoint]:
    """The points of every series, series after series (the rows of the CSV answer)."""
    return [point for one in series.series for point in one.points]
