"""Routes of /v1/events."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.formats import (
    item_response,
    item_responses,
    list_response,
    list_responses,
    places_points,
)
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import EventDep, SessionDep
from app.models import EventPublic
from app.queries.common import GeoItemQuery
from app.queries.events import EventQuery, list_events

router = APIRouter(prefix="/events", tags=["events"], responses=PROBLEM_RESPONSES)


@router.get(
    "",
    operation_id="list_events",
    summary="List events",
    response_model=Page[EventPublic],
    responses=list_responses("events", EventPublic, places_points),
)
def read_events(
    request: Request, session: SessionDep, query: Annotated[EventQuery, Query()]
) -> Response:
    """Dated milestones for a timeline."""
    return list_response(
        request, EventPublic, query, lambda q: list_events(session, q), places_points
    )


@router.get(
    "/{id}",
    operation_id="get_event",
    summary="Get an event",
    response_model=EventPublic,
    responses=item_responses("events", EventPublic, places_points),
)
def read_event(
    request: Request, event: EventDep, query: Annotated[GeoItemQuery, Query()]
) -> Response:
    """One event with its places, people, projects and citations."""
    return item_response(request, EventPublic, event, query, places_points)
