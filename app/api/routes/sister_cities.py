"""Routes of /v1/sister-cities."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.formats import item_response, item_responses, list_response, list_responses, tie_line
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import SessionDep, SisterCityDep
from app.models import SisterCityPublic
from app.queries.common import GeoItemQuery
from app.queries.sister_cities import SisterCityQuery, list_sister_cities

router = APIRouter(prefix="/sister-cities", tags=["sister cities"], responses=PROBLEM_RESPONSES)


@router.get(
    "",
    operation_id="list_sister_cities",
    summary="List sister-city ties",
    response_model=Page[SisterCityPublic],
    responses=list_responses("sister-cities", SisterCityPublic, tie_line),
)
def read_sister_cities(
    request: Request, session: SessionDep, query: Annotated[SisterCityQuery, Query()]
) -> Response:
    """Sister-city and sister-region ties between the pair's countries."""
    return list_response(
        request, SisterCityPublic, query, lambda q: list_sister_cities(session, q), tie_line
    )


@router.get(
    "/{id}",
    operation_id="get_sister_city",
    summary="Get a sister-city tie",
    response_model=SisterCityPublic,
    responses=item_responses("sister-cities", SisterCityPublic, tie_line),
)
def read_sister_city(
    request: Request, sister_city: SisterCityDep, query: Annotated[GeoItemQuery, Query()]
) -> Response:
    """One sister-city tie with both places and its citations."""
    return item_response(request, SisterCityPublic, sister_city, query, tie_line)
