"""Routes of /v1/awards."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.pagination import Page, make_page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import AwardDep, SessionDep
from app.models import AwardPublic
from app.queries.awards import AwardQuery, list_awards

router = APIRouter(prefix="/awards", tags=["awards"], responses=PROBLEM_RESPONSES)


@router.get("", summary="List awards", response_model=Page[AwardPublic])
def read_awards(request: Request, response: Response, session: SessionDep,
                query: Annotated[AwardQuery, Query()]) -> Page[AwardPublic]:
    """Conferrals of awards, orders and titles."""
    rows, total = list_awards(session, query)
    items = [AwardPublic.model_validate(row) for row in rows]
    return make_page(request, response, items, total, query)


@router.get("/{id}", summary="Get an award", response_model=AwardPublic)
def read_award(award: AwardDep) -> AwardPublic:
    """One award conferral with its recipient, place and citations."""
    return AwardPublic.model_validate(award)
