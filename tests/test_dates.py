"""Dates with their basis: intervals for each precision, and the loader's checks of every
basis (vocabulary, verbatim phrase, publication date, inferred notes), each refusal located
at `file:line`.

The loader checks run on a small data folder written here, so each rule is tested on its own
whatever the state of the curated data.
"""

import csv
import io
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

import pytest

from app.loader.check import check
from app.loader.problems import BuildFailed
from app.models.types import DATE_BASES, DateBasis, interval_of, precision_of
from tests.conftest import DATA_DIR, load_data_file

TEXT = (
    "Ambassador Zhang: Last November, the visa-free regime came into force. "
    "In January-May of this year, trade reached $17.62 billion. "
    "We signed the agreement on Sept. 14, 2022. "
    "Last year, trade reached $41 billion. This year will be better, and next year too. "
    "In May this year, we met in Astana. On May 17, this year, the agreement was signed. "
    "We will double trade in two years. "
    "From September 1 last year to May this year, 100 trains ran. "
    "So far, 5 trains ran. Since March this year, flights doubled. "
    "Between January and July this year, trade grew. As of April 30, this year, 9 pairs. "
    "He visits in early July. "
    '"Our friendship is deep," he said.\n'
)


def _write(
    folder: Path, records: str, published: str = "2024-06", notes: str = "Month from the URL."
) -> None:
    (folder / "sources").mkdir(parents=True)
    (folder / "sources" / "test-2024-interview.txt").write_text(TEXT, encoding="utf-8")
    shutil.copyfile(DATA_DIR / "vocabularies.yaml", folder / "vocabularies.yaml")
    (folder / "sources.yaml").write_text(
        textwrap.dedent(
            f"""\
            sources:
            - id: test-2024-interview
              title: An interview
              kind: interview
              language: en
              published: "{published}"
              published_precision: {precision_of(published)}
              published_basis: inferred
              notes: {notes}
            """
        ),
        encoding="utf-8",
    )
    (folder / "people.yaml").write_text(
        textwrap.dedent(
            """\
            people:
            - id: zhang-xiao
              name: Zhang Xiao
              country: CN
              citations:
              - source: test-2024-interview
                excerpt: "Ambassador Zhang"
            """
        ),
        encoding="utf-8",
    )
    (folder / "records.yaml").write_text(textwrap.dedent(records), encoding="utf-8")


def quote(
    date: str, extra: str = "", excerpt: str = '\\"Our friendship is deep,\\" he said.'
) -> str:
    """A quotes file of one quote (its `date:` on line 7) with more fields from `extra`."""
    lines = extra.strip().splitlines()
    added = "".join(f"  {line}\n" for line in lines)
    return (
        "quotes:\n"
        "- id: zhang-friendship\n"
        "  pair: CN-KZ\n"
        '  text: "Our friendship is deep."\n'
        "  speaker: zhang-xiao\n"
        "  notes: null\n"
        f"  date: {date}\n"
        f"{added}"
        "  citations:\n"
        "  - source: test-2024-interview\n"
        f'    excerpt: "{excerpt}"\n'
    )


@pytest.fixture
def problems(tmp_path: Path) -> Callable[..., list[str]]:
    """A function: write a data folder with these records, check it, return its problems as
    `file:line: field: message` lines (empty when the folder is valid)."""
    counter = iter(range(1000))

    def run(records: str, required: bool = False, **source: Any) -> list[str]:
        folder = tmp_path / f"case{next(counter)}" / "data"
        _write(folder, records, **source)
        try:
            check(folder, basis_required=required)
        except BuildFailed as failed:
            return [str(problem) for problem in failed.problems]
        return []

    return run


# ------------------------------------------------------------------------------ intervals


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2023-11-17", "2023-11-17", "2023-11-17"),  # day
        ("2023-11", "2023-11-01", "2023-11-30"),  # month
        ("2024-02", "2024-02-01", "2024-02-29"),  # month of a leap year
        ("2023-02", "2023-02-01", "2023-02-28"),
        ("2023-12", "2023-12-01", "2023-12-31"),
        ("2023", "2023-01-01", "2023-12-31"),  # year
        (None, None, None),  # unknown
    ],
)
def test_interval_of_each_precision(value: str | None, start: str | None, end: str | None) -> None:
    assert interval_of(value) == (start, end)


