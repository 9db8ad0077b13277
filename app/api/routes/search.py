"""Routes of /v1/search: one query across every collection and the source texts."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from app.api.examples import example
from app.api.formats import page_response, page_responses
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import SessionDep
from app.queries.common import ListResult
from app.queries.search import SearchQuery, search

router = APIRouter(prefix="/search", tags=["search"], responses=PROBLEM_RESPONSES)


class SearchHit(BaseModel):
    """A record or source passage matching the query."""

    collection: str = Field(description="Collection of the hit (`sources` for a passage).")
    id: str = Field(description="Id of the record, or of the source of the passage.")
    label: str = Field(description="Name, title or text of the record.")
    url: str = Field(description="Path of the record, or of the source text for a passage.")
    snippet: str = Field(description="Matching text with the terms in <mark>…</mark>.")
    score: float = Field(description="bm25 relevance; lower is better (hits come best first).")
    start: int | None = Field(default=None, description="Passage start offset in the text.")
    end: int | None = Field(default=None, description="Passage end offset in the text.")


def _hits(session: SessionDep, query: SearchQuery) -> ListResult:
    hits, total, cursor = search(session, query)
    items = [
        SearchHit(
            collection=hit.collection,
            id=hit.record_id,
            label=hit.label,
            url=f"/v1/sources/{hit.record_id}/text"
            if hit.collection == "sources"
            else f"/v1/{hit.collection}/{hit.record_id}",
            snippet=hit.snippet,
            score=round(hit.score, 6),
            start=hit.start,
            end=hit.end,
        )
        for hit in hits
    ]
    return ListResult(items, total, next_cursor=cursor)


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
    return page_response(request, SearchHit, query, lambda q: _hits(session, q))
