"""Full-text search over every record and the source texts (SQLite FTS5, ranked by bm25;
on PostgreSQL, tsvector and pg_trgm: app/queries/search_postgres.py).

What people type is parsed once by app/queries/search_terms.py; this module compiles the
parsed query into an FTS5 expression. The index (search_index) is written by the build with
`indexed_text`: characters of scripts written without spaces (Chinese) are set apart by a
zero-width space, so FTS5's unicode61 tokenizer sees each as a word and a Chinese term is a
phrase of consecutive characters, ranked by bm25 like any other and combined with Latin
words in one expression.
"""

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field
from sqlalchemy import text
from sqlmodel import Session

from app.queries import search_postgres
from app.queries.errors import BadCursor, RecordNotFound, Unavailable
from app.queries.parameters import MAX_TEXT, PageQuery
from app.queries.search_terms import (
    UNSPACED_CHARS,
    Term,
    TextQuery,
    is_unspaced,
    parse,
)
from app.registry import COLLECTIONS

# Every collection: records are indexed whole, sources paragraph by paragraph of their text.
SEARCHABLE = sorted(c.path for c in COLLECTIONS)

if TYPE_CHECKING:
    SearchCollection = str
else:
    SearchCollection = Literal[tuple(SEARCHABLE)]

# Set apart in the index so the tokenizer splits unspaced scripts into single characters;
# Unicode category Cf, which unicode61 treats as a separator. Removed from what is served.
SEPARATOR = "\u200b"
_UNSPACED_CHAR = re.compile(f"([{UNSPACED_CHARS}])")

SYNTAX = (
    "Words (all must match, in any order; punctuation separates words, so "
    "`China-Kazakhstan`, `Xi'an` or `U.S.` are matched as phrases), "
    '`"a quoted phrase"`, `OR` between terms, `-word` or `NOT word` to exclude, `prefix*`. '
    "Chinese is matched character by character, so any part of a Chinese name or sentence "
    "finds it. No text is a syntax error."
)


# The collections whose hits are records (a source's hits are passages: `sources/id@start`).
_RECORD_PATHS = "|".join(name for name in SEARCHABLE if name != "sources")


class SearchQuery(PageQuery):
    """A full-text query."""

    q: str = Field(min_length=1, max_length=MAX_TEXT, description=SYNTAX)
    collection: list[SearchCollection] | None = Field(
        default=None,
        max_length=len(SEARCHABLE),
        description="Only these collections (repeat the parameter for several); `sources` "
        "searches the source texts paragraph by paragraph.",
    )
    after: str | None = Field(
        default=None,
        max_length=400,
        # A cursor of another shape is refused by the schema, so every schema-valid one
        # names something (a hit, or a 404).
        pattern=rf"^(?:(?:{_RECORD_PATHS})/[a-z0-9-]+|sources/[a-z0-9-]+(?:@[0-9]+)?)?$",
        examples=["projects/zhanatas-wind-farm"],
        description='Keyset cursor (from a `Link: rel="next"` header): continue after the hit '
        "it names, `collection/id` or `sources/id@start` for a passage. Send an empty "
        "`after=` for the first page. A hit that is not among this search's is a 404; "
        "`offset` skips hits after it.",
    )


def indexed_text(value: str) -> str:
    """Text as the index stores it: unspaced-script characters set apart as words."""
    return _UNSPACED_CHAR.sub(rf"{SEPARATOR}\1{SEPARATOR}", value)


def served_text(value: str) -> str:
    """Text read back from the index, as the source holds it."""
    return value.replace(SEPARATOR, "")


def _fts_term(term: Term) -> str:
    """One term as an FTS5 string: quoted, so no word is ever an operator or a column."""
    words = [" ".join(word) if is_unspaced(word) else word for word in term.words]
    # The words hold only letters and digits, so quoting needs no escaping.
    quoted = '"' + " ".join(words) + '"'
    return quoted + "*" if term.prefix and not is_unspaced(term.words[-1]) else quoted


def fts_expression(query: TextQuery) -> str:
    """The FTS5 MATCH expression of a parsed query (which must not be empty)."""
    groups = [" OR ".join(_fts_term(term) for term in group) for group in query.all_of]
    expression = " AND ".join(f"({group})" for group in groups)
    if query.none_of:
        excluded = " OR ".join(_fts_term(term) for term in query.none_of)
        expression = f"({expression}) NOT ({excluded})"
    return expression


