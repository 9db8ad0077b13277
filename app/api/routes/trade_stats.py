"""Routes of /v1/trade-stats beyond the list and the item: the time series."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.examples import example, media_example
from app.api.flat import csv_lines, flat_columns
from app.api.formats import CSVResponse, csv_media, format_responses, negotiate
from app.api.params import check_query
from app.deps import SessionDep
from app.queries.parameters import with_format, without_format
from app.queries.trade_stats import SeriesQuery
from app.services.series import SeriesPoint, TradeSeries, series_rows, trade_series

# Mounted under /v1/trade-stats beside the list and item routes (app/api/routes/collections.py).
router = APIRouter()


# The series' representations, with their examples.
_CONTENT = {
    "application/json": media_example("series", example("series")),
    "text/csv": csv_media(
        "series",
        SeriesPoint,
        [p for s in example("series")["series"] for p in s["points"]],
    ),
}


@router.get(
    "/series",
    operation_id="get_trade_series",
    summary="Get a trade time series",
    response_model=TradeSeries,
    responses={
        200: {
            "content": _CONTENT,
            "description": "The series as JSON, or as CSV rows with kind and period_kind "
            "columns (one series per pair of their values).",
        }
    },
)
def read_trade_series(
    request: Request, session: SessionDep, query: Annotated[SeriesQuery, Query()]
) -> Response:
    """One point per stated period of a metric, placed at the period's last day (a target
    at its deadline). Actual values and targets are apart, and so are kinds of period:
    whole years, year to date (January-July 2023), and periods without a stated start, so
    that no line joins a seven-month total to a full year's.

    Figures whose period the sources do not state are left out (they cannot be placed on
    a time axis); they remain in /v1/trade-stats.
    """
    return _series_answer(request, session, query)


@router.get(
    "/series.csv",
    operation_id="get_trade_series_csv",
    summary="Get a trade time series as CSV",
    response_class=CSVResponse,
    responses=format_responses(_CONTENT, "csv", "The series' points, with kind and period_kind,"),
)
def read_trade_series_csv(
    request: Request,
    session: SessionDep,
    query: Annotated[without_format(SeriesQuery), Query()],  # type: ignore[valid-type]
) -> Response:
    """The series as CSV: the answer of `format=csv`, at a path of its own."""
    return _series_answer(request, session, with_format(SeriesQuery, query, "csv"))


def _series_answer(request: Request, session: SessionDep, query: SeriesQuery) -> Response:
    """The series of `query` in the negotiated format (parameters checked before any SQL)."""
    check_query(request, query)
    fmt = negotiate(request, query.format, geo=False)
    result = trade_series(session, query)
    if fmt == "csv":
        rows = [point.model_dump(mode="json") for point in series_rows(result)]
        body = csv_lines(flat_columns(SeriesPoint), rows)
        return Response(body, media_type="text/csv; charset=utf-8", headers={"Vary": "Accept"})
    return Response(
        result.model_dump_json(), media_type="application/json", headers={"Vary": "Accept"}
    )