def test_the_basis_vocabulary_is_the_one_the_loader_implements() -> None:
    vocabularies = load_data_file(DATA_DIR / "vocabularies.yaml")["vocabularies"]
    assert tuple(vocabularies["date_basis"]) == DATE_BASES == get_args(DateBasis)


# ------------------------------------------------------------------------------ loader checks


def test_a_valid_date_of_each_basis_passes(problems: Callable[..., list[str]]) -> None:
    assert problems(quote('"2024-06"', "date_basis: publication\ndate_text: he said")) == []
    signed = "We signed the agreement on Sept. 14, 2022."
    assert problems(quote('"2022-09-14"', "date_basis: stated", excerpt=signed)) == []
    inferred = quote('"2024"', "date_basis: inferred\ndate_text: he said")
    noted = inferred.replace("notes: null", "notes: Year inferred from the interview's context.")
    assert problems(noted) == []


def test_basis_outside_the_vocabulary(problems: Callable[..., list[str]]) -> None:
    found = problems(quote('"2024-06"', "date_basis: guessed"))
    assert any(line.startswith("data/records.yaml:8: date_basis: ") for line in found), found
    assert "guessed" in "".join(found) or "stated" in "".join(found)


def test_phrase_required_unless_stated(problems: Callable[..., list[str]]) -> None:
    found = problems(quote('"2024-06"', "date_basis: publication"))
    assert found == [
        "data/records.yaml:8: date_text: required when date_basis is 'publication': "
        "the verbatim phrase giving the date"
    ]


def test_phrase_must_occur_in_an_excerpt(problems: Callable[..., list[str]]) -> None:
    found = problems(quote('"2024-06"', "date_basis: publication\ndate_text: last spring"))
    assert found == [
        "data/records.yaml:9: date_text: 'last spring' does not occur in any excerpt of this record"
    ]


def test_publication_date_must_equal_the_sources(problems: Callable[..., list[str]]) -> None:
    found = problems(quote('"2024-05"', "date_basis: publication\ndate_text: he said"))
    assert len(found) == 1
    assert found[0].startswith("data/records.yaml:7: date: date_basis publication: must equal")
    assert "'2024-06' (month), not '2024-05' (month)" in found[0]
    # The same month at another precision is refused too.
    found = problems(quote('"2024"', "date_basis: publication\ndate_text: he said"))
    assert len(found) == 1 and "not '2024' (year)" in found[0]


def test_inferred_needs_notes(problems: Callable[..., list[str]]) -> None:
    found = problems(quote('"2024"', "date_basis: inferred\ndate_text: he said"))
    assert found == [
        "data/records.yaml:6: date_basis: an inferred date needs notes saying how it was inferred"
    ]


def test_a_basis_needs_a_date(problems: Callable[..., list[str]]) -> None:
    found = problems(quote("null", "date_basis: stated"))
    assert found == [
        "data/records.yaml:8: date_basis: is set but date is null; a basis needs a date"
    ]


def test_a_curated_interval_is_refused(problems: Callable[..., list[str]]) -> None:
    found = problems(quote('"2024-06"', 'date_basis: stated\ndate_start: "2024-06-01"'))
    # The refused record leaves its speaker unreferenced: that is reported too.
    expected = "data/records.yaml:9: date_start: Value error, derived from date; remove it"
    assert f"{expected} from the record" in found, found


def test_a_date_without_basis_fails_once_required(problems: Callable[..., list[str]]) -> None:
    assert problems(quote('"2024-06"')) == []  # the transition: tolerated
    found = problems(quote('"2024-06"'), required=True)
    assert found == ["data/records.yaml:2: date_basis: required: how was date obtained?"]


