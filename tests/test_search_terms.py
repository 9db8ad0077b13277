"""What people type is parsed into terms, the same for every engine, and never fails."""

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.queries.parameters import MAX_TEXT
from app.queries.search import fts_expression, indexed_text
from app.queries.search_terms import MAX_TERMS, Term, TextQuery, is_unspaced, parse


def words(*groups: tuple[str, ...] | str) -> TextQuery:
    """A query of single-term groups: a str is a word, a tuple a phrase."""
    return TextQuery(
        tuple((Term((g,) if isinstance(g, str) else g),) for g in groups),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Inputs from public bug reports against peer data APIs: punctuation inside a chunk
        # joins its words into a phrase, punctuation around it is dropped.
        ("China-Kazakhstan", words(("china", "kazakhstan"))),
        ("Nur-Sultan", words(("nur", "sultan"))),
        ("Xi'an", words(("xi", "an"))),
        ("Xi\u2019an", words(("xi", "an"))),
        ("Khorgos:", words("khorgos")),
        ("U.S.", words(("u", "s"))),
        ("(wind", words("wind")),
        ("(wind farm)", words("wind", "farm")),
        ("wind farm", words("wind", "farm")),
        ('"wind farm"', words(("wind", "farm"))),
        ('"unterminated phrase', words(("unterminated", "phrase"))),
        ('say "hi', words("say", "hi")),
        ("col:value", words(("col", "value"))),
        ("NEAR(a b", words(("near", "a"), "b")),
        ("^x", words("x")),
        ("KAZAKHSTAN", words("kazakhstan")),
        ("\uff37\uff49\uff4e\uff44", words("wind")),  # full-width letters: NFKC
    ],
)
def test_ordinary_text_is_words_and_phrases(text: str, expected: TextQuery) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("text", ["AND", "NOT", "OR", "wind AND", "OR wind", "wind OR"])
def test_operators_where_they_cannot_act_are_words(text: str) -> None:
    parsed = parse(text)
    assert not parsed.none_of
    assert [t.words for t in parsed.terms()] == [(w.lower(),) for w in text.split()]


def test_or_binds_tighter_than_and() -> None:
    parsed = parse("wind OR solar farm")
    assert parsed.all_of == ((Term(("wind",)), Term(("solar",))), (Term(("farm",)),))


def test_lower_case_or_is_a_word() -> None:
    assert parse("wind or solar") == words("wind", "or", "solar")


@pytest.mark.parametrize("text", ["wind -farm", "wind NOT farm", "-farm wind", "NOT farm wind"])
def test_exclusions(text: str) -> None:
    assert parse(text) == TextQuery(((Term(("wind",)),),), (Term(("farm",)),))


def test_only_exclusions_look_for_the_words() -> None:
    assert parse("-farm") == words("farm")


def test_a_hyphen_inside_a_word_is_not_an_exclusion() -> None:
    assert parse("China-Kazakhstan -farm").none_of == (Term(("farm",)),)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Kazakh*", Term(("kazakh",), prefix=True)),
        ('"nur sult"*', Term(("nur", "sult"), prefix=True)),
        ("(Kazakh*)", Term(("kazakh",), prefix=True)),
    ],
)
def test_prefix(text: str, term: Term) -> None:
    assert parse(text).all_of == ((term,),)


@pytest.mark.parametrize("text", ["*", "()", '""', "-", ":", "...", "' '", "(  )", "NOT"])
def test_punctuation_only_is_empty_or_words(text: str) -> None:
    parsed = parse(text)
    assert all(all(w.isalnum() for w in t.words) for t in parsed.terms())
    if not any(c.isalnum() for c in text):
        assert parsed.is_empty


def test_chinese_and_latin_words_combine() -> None:
    parsed = parse("施诗 reporter")
    assert parsed == words("施诗", "reporter")
    assert is_unspaced("施诗") and not is_unspaced("reporter")


def test_chinese_run_next_to_latin_is_two_words_of_a_phrase() -> None:
    assert parse("施诗reporter") == words(("施诗", "reporter"))
    assert parse("南方财经全媒体记者施诗") == words("南方财经全媒体记者施诗")


def test_terms_are_bounded() -> None:
    parsed = parse(" ".join(f"w{i}" for i in range(100)))
    assert len(parsed.terms()) == MAX_TERMS


@pytest.mark.parametrize(
    "text",
    ['"', '""""', "\\", "'", "\x00", "a\x00b", "\u200b", "🙂", "a*b*c", "-*", "OR OR OR", "((("],
)
def test_never_raises(text: str) -> None:
    parsed = parse(text)
    for term in parsed.terms():
        assert term.words and all(term.words)


# Any text a person could type, including what FTS5 treats as syntax.
_PIECES = [*"\"*()-:^+.,;'\u2019_\\/{}[]<>|&!?#@$%=~`", "OR", "AND", "NOT", "NEAR", "施诗", "w"]
_TYPED = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=MAX_TEXT),
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=5)), max_size=40).map(" ".join),
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=40).map("".join),
)


@pytest.mark.engine_independent  # SQLite's FTS5 in memory, whatever the engine under test
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TYPED)
def test_any_text_compiles_to_a_valid_fts5_query(text: str) -> None:
    """Whatever the text, the parsed query is a valid FTS5 expression (no syntax error)."""
    parsed = parse(text)
    if parsed.is_empty:
        return
    with sqlite3.connect(":memory:") as connection:
        connection.execute(
            "CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        connection.execute("INSERT INTO t VALUES (?)", (indexed_text(text),))
        connection.execute("SELECT count(*) FROM t WHERE t MATCH ?", (fts_expression(parsed),))
