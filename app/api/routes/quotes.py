"""Routes of /v1/quotes."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.pagination import Page, make_page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import QuoteDep, SessionDep
from app.models import QuotePublic
from app.queries.quotes import QuoteQuery, list_quotes

router = APIRouter(prefix="/quotes", tags=["quotes"], responses=PROBLEM_RESPONSES)


@router.get("", summary="List quotes", response_model=Page[QuotePublic])
def read_quotes(request: Request, response: Response, session: SessionDep,
                query: Annotated[QuoteQuery, Query()]) -> Page[QuotePublic]:
    """Direct quotations, each with its speaker and verbatim excerpt."""
    rows, total = list_quotes(session, query)
    items = [QuotePublic.model_validate(row) for row in rows]
    return make_page(request, response, items, total, query)


@router.get("/{id}", summary="Get a quote", response_model=QuotePublic)
def read_quote(quote: QuoteDep) -> QuotePublic:
    """One quote with its speaker and citations."""
    return QuotePublic.model_validate(quote)
