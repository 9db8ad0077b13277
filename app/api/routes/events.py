"""Routes of /v1/events."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.pagination import Page, make_page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import EventDep, SessionDep
from app.models import EventPublic
from app.queries.events import EventQuery, list_events

router = APIRouter(prefix="/events", tags=["events"], responses=PROBLEM_RESPONSES)


@router.get("", summary="List events", response_model=Page[EventPublic])
def read_events(request: Request, response: Response, session: SessionDep,
                query: Annotated[EventQuery, Query()]) -> Page[EventPublic]:
    """Dated milestones for a timeline."""
    rows, total = list_events(session, query)
    items = [EventPublic.model_validate(row) for row in rows]
    return make_page(request, response, items, total, query)


@router.get("/{id}", summary="Get an event", response_model=EventPublic)
def read_event(event: EventDep) -> EventPublic:
    """One event with its places, people, projects and citations."""
    return EventPublic.model_validate(event)
