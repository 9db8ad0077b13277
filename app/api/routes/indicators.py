"""Routes of /v1/indicators."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.formats import item_response, item_responses, list_response, list_responses
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import IndicatorDep, SessionDep
from app.models import IndicatorPublic
from app.queries.common import ItemQuery
from app.queries.indicators import IndicatorQuery, list_indicators

router = APIRouter(prefix="/indicators", tags=["indicators"], responses=PROBLEM_RESPONSES)


@router.get(
    "",
    operation_id="list_indicators",
    summary="List indicators",
    response_model=Page[IndicatorPublic],
    responses=list_responses("indicators", IndicatorPublic),
)
def read_indicators(
    request: Request, session: SessionDep, query: Annotated[IndicatorQuery, Query()]
) -> Response:
    """Other stated figures: counts of ports, institutes, trains, tourists, ranks, ..."""
    return list_response(request, IndicatorPublic, query, lambda q: list_indicators(session, q))


@router.get(
    "/{id}",
    operation_id="get_indicator",
    summary="Get an indicator",
    response_model=IndicatorPublic,
    responses=item_responses("indicators", IndicatorPublic),
)
def read_indicator(
    request: Request, indicator: IndicatorDep, query: Annotated[ItemQuery, Query()]
) -> Response:
    """One indicator with its citations."""
    return item_response(request, IndicatorPublic, indicator, query)