def test_a_source_date_is_stated_or_inferred(problems: Callable[..., list[str]]) -> None:
    records = quote('"2024-06"', "date_basis: publication\ndate_text: he said")
    assert problems(records) == []
    found = problems(records, notes="null")  # inferred without notes
    assert found == [
        "data/sources.yaml:9: published_basis: an inferred date needs notes saying how it "
        "was inferred"
    ]


def test_period_of_publication_basis(problems: Callable[..., list[str]]) -> None:
    records = textwrap.dedent(
        """\
        indicators:
        - id: friendship-count
          pair: CN-KZ
          metric: {metric}
          subject: friendships
          period_start: {start}
          period_end: {end}
          date_basis: publication
          date_text: he said
          value: 1
          unit: count
          citations:
          - source: test-2024-interview
            excerpt: "\\"Our friendship is deep,\\" he said."
        """
    ) + quote('"2024-06"', "date_basis: publication\ndate_text: he said")
    vocabularies = load_data_file(DATA_DIR / "vocabularies.yaml")["vocabularies"]
    metric = next(iter(vocabularies["indicator_metric"]))
    ok = records.format(metric=metric, start="null", end='"2024-06-30"')
    assert problems(ok) == []
    bad = records.format(metric=metric, start="null", end='"2024-06-15"')
    found = problems(bad)
    assert len(found) == 1 and found[0].startswith("data/records.yaml:7: period_end: ")
    assert "must end on 2024-06-30" in found[0]


# ------------------------------------------------------------------------------ served intervals

# API collection -> its partial date fields (each served with F_start and F_end).
PARTIAL_DATES = {
    "sources": ["published"],
    "projects": ["start_date", "completion_date"],
    "awards": ["date"],
    "sister-cities": ["established"],
    "quotes": ["date"],
    "events": ["date"],
}


@pytest.mark.parametrize("collection", list(PARTIAL_DATES))
def test_every_served_date_comes_with_its_interval(
    collection: str, fetch_all: Callable[..., list[dict[str, Any]]]
) -> None:
    items = fetch_all(f"/v1/{collection}")
    assert items
    for item in items:
        for field in PARTIAL_DATES[collection]:
            expected = interval_of(item[field])
            assert (item[f"{field}_start"], item[f"{field}_end"]) == expected, (item["id"], field)


