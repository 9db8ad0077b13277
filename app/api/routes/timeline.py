"""Routes of /v1/timeline: every dated fact across collections, in date order."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.formats import (
    CSVResponse,
    format_responses,
    list_content,
    list_response,
    list_responses,
)
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import SessionDep
from app.models import TimelineEntryPublic
from app.queries.parameters import with_format, without_format
from app.queries.timeline import TimelineQuery, list_timeline

router = APIRouter(prefix="/timeline", tags=["timeline"], responses=PROBLEM_RESPONSES)


@router.get(
    "",
    operation_id="list_timeline",
    summary="List the timeline",
    response_model=Page[TimelineEntryPublic],
    responses=list_responses("timeline", TimelineEntryPublic),
)
def read_timeline(
    request: Request, session: SessionDep, query: Annotated[TimelineQuery, Query()]
) -> Response:
    """Every dated fact (events, awards, sister-city ties established, project starts and
    completions, trade periods, dated indicators) in date order: one entry per date, with its
    precision, basis and full-date interval, its places, people and citations. Derived from
    the records at build time.

    Filters: the years the date overlaps, collection (repeatable), place, person, country
    pair, a source its record cites, and date_basis (repeatable). In CSV a date is its
    interval (`date_start`, `date_end`) with `date_precision`, like every partial date."""
    return list_response(request, TimelineEntryPublic, query, lambda q: list_timeline(session, q))


@router.get(
    ".csv",
    operation_id="list_timeline_csv",
    summary="List the timeline as CSV",
    response_class=CSVResponse,
    responses=format_responses(list_content("timeline", TimelineEntryPublic), "csv", "The page"),
)
def read_timeline_csv(
    request: Request,
    session: SessionDep,
    query: Annotated[without_format(TimelineQuery), Query()],  # type: ignore[valid-type]
) -> Response:
    """The timeline as CSV: the answer of `format=csv`, at a path of its own."""
    timeline = with_format(TimelineQuery, query, "csv")
    return list_response(
        request, TimelineEntryPublic, timeline, lambda q: list_timeline(session, q)
    )
