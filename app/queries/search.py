"""Full-text search over every record and the source texts (SQLite FTS5, ranked by bm25)."""

import re
import sqlite3
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.db import is_statement_timeout
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
       snippet({index}, -1, '<mark>', '</mark>', '…', 16) AS snippet,
       bm25({index}, 0.0, 0.0, 10.0, 1.0, 0.0, 0.0) AS score
FROM {index}
WHERE {index} MATCH :q {where}
ORDER BY score, collection, record_id, start
LIMIT :limit OFFSET :offset
"""
_TOTAL = "SELECT count(*) FROM {index} WHERE {index} MATCH :q {where}"

# Scripts written without spaces between words (Chinese, Japanese, Korean): the word
# tokenizer would see a whole sentence as one token, so such queries use the trigram index,
# which matches any substring of three or more characters.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


# One or two such characters are below the trigram index's reach: a substring scan of the
# (small) trigram table, bounded like every statement by the time limit.
_SHORT_HITS = """
SELECT collection, record_id, label, start, "end",
       '…' || replace(substr(body, max(instr(body, :q) - 24, 1), 64 + length(:q)),
                      :q, '<mark>' || :q || '</mark>') || '…' AS snippet,
       0.0 AS score
FROM search_trigram
WHERE instr(body, :q) > 0 {where}
ORDER BY collection, record_id, start
LIMIT :limit OFFSET :offset
"""
_SHORT_TOTAL = "SELECT count(*) FROM search_trigram WHERE instr(body, :q) > 0 {where}"


def _statements(q: str) -> tuple[str, str, str]:
    """The hits and total statements for a query, and the query to bind."""
    if not _UNSPACED.search(q):
        return (
            _HITS.replace("{index}", "search_index"),
            _TOTAL.replace("{index}", "search_index"),
            q,
        )
    # Such a query is matched as one substring: FTS syntax (quotes) has no meaning there.
    raw = q.replace('"', "").strip()
    if len(raw) < 3:
        return _SHORT_HITS, _SHORT_TOTAL, raw
    phrase = '"' + raw + '"'
    return (
        _HITS.replace("{index}", "search_trigram"),
        _TOTAL.replace("{index}", "search_trigram"),
        phrase,
    )


def search(session: Session, query: SearchQuery) -> tuple[list[Any], int]:
    """A page of hits, best first, and the number of hits."""
    if session.get_bind().dialect.name != "sqlite":
        raise ServiceUnavailable("Full-text search needs the SQLite FTS5 index.")
    hits_sql, total_sql, q = _statements(query.q)
    params: dict[str, Any] = {"q": q, "limit": query.page_size, "offset": query.offset}
    where = ""
    if query.collection:
        names = [f":c{i}" for i in range(len(query.collection))]
        where = f"AND collection IN ({', '.join(names)})"
        params.update({f"c{i}": name for i, name in enumerate(query.collection)})
    try:
        total = session.execute(text(total_sql.format(where=where)), params)
        rows = session.execute(text(hits_sql.format(where=where)), params).all()
    except OperationalError as exc:
        if is_statement_timeout(exc):
            raise
        message = str(exc.orig) if isinstance(exc.orig, sqlite3.Error) else str(exc)
        raise InvalidParameter(
            f"malformed search query: {message}",
            errors=[{"loc": ["query", "q"], "msg": message, "type": "fts5_syntax"}],
        ) from None
    return list(rows), int(total.scalar_one())