@pytest.mark.parametrize("collection", list(PARTIAL_DATES))
def test_csv_carries_the_interval_as_full_dates(
    collection: str, client: Any, fetch_all: Callable[..., list[dict[str, Any]]]
) -> None:
    items = {item["id"]: item for item in fetch_all(f"/v1/{collection}")}
    response = client.get(f"/v1/{collection}", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(items)
    for field in PARTIAL_DATES[collection]:
        for row in rows:
            item = items[row["id"]]
            served = (row[f"{field}_start"] or None, row[f"{field}_end"] or None)
            assert served == interval_of(item[field]), (row["id"], field)
            assert row[f"{field}_precision"] == item[f"{field}_precision"]


@pytest.mark.parametrize("collection", ["projects", "sister-cities", "events"])
def test_geojson_properties_carry_the_interval(
    collection: str, client: Any, fetch_all: Callable[..., list[dict[str, Any]]]
) -> None:
    items = {item["id"]: item for item in fetch_all(f"/v1/{collection}")}
    response = client.get(f"/v1/{collection}", params={"format": "geojson"})
    features = response.json()["features"]
    assert features
    dated = 0
    for feature in features:
        props, item = feature["properties"], items[feature["id"]]
        for field in PARTIAL_DATES[collection]:
            expected = interval_of(item[field])
            assert (props[f"{field}_start"], props[f"{field}_end"]) == expected
            basis = "date_basis" if field == "date" else f"{field}_basis"
            assert props[f"{field}_precision"] == item[f"{field}_precision"]
            assert props[basis] == item[basis]
            dated += item[field] is not None
    assert dated, f"no {collection} feature has a date; the test shows nothing"


def test_year_filter_and_date_sort_use_the_interval(
    fetch_all: Callable[..., list[dict[str, Any]]],
) -> None:
    events = fetch_all("/v1/events", sort="date")
    starts = [e["date_start"] for e in events if e["date_start"]]
    assert starts == sorted(starts)
    for year in sorted({int(s[:4]) for s in starts}):
        got = {e["id"] for e in fetch_all("/v1/events", year_from=year, year_to=year)}
        assert got == {
            e["id"]
            for e in events
            if e["date_start"] and e["date_start"][:4] <= str(year) <= e["date_end"][:4]
        }


# ------------------------------------------------------------------------------ relative dates

# (form, excerpt, phrase, right value, a wrong value), against a source published 2024-06.
DATE_FORMS = [
    ("last year", "Last year, trade reached $41 billion.", "Last year", '"2023"', '"2024"'),
    ("this year", "This year will be better", "This year", '"2024"', '"2023"'),
    ("next year", "and next year too", "next year", '"2025"', '"2024"'),
    ("last <Month>", "Last November, the visa-free", "Last November", '"2023-11"', '"2024-11"'),
    ("<Month> this year", "In May this year, we met", "May this year", '"2024-05"', '"2024-06"'),
    (
        "<Month> <day>, this year",
        "On May 17, this year, the agreement was signed.",
        "May 17, this year",
        '"2024-05-17"',
        '"2024-05"',
    ),
    ("in N years", "We will double trade in two years.", "in two years", '"2026"', '"2025"'),
    ("now", "So far, 5 trains ran.", "So far", '"2024-06"', '"2024"'),
    (
        "as of <Month> <day>, this year",
        "As of April 30, this year, 9 pairs.",
        "As of April 30, this year",
        '"2024-04-30"',
        '"2023-04-30"',
    ),
]


@pytest.mark.parametrize(("form", "excerpt", "phrase", "right", "wrong"), DATE_FORMS)
def test_relative_date_is_recomputed(
    problems: Callable[..., list[str]],
    form: str,
    excerpt: str,
    phrase: str,
    right: str,
    wrong: str,
) -> None:
    extra = f"date_basis: relative\ndate_text: {phrase}"
    assert problems(quote(right, extra, excerpt=excerpt)) == [], form
    found = problems(quote(wrong, extra, excerpt=excerpt))
    expected = right.strip('"')
    assert found == [
        f"data/records.yaml:7: date: '{phrase}' resolved against source 'test-2024-interview' "
        f"published 2024-06 gives {expected}, not {wrong.strip(chr(34))}"
    ], form


PERIOD = """\
indicators:
- id: trains
  pair: CN-KZ
  metric: {metric}
  subject: trains
  period_start: {start}
  period_end: {end}
  date_basis: relative
  date_text: {phrase}
  value: 100
  unit: count
  citations:
  - source: test-2024-interview
    excerpt: "{excerpt}"
"""

# (form, excerpt, phrase, right (start, end), wrong (start, end), the refused line).
PERIOD_FORMS = [
    (
        "<Month>-<Month> of this year",
        "In January-May of this year, trade reached $17.62 billion.",
        "January-May of this year",
        ('"2024-01-01"', '"2024-05-31"'),
        ('"2023-01-01"', '"2024-05-31"'),
        "data/records.yaml:6: period_start: 'January-May of this year' resolved against source "
        "'test-2024-interview' published 2024-06 starts on 2024-01-01, not 2023-01-01",
    ),
    (
        "from <Month> <day> last year to <Month> this year",
        "From September 1 last year to May this year, 100 trains ran.",
        "From September 1 last year to May this year",
        ('"2023-09-01"', '"2024-05-31"'),
        ('"2023-09-01"', '"2024-06-30"'),
        "data/records.yaml:7: period_end: 'From September 1 last year to May this year' resolved "
        "against source 'test-2024-interview' published 2024-06 ends on 2024-05-31, not "
        "2024-06-30",
    ),
    (
        "between <Month> and <Month> this year",
        "Between January and July this year, trade grew.",
        "Between January and July this year",
        ('"2024-01-01"', '"2024-07-31"'),
        ('"2024-01-01"', '"2024-07-01"'),
        "data/records.yaml:7: period_end: 'Between January and July this year' resolved against "
        "source 'test-2024-interview' published 2024-06 ends on 2024-07-31, not 2024-07-01",
    ),
    (
        "since <Month> this year (until the source's date)",
        "Since March this year, flights doubled.",
        "Since March this year",
        ('"2024-03-01"', '"2024-06-30"'),
        ('"2024-03-01"', '"2024-03-31"'),
        "data/records.yaml:7: period_end: 'Since March this year' resolved against source "
        "'test-2024-interview' published 2024-06 ends on 2024-06-30, not 2024-03-31",
    ),
    (
        "in N years (a target's deadline)",
        "We will double trade in two years.",
        "in two years",
        ("null", '"2026-12-31"'),
        ("null", '"2025-12-31"'),
        "data/records.yaml:7: period_end: 'in two years' resolved against source "
        "'test-2024-interview' published 2024-06 ends on 2026-12-31, not 2025-12-31",
    ),
]


@pytest.mark.parametrize(("form", "excerpt", "phrase", "right", "wrong", "refusal"), PERIOD_FORMS)
def test_relative_period_is_recomputed(
    problems: Callable[..., list[str]],
    form: str,
    excerpt: str,
    phrase: str,
    right: tuple[str, str],
    wrong: tuple[str, str],
    refusal: str,
) -> None:
    vocabularies = load_data_file(DATA_DIR / "vocabularies.yaml")["vocabularies"]
    metric = next(iter(vocabularies["indicator_metric"]))
    speaker = quote('"2024-06"', "date_basis: publication\ndate_text: he said")

    def period(bounds: tuple[str, str]) -> str:
        return PERIOD.format(
            metric=metric, start=bounds[0], end=bounds[1], phrase=phrase, excerpt=excerpt
        )

    assert problems(period(right) + speaker) == [], form
    assert problems(period(wrong) + speaker) == [refusal], form


def test_last_month_needs_the_month_of_publication(problems: Callable[..., list[str]]) -> None:
    extra = "date_basis: relative\ndate_text: Last November"
    found = problems(quote('"2023-11"', extra, excerpt="Last November"), published="2024")
    assert found == [
        "data/records.yaml:9: date_text: 'Last November' needs the month of publication, but "
        "the source's date is '2024'"
    ]


def test_a_relative_phrase_outside_the_grammar_is_refused(
    problems: Callable[..., list[str]],
) -> None:
    # "in early July" is no form (a month without "this year"), and a form inside a longer
    # phrase is not read as that form: neither can be checked, so neither may say `relative`.
    extra = "date_basis: relative\ndate_text: in early July"
    found = problems(quote('"2024-07"', extra, excerpt="He visits in early July."))
    assert len(found) == 1 and "'in early July' is not a relative form" in found[0], found
    longer = "date_basis: relative\ndate_text: Last November, the visa-free"
    found = problems(quote('"2024-11"', longer, excerpt="Last November, the visa-free"))
    assert len(found) == 1 and "is not a relative form the loader can recompute" in found[0]
    # The same judgement, marked as the curator's inference with notes, is accepted.
    inferred = quote(
        '"2024-07"', "date_basis: inferred\ndate_text: in early July", "He visits in early July."
    ).replace("  notes: null\n", "  notes: The July after the June interview.\n")
    assert problems(inferred) == []


def test_a_citation_shows_its_source_date_with_basis_and_interval(
    fetch_all: Callable[..., list[dict[str, Any]]],
) -> None:
    sources = {s["id"]: s for s in fetch_all("/v1/sources")}
    for quote in fetch_all("/v1/quotes"):
        for citation in quote["citations"]:
            shown, source = citation["source"], sources[citation["source_id"]]
            for key in ("published", "published_basis", "published_start", "published_end"):
                assert shown[key] == source[key], (quote["id"], key)
            assert (shown["published_start"], shown["published_end"]) == interval_of(
                shown["published"]
            )
