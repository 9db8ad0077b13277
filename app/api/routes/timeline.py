"""Routes of /v1/timeline: every dated fact across collections, in date order."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.formats import list_response, list_responses
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import SessionDep
from app.models import TimelineEntryPublic
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
