"""Routes of /v1/search: one query across every collection and the source texts."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.examples import example
from app.api.formats import (
    CSVResponse,
    format_responses,
    page_content,
    page_response,
    page_responses,
)
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import SessionDep
from app.queries.parameters import with_format, without_format
from app.queries.search import SearchQuery
from app.services.search import SearchHit, search_hits

router = APIRouter(prefix="/search", tags=["search"], responses=PROBLEM_RESPONSES)


@router.get(
    "",
    operation_id="search",
    summary="Search everything",
    response_model=Page[SearchHit],
    responses=page_responses("search", SearchHit, example("search")),
)
def read_search(
    request: Request, session: SessionDep, query: Annotated[SearchQuery, Query()]
) -> Response:
    """Full-text search over every collection and the source texts, ranked by relevance."""
    return page_response(request, SearchHit, query, lambda q: search_hits(session, q))


@router.get(
    ".csv",
    operation_id="search_csv",
    summary="Search everything as CSV",
    response_class=CSVResponse,
    responses=format_responses(
        page_content("search", SearchHit, example("search")), "csv", "The hits"
    ),
)
def read_search_csv(
    request: Request,
    session: SessionDep,
    query: Annotated[without_format(SearchQuery), Query()],  # type: ignore[valid-type]
) -> Response:
    """Search hits as CSV: the answer of `format=csv`, at a path of its own."""
    search = with_format(SearchQuery, query, "csv")
    return page_response(request, SearchHit, search, lambda q: search_hits(session, q))
