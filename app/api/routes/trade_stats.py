"""Routes of /v1/trade-stats."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.formats import list_response, list_responses
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import SessionDep, TradeStatDep
from app.models import TradeStatPublic
from app.queries.trade_stats import TradeStatQuery, list_trade_stats

router = APIRouter(prefix="/trade-stats", tags=["trade statistics"], responses=PROBLEM_RESPONSES)


@router.get(
    "",
    summary="List trade statistics",
    response_model=Page[TradeStatPublic],
    responses=list_responses(geo=False),
)
def read_trade_stats(
    request: Request, session: SessionDep, query: Annotated[TradeStatQuery, Query()]
) -> Response:
    """Trade and investment figures, actual and target, each with who stated it."""
    return list_response(request, TradeStatPublic, list_trade_stats(session, query), query)


@router.get("/{id}", summary="Get a trade statistic", response_model=TradeStatPublic)
def read_trade_stat(trade_stat: TradeStatDep) -> TradeStatPublic:
    """One trade statistic with its citations."""
    return TradeStatPublic.model_validate(trade_stat)
