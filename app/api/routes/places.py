"""Routes of /v1/places."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.formats import (
    item_response,
    item_responses,
    list_response,
    list_responses,
    place_point,
)
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import PlaceDep, SessionDep
from app.models import PlacePublic
from app.queries.common import GeoItemQuery
from app.queries.places import PlaceQuery, list_places

router = APIRouter(prefix="/places", tags=["places"], responses=PROBLEM_RESPONSES)


@router.get(
    "",
    operation_id="list_places",
    summary="List places",
    response_model=Page[PlacePublic],
    responses=list_responses("places", PlacePublic, place_point),
)
def read_places(
    request: Request, session: SessionDep, query: Annotated[PlaceQuery, Query()]
) -> Response:
    """Countries, regions and cities, with ISO codes and curator-supplied coordinates."""
    return list_response(
        request, PlacePublic, query, lambda q: list_places(session, q), place_point
    )


@router.get(
    "/{id}",
    operation_id="get_place",
    summary="Get a place",
    response_model=PlacePublic,
    responses=item_responses("places", PlacePublic, place_point),
)
def read_place(
    request: Request, place: PlaceDep, query: Annotated[GeoItemQuery, Query()]
) -> Response:
    """One place with the excerpts that name it."""
    return item_response(request, PlacePublic, place, query, place_point)
