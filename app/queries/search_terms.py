"""What people type into search, parsed once into terms that any engine can match.

Every text up to the length limit is a query; nothing in it is a syntax error. The syntax:

- words: ``wind farm`` finds records holding every word (in any order). A word is a run of
  letters and digits; everything else separates words, so ``China-Kazakhstan``, ``Xi'an``,
  ``U.S.`` and ``Khorgos:`` are words or phrases, never operators.
- a chunk that holds several words with nothing but punctuation between them
  (``Nur-Sultan``, ``Xi'an``, ``U.S.``) is a phrase: its words, consecutive and in order.
- ``"a quoted phrase"``: its words, consecutive and in order (an unmatched quote runs to the
  end of the text).
- ``OR`` (upper case, between two terms): either term; it binds tighter than the implicit
  AND, so ``wind OR solar farm`` is (wind or solar) and farm.
- ``NOT term`` or ``-term``: records without the term. A query of exclusions only excludes
  nothing: its terms are then looked for as plain words.
- ``word*``: words starting with ``word`` (on the last word of a phrase or quoted phrase).
- Brackets and every other punctuation separate words.
- Scripts written without spaces (Chinese, Japanese, Korean) have no word boundaries in
  the text, so each run of their characters is one word matched as a substring
  (``Word.unspaced``); a query mixing them with Latin words needs all of its words.

Engines compile a `TextQuery` into their own language (SQLite FTS5 in
app/queries/search.py); they never look at the raw text again.
"""

import re
import unicodedata
from dataclasses import dataclass

# Characters of scripts written without spaces between words: CJK ideographs (with
# extensions and compatibility forms), Hiragana, Katakana and Hangul.
UNSPACED_CHARS = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
)
_UNSPACED = re.compile(f"[{UNSPACED_CHARS}]")
# A word: a run of unspaced-script characters, or a run of other letters, digits and marks.
_WORD = re.compile(rf"[{UNSPACED_CHARS}]+|[^\W_{UNSPACED_CHARS}]+")
# At most this many terms are used; the rest of a (very wordy) query is ignored.
MAX_TERMS = 32
_OPERATORS = ("OR", "NOT", "AND")


@dataclass(frozen=True)
class Term:
    """Something to find: one word, or a phrase of consecutive words in order.

    `words` are NFKC-normalised and case-folded. `prefix` means the last word may be the
    start of a longer word.
    """

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        """True when the term is several consecutive words."""
        return len(self.words) > 1


@dataclass(frozen=True)
class TextQuery:
    """A parsed query: every group of `all_of` must match (a group matches when any of its
    terms does), and no term of `none_of` may match. Empty `all_of` matches nothing."""

    all_of: tuple[tuple[Term, ...], ...]
    none_of: tuple[Term, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the text held no word at all (only punctuation): it matches nothing."""
        return not self.all_of

    def terms(self) -> list[Term]:
        """Every term the query looks for (not the excluded ones), in order."""
        return [term for group in self.all_of for term in group]


def is_unspaced(word: str) -> bool:
    """True when the word is written in a script without spaces (matched as a substring)."""
    return bool(_UNSPACED.match(word))


def words_of(text: str) -> list[str]:
    """The words of a text, as `parse` splits them: NFKC, case-folded."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


@dataclass
class _Chunk:
    text: str
    quoted: bool


def _chunks(text: str) -> list[_Chunk]:
    """Split on white space, keeping "quoted phrases" (an open quote runs to the end)."""
    chunks: list[_Chunk] = []
    for match in re.finditer(r'"([^"]*)"?(\*?)|[^\s"]+', text):
        if match.group(0).startswith('"'):
            chunks.append(_Chunk(match.group(1) + match.group(2), quoted=True))
        else:
            chunks.append(_Chunk(match.group(0), quoted=False))
    return chunks


def _term(chunk: _Chunk) -> tuple[Term | None, bool]:
    """The term a chunk stands for (None when it holds no word), and whether it is
    excluded (`-word`)."""
    text = chunk.text
    excluded = False
    if not chunk.quoted:
        text = text.strip("()[]{}")
        if text.startswith("-") and len(text) > 1:
            excluded, text = True, text[1:]
    prefix = text.rstrip("()[]{}").endswith("*")
    words = tuple(words_of(text))
    if not words:
        return None, False
    return Term(words, prefix), excluded


def parse(text: str) -> TextQuery:
    """Parse what a person typed; never raises, whatever the text."""
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    chunks = _chunks(text)
    join_next = negate_next = False
    for index, chunk in enumerate(chunks):
        word = chunk.text
        is_last = index == len(chunks) - 1
        # Operators only where they can act: upper case, between terms (NOT: before one).
        if not chunk.quoted and word in _OPERATORS and not is_last:
            if word == "OR" and groups and not join_next and not negate_next:
                join_next = True
                continue
            if word == "NOT" and not negate_next:
                negate_next, join_next = True, False
                continue
            if word == "AND" and groups:
                join_next = False
                continue
        term, minus = _term(chunk)
        if term is None:
            continue
        if negate_next or minus:
            excluded.append(term)
        elif join_next and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = negate_next = False
        if len(excluded) + sum(len(group) for group in groups) >= MAX_TERMS:
            break
    if not groups:
        # Only exclusions: look for those words instead of excluding them from nothing.
        groups, excluded = [[term] for term in excluded], []
    return TextQuery(tuple(tuple(group) for group in groups), tuple(excluded))
