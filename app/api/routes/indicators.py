"""Routes of /v1/indicators."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.pagination import Page, make_page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import IndicatorDep, SessionDep
from app.models import IndicatorPublic
from app.queries.indicators import IndicatorQuery, list_indicators

router = APIRouter(prefix="/indicators", tags=["indicators"], responses=PROBLEM_RESPONSES)


@router.get("", summary="List indicators", response_model=Page[IndicatorPublic])
def read_indicators(request: Request, response: Response, session: SessionDep,
                    query: Annotated[IndicatorQuery, Query()]) -> Page[IndicatorPublic]:
    """Other stated figures: counts of ports, institutes, trains, tourists, ranks, ..."""
    rows, total = list_indicators(session, query)
    items = [IndicatorPublic.model_validate(row) for row in rows]
    return make_page(request, response, items, total, query)


@router.get("/{id}", summary="Get an indicator", response_model=IndicatorPublic)
def read_indicator(indicator: IndicatorDep) -> IndicatorPublic:
    """One indicator with its citations."""
    return IndicatorPublic.model_validate(indicator)
