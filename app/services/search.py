"""Search hits: the index's matches, each labelled and linked to what it found."""

from pydantic import BaseModel, Field
from sqlmodel import Session

from app.queries.listing import ListResult
from app.queries.search import SearchQuery, search


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


def search_hits(session: Session, query: SearchQuery) -> ListResult:
    """A page of hits, each linked to its record (or its source's text, for a passage)."""
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
