"""Full-text search over every record and the source texts (SQLite FTS5, ranked by bm25)."""

import sqlite3
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.errors import InvalidParameter, ServiceUnavailable
from app.queries.common import MAX_TEXT, ListQuery
from app.queries.records import COLLECTIONS

SEARCHABLE = sorted([*(c.path for c in COLLECTIONS.values()), "sources"])

SearchCollection = Literal[
    "awards",
    "events",
    "indicators",
    "people",
    "places",
    "projects",
    "quotes",
    "sister-cities",
    "sources",
    "trade-stats",
]


class SearchQuery(ListQuery):
    """A full-text query."""

    q: str = Field(
        min_length=1,
        max_length=MAX_TEXT,
        description='FTS5 query: words (all must match), "a phrase", OR, NOT, prefix*.',
    )
    collection: list[SearchCollection] | None = Field(
        default=None,
        max_length=len(SEARCHABLE),
        description="Only these collections (repeat the parameter for several); `sources` "
        "searches the source texts paragraph by paragraph.",
    )


# Label matches weigh ten times body matches; the unindexed columns weigh nothing.
_HITS = """
SELECT collection, record_id, label, start, "end",
       snippet(search_index, -1, '<mark>', '</mark>', '…', 16) AS snippet,
       bm25(search_index, 0.0, 0.0, 10.0, 1.0, 0.0, 0.0) AS score
FROM search_index
WHERE search_index MATCH :q {where}
ORDER BY score, collection, record_id, start
LIMIT :limit OFFSET :offset
"""
_TOTAL = "SELECT count(*) FROM search_index WHERE search_index MATCH :q {where}"


def search(session: Session, query: SearchQuery) -> tuple[list[Any], int]:
    """A page of hits, best first, and the number of hits."""
    if session.get_bind().dialect.name != "sqlite":
        raise ServiceUnavailable("Full-text search needs the SQLite FTS5 index.")
    params: dict[str, Any] = {"q": query.q, "limit": query.page_size, "offset": query.offset}
    where = ""
    if query.collection:
        names = [f":c{i}" for i in range(len(query.collection))]
        where = f"AND collection IN ({', '.join(names)})"
        params.update({f"c{i}": name for i, name in enumerate(query.collection)})
    try:
        total = session.execute(text(_TOTAL.format(where=where)), params).scalar_one()
        rows = session.execute(text(_HITS.format(where=where)), params).all()
    except OperationalError as exc:
        message = str(exc.orig) if isinstance(exc.orig, sqlite3.Error) else str(exc)
        if "interrupted" in message:
            raise
        raise InvalidParameter(
            f"malformed search query: {message}",
            errors=[{"loc": ["query", "q"], "msg": message, "type": "fts5_syntax"}],
        ) from None
    return list(rows), int(total)
