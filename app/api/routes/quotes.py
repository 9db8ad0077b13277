"""Routes of /v1/quotes."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.formats import item_response, item_responses, list_response, list_responses
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import QuoteDep, SessionDep
from app.models import QuotePublic
from app.queries.common import ItemQuery
from app.queries.quotes import QuoteQuery, list_quotes

router = APIRouter(prefix="/quotes", tags=["quotes"], responses=PROBLEM_RESPONSES)


@router.get(
    "",
    operation_id="list_quotes",
    summary="List quotes",
    response_model=Page[QuotePublic],
    responses=list_responses("quotes", QuotePublic),
)
def read_quotes(
    request: Request, session: SessionDep, query: Annotated[QuoteQuery, Query()]
) -> Response:
    """Direct quotations, each with its speaker and verbatim excerpt."""
    return list_response(request, QuotePublic, query, lambda q: list_quotes(session, q))


@router.get(
    "/{id}",
    operation_id="get_quote",
    summary="Get a quote",
    response_model=QuotePublic,
    responses=item_responses("quotes", QuotePublic),
)
def read_quote(request: Request, quote: QuoteDep, query: Annotated[ItemQuery, Query()]) -> Response:
    """One quote with its speaker and citations."""
    return item_response(request, QuotePublic, quote, query)
