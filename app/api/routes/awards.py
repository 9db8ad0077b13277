"""Routes of /v1/awards."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.formats import item_response, item_responses, list_response, list_responses
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import AwardDep, SessionDep
from app.models import AwardPublic
from app.queries.awards import AwardQuery, list_awards
from app.queries.common import ItemQuery

router = APIRouter(prefix="/awards", tags=["awards"], responses=PROBLEM_RESPONSES)


@router.get(
    "",
    operation_id="list_awards",
    summary="List awards",
    response_model=Page[AwardPublic],
    responses=list_responses("awards", AwardPublic),
)
def read_awards(
    request: Request, session: SessionDep, query: Annotated[AwardQuery, Query()]
) -> Response:
    """Conferrals of awards, orders and titles."""
    return list_response(request, AwardPublic, query, lambda q: list_awards(session, q))


@router.get(
    "/{id}",
    operation_id="get_award",
    summary="Get an award",
    response_model=AwardPublic,
    responses=item_responses("awards", AwardPublic),
)
def read_award(request: Request, award: AwardDep, query: Annotated[ItemQuery, Query()]) -> Response:
    """One award conferral with its recipient, place and citations."""
    return item_response(request, AwardPublic, award, query)
