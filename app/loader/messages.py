"""Curator messages that point at the fix: near misses, YAML causes in plain words, encodings.

Each helper turns what the loader found into the words of one problem line; none of them
decides whether something is a problem (check.py does).
"""

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

import yaml
from rapidfuzz import fuzz

# Below this similarity (0-100) the "closest passage" is a coincidence, not a near miss.
_CLOSEST_MIN_SCORE = 60.0
# Characters of context shown either side of the first difference.
_SNIPPET = 24


def did_you_mean(value: str, candidates: Iterable[str]) -> str:
    """`; did you mean 'a' or 'b'?` for the nearest of `candidates`, or '' if none is near.

    Nearness is difflib's ratio of the case-folded strings (at least 0.6, up to three
    suggestions), as `difflib.get_close_matches` computes it.
    """
    # Compared case-folded, so `Renewable_Energy` finds `renewable_energy`.
    names = {str(c).casefold(): str(c) for c in candidates}
    close = difflib.get_close_matches(value.casefold(), names, n=3, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(names[name]) for name in close) + "?"


@dataclass(frozen=True)
class NearMiss:
    """Where an excerpt that is not in a text comes closest to it."""

    offset: int  # code-point offset in the text of the first differing character
    line: int  # 1-based line of that character in the text file
    column: int  # 1-based column (in characters) of that character
    excerpt_at: int  # offset in the excerpt of its first character that differs
    excerpt_snippet: str
    text_snippet: str

    def describe(self, text_file: str) -> str:
        """The near miss in words, e.g. `closest passage differs at data/sources/x.txt:3:17`."""
        return (
            f"the closest passage differs at {text_file}:{self.line}:{self.column} "
            f"(excerpt character {self.excerpt_at + 1}): the excerpt has "
            f"{_quote(self.excerpt_snippet)} where the text has {_quote(self.text_snippet)}"
        )


def _quote(snippet: str) -> str:
    # JSON quoting shows line breaks and tabs as \n and \t, so the snippet stays on one line.
    return json.dumps(snippet, ensure_ascii=False)


def _snippet(text: str, at: int) -> str:
    start, end = max(0, at - _SNIPPET), min(len(text), at + _SNIPPET)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def closest_passage(excerpt: str, text: str) -> NearMiss | None:
    """The passage of `text` most like `excerpt` and the first point where they differ.

    rapidfuzz finds the best-matching window (a bit-parallel partial alignment, fast on whole
    texts); difflib's matching blocks then anchor the excerpt's first character in it, so an
    inserted or missing character does not shift the reported point. None when no passage
    is similar enough to be the one the curator meant.
    """
    if not excerpt or not text:
        return None
    found = fuzz.partial_ratio_alignment(excerpt, text, score_cutoff=_CLOSEST_MIN_SCORE)
    if found is None:
        return None
    margin = 8 + len(excerpt) // 4
    low = max(0, found.dest_start - margin)
    window = text[low : min(len(text), found.dest_end + margin)]
    matcher = difflib.SequenceMatcher(None, excerpt, window, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if not blocks:
        return None
    least = min(8, max(1, len(excerpt) // 4))
    anchor = next((b for b in blocks if b.size >= least), max(blocks, key=lambda b: b.size))
    start = max(0, low + anchor.b - anchor.a)
    differ = 0
    while (
        differ < len(excerpt)
        and start + differ < len(text)
        and excerpt[differ] == text[start + differ]
    ):
        differ += 1
    offset = start + differ
    line_start = text.rfind("\n", 0, offset) + 1
    return NearMiss(
        offset=offset,
        line=text.count("\n", 0, offset) + 1,
        column=offset - line_start + 1,
        excerpt_at=differ,
        excerpt_snippet=_snippet(excerpt, differ),
        text_snippet=_snippet(text, offset),
    )


# PyYAML's words for a syntax error -> what the curator should look at, in plain words.
_YAML_CAUSES: tuple[tuple[str, str], ...] = (
    (
        "mapping values are not allowed",
        "a ': ' inside a value starts a new key; put the whole value in quotes",
    ),
    (
        "could not find expected ':'",
        "a line is missing the ':' after its key, or a quoted value runs on",
    ),
    (
        "cannot start any token",
        "this character cannot start a value here (a tab? indent with spaces only; "
        "a value starting with @, ` or % needs quotes)",
    ),
    (
        "did not find expected key",
        "this line is not indented like the keys above it, or a quote above is not closed",
    ),
    (
        "did not find expected '-' indicator",
        "this list item is not indented like the items above it",
    ),
    (
        "did not find expected node content",
        "a key or '-' has nothing valid after it",
    ),
    (
        "expected <block end>",
        "this line is indented differently from the lines above it",
    ),
    (
        "found unexpected end of stream",
        "the file ends inside a quoted value: a quote is not closed",
    ),
    (
        "found unknown escape character",
        "a backslash in a double-quoted value; use single quotes, or write \\\\",
    ),
    (
        "found undefined alias",
        "a '*' starts an alias with no matching '&' anchor; quote the value",
    ),
    (
        "found unexpected ':'",
        "a ':' where a value was expected; put the value in quotes",
    ),
    (
        "could not determine a constructor",
        "a '!' starts a YAML tag; quote the value",
    ),
    (
        "found character that cannot start any token",
        "this character cannot start a value here; quote the value",
    ),
)


@dataclass(frozen=True)
class YamlFault:
    """A YAML syntax error, located and explained."""

    line: int
    column: int
    message: str


def explain_yaml_error(error: yaml.YAMLError) -> YamlFault:
    """Where a YAML error is (1-based line and column) and its cause in plain words."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 0)
    problem = str(getattr(error, "problem", None) or error).strip()
    for words, plain in _YAML_CAUSES:
        if words in problem:
            return YamlFault(line, column, f"{plain} (YAML: {problem})")
    duplicate = re.match(r"found duplicate key (.+)", problem)
    if duplicate:
        first = getattr(error, "context_mark", None)
        where = f" (first at line {first.line + 1})" if first is not None else ""
        return YamlFault(
            line, column, f"the key {duplicate[1]} is written twice in this record{where}"
        )
    return YamlFault(line, column, f"not valid YAML: {problem}")


def encoding_faults(data: bytes) -> list[tuple[int, str]]:
    """(line, message) for a UTF-8 byte-order mark or a carriage return in a data file.

    The loader reads files byte for byte and never rewrites them, so it refuses both rather
    than normalizing: a BOM would shift every excerpt offset of a text by one, and CRLF line
    ends put invisible characters into excerpts and multi-line values.
    """
    faults = []
    if data.startswith(b"\xef\xbb\xbf"):
        faults.append((1, "starts with a byte-order mark (BOM); save it as UTF-8 without BOM"))
    first_cr = data.find(b"\r")
    if first_cr != -1:
        lines = data.count(b"\r")
        kind = "CRLF (Windows)" if data[first_cr : first_cr + 2] == b"\r\n" else "CR"
        faults.append(
            (
                data.count(b"\n", 0, first_cr) + 1,
                f"has {kind} line endings ({lines} carriage return(s), the first on this line); "
                "save it with LF (Unix) line endings",
            )
        )
    return faults
