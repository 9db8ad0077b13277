"""Routes of /v1/places."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.pagination import Page, make_page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import PlaceDep, SessionDep
from app.models import PlacePublic
from app.queries.places import PlaceQuery, list_places

router = APIRouter(prefix="/places", tags=["places"], responses=PROBLEM_RESPONSES)


@router.get("", summary="List places", response_model=Page[PlacePublic])
def read_places(request: Request, response: Response, session: SessionDep,
                query: Annotated[PlaceQuery, Query()]) -> Page[PlacePublic]:
    """Countries, regions and cities, with ISO codes and curator-supplied coordinates."""
    rows, total = list_places(session, query)
    items = [PlacePublic.model_validate(row) for row in rows]
    return make_page(request, response, items, total, query)


@router.get("/{id}", summary="Get a place", response_model=PlacePublic)
def read_place(place: PlaceDep) -> PlacePublic:
    """One place with the excerpts that name it."""
    return PlacePublic.model_validate(place)
