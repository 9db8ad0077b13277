"""Full-text search on PostgreSQL: the parsed query (app/queries/search_terms.py) compiled
into tsquery and LIKE conditions over `search_index`.

The index is written by the build (`index_row`): each row holds the served label and body,
and a tsvector of their words as the parser splits them (NFKC, case-folded, so both engines
agree on what a word is), the label weighted A and the body B. Latin-script terms match the
tsvector (GIN index); words of scripts written without spaces (Chinese) match as substrings
with LIKE, which the pg_trgm GIN indexes serve. Ranking is ts_rank with the label weighing
ten times the body, as bm25's weights do on SQLite; the score is negated so that, as there,
lower is better. Snippets: ts_headline with `<mark>`, or, for a query of Chinese words only,
the text around the first occurrence.
"""

from typing import Any

from app.queries.search_terms import Term, TextQuery, is_unspaced, words_of

# ts_headline options close to FTS5's snippet(…, '<mark>', '</mark>', '…', 16).
_HEADLINE = (
    "StartSel=<mark>, StopSel=</mark>, MaxWords=16, MinWords=8, ShortWord=0, "
    "MaxFragments=1, FragmentDelimiter=…, HighlightAll=false"
)
# Weights of D, C, B (body) and A (label) for ts_rank.
_WEIGHTS = "{0, 0, 0.1, 1.0}"


def document_text(text: str) -> str:
    """What the tsvector is made of: the words of `text` as the query parser splits them,
    apart from unspaced-script runs (matched by substring), separated by spaces."""
    return " ".join(word for word in words_of(text) if not is_unspaced(word))


def index_row(row: dict[str, Any]) -> dict[str, Any]:
    """A search row with the inputs of its tsvector."""
    return {
        **row,
        "label_words": document_text(row["label"]),
        "body_words": document_text(row["body"]),
    }


INSERT = """
INSERT INTO search_index (collection, record_id, label, body, start, "end", document)
VALUES (:collection, :record_id, :label, :body, :start, :end,
        setweight(to_tsvector('simple', :label_words), 'A')
        || setweight(to_tsvector('simple', :body_words), 'B'))
"""


class _Compiler:
    """Collects bound parameters while compiling terms into SQL conditions."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    @staticmethod
    def tsquery(term: Term) -> str | None:
        """A term's Latin words as tsquery text (a phrase with <->), or None if it has none."""
        words = [word for word in term.words if not is_unspaced(word)]
        if not words:
            return None
        # Words hold only letters, digits and marks: quoted, they are never operators.
        lexemes = [f"'{word}'" for word in words]
        if term.prefix and not is_unspaced(term.words[-1]):
            lexemes[-1] += ":*"
        return " <-> ".join(lexemes)

    def condition(self, term: Term) -> str:
        """SQL true when a row holds the term."""
        parts = []
        query = self.tsquery(term)
        if query is not None:
            parts.append(f"document @@ CAST({self.bind(query)} AS tsquery)")
        for word in term.words:
            if is_unspaced(word):
                # Unspaced words hold no LIKE wildcard; matched in the label or the body.
                pattern = self.bind(f"%{word}%")
                parts.append(f"(label LIKE {pattern} OR body LIKE {pattern})")
        return " AND ".join(parts) if len(parts) > 1 else parts[0]


def ranked(query: TextQuery, where: str) -> tuple[str, dict[str, Any]]:
    """The ranked-hits statement for a parsed (non-empty) query, and its parameters.

    `where` is an extra `AND …` filter on the index's columns. The statement has the
    columns the SQLite one has: collection, record_id, label, start, end, snippet, score.
    """
    compiler = _Compiler()
    conditions = [
        "(" + " OR ".join(compiler.condition(term) for term in group) + ")"
        for group in query.all_of
    ]
    conditions += [f"NOT ({compiler.condition(term)})" for term in query.none_of]
    # Rank and highlight by every looked-for Latin term.
    latin = [q for q in (compiler.tsquery(term) for term in query.terms()) if q]
    unspaced = [w for term in query.terms() for w in term.words if is_unspaced(w)]
    rank = "0.0"
    snippet = "''"
    lateral = ""
    if latin:
        tsquery = f"CAST({compiler.bind(' | '.join(f'({q})' for q in latin))} AS tsquery)"
        rank = f"ts_rank('{_WEIGHTS}', document, {tsquery})"
        # The body's best fragment, or the label's when only the label matched (as FTS5's
        # snippet picks the column with the match).
        lateral = (
            f", LATERAL (SELECT ts_headline('simple', body, {tsquery}, "
            f"'{_HEADLINE}') AS body_snippet) AS h"
        )
        snippet = (
            "CASE WHEN strpos(h.body_snippet, '<mark>') > 0 THEN h.body_snippet "
            f"ELSE ts_headline('simple', label, {tsquery}, '{_HEADLINE}') END"
        )
    if unspaced:
        # Occurrences of the Chinese words: in the label ten times those in the body.
        counts = []
        for word in unspaced:
            bound = compiler.bind(word)
            for column, weight in (("label", 1.0), ("body", 0.1)):
                counts.append(
                    f"{weight} * (length({column}) - length(replace({column}, {bound}, '')))"
                    f" / length({bound})"
                )
        rank = f"({rank} + " + " + ".join(counts) + ")"
        if not latin:
            first = compiler.bind(unspaced[0])
            snippet = (
                f"CASE WHEN strpos(body, {first}) > 0 THEN '…' || substr(body, "
                f"greatest(strpos(body, {first}) - 24, 1), 64 + length({first})) || '…' "
                "ELSE label END"
            )
        for word in dict.fromkeys(unspaced):
            bound = compiler.bind(word)
            snippet = f"replace({snippet}, {bound}, '<mark>' || {bound} || '</mark>')"
    statement = f"""
SELECT collection, record_id, label, start, "end", {snippet} AS snippet,
       -(({rank})::float8) AS score
FROM search_index{lateral}
WHERE {" AND ".join(conditions)} {where}
"""
    return statement, compiler.params
