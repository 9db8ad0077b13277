"""Full-text search on PostgreSQL: the parsed query (app/queries/search_terms.py) compiled
into tsquery and LIKE conditions over `search_index`, ranked by the same bm25 as SQLite.

The build writes each row (`index_row`) with the served label and body, and their *tokens*:
the words as the query parser splits them, with diacritics of Latin letters removed and each
character of an unspaced script (Chinese) a token of its own, which is how SQLite's FTS5
table (unicode61, remove_diacritics 2, and `indexed_text`) tokenizes the same text. From
them:

- matching: Latin words against a tsvector of the tokens (GIN); words of unspaced scripts
  as substrings of label or body with LIKE, which the pg_trgm GIN indexes serve;
- ranking: FTS5's bm25 (k1 = 1.2, b = 0.75, the label weighing 10 and the body 1, lower is
  better), computed from the same counts in the same order of floating-point operations, so
  both engines give the same scores and the same order;
- snippets: ts_headline with `<mark>`, or, for a query of Chinese words only, the text
  around the first occurrence, the words marked.
"""

import unicodedata
from typing import Any

from app.queries.search_terms import Term, TextQuery, is_unspaced, words_of

# ts_headline options close to FTS5's snippet(…, '<mark>', '</mark>', '…', 16).
_HEADLINE = (
    "StartSel=<mark>, StopSel=</mark>, MaxWords=16, MinWords=8, ShortWord=0, "
    "MaxFragments=1, FragmentDelimiter=…, HighlightAll=false"
)
# Latin letters whose diacritics FTS5's unicode61 tokenizer removes (remove_diacritics 2).
_LATIN = ((0x00C0, 0x024F), (0x1E00, 0x1EFF))


def _fold(word: str) -> str:
    """A word without the diacritics of its Latin letters (é -> e), as FTS5 folds it."""
    if word.isascii():
        return word
    out = []
    for char in word:
        if any(low <= ord(char) <= high for low, high in _LATIN):
            base = unicodedata.normalize("NFD", char)[0]
            out.append(base if base.isascii() else char)
        else:
            out.append(char)
    return "".join(out)


def _term_tokens(words: tuple[str, ...] | list[str]) -> list[str]:
    """Tokens of parsed words: unspaced-script words split into characters."""
    tokens: list[str] = []
    for word in words:
        tokens.extend(word if is_unspaced(word) else [_fold(word)])
    return tokens


def tokens_of(text: str) -> list[str]:
    """The tokens of a text, as FTS5 sees those of the same text on SQLite."""
    return _term_tokens(words_of(text))


def index_row(row: dict[str, Any]) -> dict[str, Any]:
    """A search row with its tokens (space-separated) and their number."""
    label, body = tokens_of(row["label"]), tokens_of(row["body"])
    return {
        **row,
        "label_words": " ".join(label),
        "body_words": " ".join(body),
        "tokens": len(label) + len(body),
    }


INSERT = """
INSERT INTO search_index
    (collection, record_id, label, body, start, "end", label_words, body_words, tokens, document)
VALUES (:collection, :record_id, :label, :body, :start, :end, :label_words, :body_words, :tokens,
        to_tsvector('simple', :label_words || ' ' || :body_words))
"""

# FTS5's bm25 constants, and the weights given to its label and body columns on SQLite.
_K1, _B = "CAST(1.2 AS float8)", "CAST(0.75 AS float8)"
_LABEL_WEIGHT, _BODY_WEIGHT = "CAST(10.0 AS float8)", "CAST(1.0 AS float8)"


class _Compiler:
    """Collects bound parameters while compiling terms into SQL."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    @staticmethod
    def tsquery(term: Term) -> str | None:
        """A term's Latin words as tsquery text (a phrase with <->), or None if it has none."""
        words = [_fold(word) for word in term.words if not is_unspaced(word)]
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

    def frequency(self, term: Term) -> str:
        """FTS5's weighted count of the term's instances in a row (label 10, body 1)."""
        tokens = _term_tokens(term.words)
        pattern = " ".join(tokens)
        if term.prefix and not is_unspaced(term.words[-1]):
            pattern += "[^ ]*"
        # Tokens hold letters and digits only; a token boundary is a space or either end.
        bound = self.bind(f"(?<![^ ]){pattern}(?![^ ])")
        return (
            f"({_LABEL_WEIGHT} * regexp_count(label_words, {bound}) "
            f"+ {_BODY_WEIGHT} * regexp_count(body_words, {bound}))"
        )

    def idf(self, term: Term) -> str:
        """FTS5's inverse document frequency of the term over the whole index."""
        hits = f"(SELECT count(*) FROM search_index WHERE {self.condition(term)})"
        half = "CAST(0.5 AS float8)"
        ratio = (
            f"ln((CAST(n.total AS float8) - CAST({hits} AS float8) + {half}) "
            f"/ (CAST({hits} AS float8) + {half}))"
        )
        return f"(CASE WHEN {ratio} <= 0 THEN CAST(1e-6 AS float8) ELSE {ratio} END)"


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
    # bm25 as fts5_aux.c computes it: score += idf * (f * (k1 + 1)) / (f + k1 * (1 - b +
    # b * D / avgdl)) for each phrase, in the order of the expression; then -1 * score.
    # (Excluded phrases never occur in a hit, so they add exactly 0.)
    score = "CAST(0.0 AS float8)"
    for term in query.terms():
        freq = compiler.frequency(term)
        score = (
            f"({score} + {compiler.idf(term)} * (({freq} * ({_K1} + CAST(1.0 AS float8))) / "
            f"({freq} + {_K1} * (CAST(1 AS float8) - {_B} + {_B} * CAST(tokens AS float8) "
            "/ n.avgdl))))"
        )
    latin = [q for q in (compiler.tsquery(term) for term in query.terms()) if q]
    unspaced = [w for term in query.terms() for w in term.words if is_unspaced(w)]
    snippet = "''"
    lateral = ""
    if latin:
        tsquery = f"CAST({compiler.bind(' | '.join(f'({q})' for q in latin))} AS tsquery)"
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
    elif unspaced:
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
       CAST(-1.0 AS float8) * {score} AS score
FROM search_index{lateral},
     (SELECT count(*) AS total,
             CAST(sum(tokens) AS float8) / CAST(count(*) AS float8) AS avgdl
      FROM search_index) AS n
WHERE {" AND ".join(conditions)} {where}
"""
    return statement, compiler.params