@dataclass(frozen=True)
class Hit:
    """A matching record or source passage, with its bm25 score (lower is better)."""

    collection: str
    record_id: str
    label: str
    start: int | None
    end: int | None
    snippet: str
    score: float

    @property
    def key(self) -> str:
        """The cursor naming this hit: `collection/id`, and `@start` for a passage."""
        base = f"{self.collection}/{self.record_id}"
        return base if self.start is None else f"{base}@{self.start}"


# Label matches weigh ten times body matches; the unindexed columns weigh nothing. The
# order is total (a passage is told apart by its start), so keyset pages are exact.
_RANKED = """
SELECT collection, record_id, label, start, "end",
       snippet(search_index, -1, '<mark>', '</mark>', '…', 16) AS snippet,
       bm25(search_index, 0.0, 0.0, 10.0, 1.0, 0.0, 0.0) AS score
FROM search_index
WHERE search_index MATCH :q {where}
"""
_ORDER = " ORDER BY score, collection, record_id, coalesce(start, -1)"
_AFTER = " WHERE (score, collection, record_id, coalesce(start, -1)) > (:s, :c, :r, :st)"


def _cursor_filter(after: str) -> dict[str, Any]:
    """The hit a cursor names: `collection/id` or `sources/id@start`; else BadCursor."""
    collection, _, rest = after.partition("/")
    record_id, _, start = rest.partition("@")
    if collection not in SEARCHABLE or not record_id or (start and not start.isdigit()):
        raise BadCursor("after must name a hit: collection/id, or sources/id@start for a passage")
    return {"c": collection, "r": record_id, "st": int(start) if start else -1}


def search(session: Session, query: SearchQuery) -> tuple[list[Hit], int, str | None]:
    """A page of hits, best first, the number of hits, and the cursor of the next page
    (when read by cursor and more follow)."""
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise Unavailable(f"Full-text search is not available on {dialect}.")
    # Every parameter is checked before any SQL runs.
    named = _cursor_filter(query.after) if query.after else None
    parsed = parse(query.q)
    if parsed.is_empty:
        return [], 0, None
    # Read by cursor, one hit more than the page says whether another page follows (no link
    # to an empty last page).
    keyset = query.after is not None
    params: dict[str, Any] = {"limit": query.page_size + 1 if keyset else query.page_size}
    where = ""
    if query.collection:
        names = [f":c{i}" for i in range(len(query.collection))]
        where = f"AND collection IN ({', '.join(names)})"
        params.update({f"c{i}": name for i, name in enumerate(query.collection)})
    if dialect == "postgresql":
        ranked, compiled = search_postgres.ranked(parsed, where)
        params.update(compiled)
    else:
        ranked = _RANKED.format(where=where)
        params["q"] = fts_expression(parsed)
    total = int(
        session.execute(text(f"SELECT count(*) FROM ({ranked}) AS hits"), params).scalar_one()
    )
    if named is not None:
        found = session.execute(
            text(
                f"SELECT score FROM ({ranked}) AS hits WHERE collection = :c AND record_id = :r "
                "AND coalesce(start, -1) = :st"
            ),
            {**params, **named},
        ).first()
        if found is None:
            raise RecordNotFound(f"after names {query.after!r}, which is not a hit of this search.")
        params.update(named, s=found.score)
        # `offset` skips hits after the cursor (every schema-valid request means something).
        statement = f"SELECT * FROM ({ranked}) AS hits{_AFTER}{_ORDER} LIMIT :limit OFFSET :offset"
    else:
        statement = f"SELECT * FROM ({ranked}) AS hits{_ORDER} LIMIT :limit OFFSET :offset"
    params["offset"] = query.offset
    hits = [
        Hit(
            collection=row.collection,
            record_id=row.record_id,
            label=served_text(row.label),
            start=row.start,
            end=row.end,
            snippet=served_text(row.snippet),
            score=row.score,
        )
        for row in session.execute(text(statement), params)
    ]
    more = len(hits) > query.page_size
    hits = hits[: query.page_size]
    cursor = hits[-1].key if keyset and more else None
    return hits, total, cursor
