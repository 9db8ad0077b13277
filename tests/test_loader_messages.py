"""Curator messages: one mistake gives one message, and each message points at the fix.

The checks run in-process (`app.loader.check.check`, what `validate` and `build` run) on a
corrupted copy of the real data/, and count the problems the mistake causes.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.config import ROOT
from app.loader.check import check
from app.loader.messages import closest_passage, explain_yaml_error
from app.loader.problems import BuildFailed, Problem
from tests.test_build import DataFile

# The checks run before any database is opened: the same on either engine.
pytestmark = pytest.mark.engine_independent


def _problems(data_dir: Path) -> list[Problem]:
    with pytest.raises(BuildFailed) as failure:
        check(data_dir)
    return failure.value.problems


def _only(data_dir: Path) -> Problem:
    """The one problem the data has (the test fails listing them all if there are more)."""
    problems = _problems(data_dir)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def _first_source(data_dir: Path) -> tuple[DataFile, yaml.MappingNode, str]:
    sources = DataFile(data_dir, "sources.yaml")
    record = sources.records("sources")[0]
    source_id = DataFile.scalar(record, "id")
    assert source_id
    return sources, record, source_id


def _cited_excerpt(data_dir: Path, name: str) -> tuple[DataFile, int, yaml.Node, yaml.Node, str]:
    """A one-line excerpt of `name` at least 30 characters long: (file, citation index,
    excerpt key node, excerpt value node, source id)."""
    data = DataFile(data_dir, name)
    for collection, records in data.root.value:
        if collection.value == "vocabularies":
            continue
        for record in records.value:
            citations = DataFile.entry(record, "citations")
            for index, citation in enumerate(citations[1].value if citations else ()):
                found = DataFile.entry(citation, "excerpt")
                source = DataFile.scalar(citation, "source")
                if (
                    found
                    and source
                    and isinstance(found[1], yaml.ScalarNode)
                    and found[1].style in (None, "'", '"')
                    and found[1].start_mark.line == found[1].end_mark.line
                    and len(found[1].value) >= 30
                    and "\\" not in found[1].value
                ):
                    return data, index, found[0], found[1], source
    raise AssertionError(f"no usable excerpt in {name}")


# ------------------------------------------------------------------ one mistake, one message


def test_a_bad_field_in_a_source_is_one_message(data_copy: Path) -> None:
    # Before: the entry was dropped, so every citation of the source was an "unknown source"
    # and its text file had "no entry for source".
    sources, record, _ = _first_source(data_copy)
    key, value = DataFile.entry(record, "language") or (None, None)
    assert key is not None and value is not None
    sources.replace(value, f"{value.value}\n  no_such_field: 1")
    problem = _only(data_copy)
    assert (problem.file, problem.field) == ("data/sources.yaml", "no_such_field")
    assert problem.line == DataFile.line(key) + 1


def test_a_yaml_syntax_error_is_one_message(data_copy: Path) -> None:
    # Before: the people and places that only this file's records use were "not referenced".
    for name in ("awards.yaml", "projects.yaml", "people.yaml", "places.yaml", "sources.yaml"):
        copy = data_copy.parent / f"copy-{name}" / "data"
        copy.parent.mkdir()
        shutil.copytree(data_copy, copy)
        text = (copy / name).read_text(encoding="utf-8")
        # Break the file in its middle: an unclosed flow list.
        lines = text.splitlines(keepends=True)
        middle = next(i for i in range(len(lines) // 2, len(lines)) if lines[i].startswith("  "))
        lines.insert(middle, "  broken: [unclosed\n")
        (copy / name).write_text("".join(lines), encoding="utf-8")
        problem = _only(copy)
        assert (problem.file, problem.field) == (f"data/{name}", "(yaml)"), name
        assert problem.column > 0


def test_a_record_that_fails_validation_is_one_message(data_copy: Path) -> None:
    # A sister-city tie names two places; when the record is invalid, the places it names
    # are not reported as unused, and its citations cause nothing either.
    ties = DataFile(data_copy, "sister_cities.yaml")
    record = ties.records("sister_cities")[0]
    key, value = DataFile.entry(record, "established") or (None, None)
    assert key is not None and value is not None
    ties.replace(value, '"2021-02-30"')
    problem = _only(data_copy)
    assert (problem.file, problem.line, problem.field) == (
        "data/sister_cities.yaml",
        DataFile.line(key),
        "established",
    )


def test_references_into_a_file_that_failed_to_parse_are_not_unknown(data_copy: Path) -> None:
    people = data_copy / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8") + "\n\t- broken\n", encoding="utf-8")
    problem = _only(data_copy)
    assert (problem.file, problem.field) == ("data/people.yaml", "(yaml)")


def test_references_to_a_record_that_failed_validation_are_not_unknown(data_copy: Path) -> None:
    people = DataFile(data_copy, "people.yaml")
    record = people.records("people")[0]
    key, value = DataFile.entry(record, "country") or (None, None)
    assert key is not None and value is not None
    people.replace(value, "Kazakhstan")  # not an ISO code: the person fails validation
    problem = _only(data_copy)
    assert (problem.file, problem.line, problem.field) == (
        "data/people.yaml",
        DataFile.line(key),
        "country",
    )


def test_a_broken_vocabularies_file_is_one_message(data_copy: Path) -> None:
    path = data_copy / "vocabularies.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  broken: [\n", encoding="utf-8")
    problem = _only(data_copy)
    assert (problem.file, problem.field) == ("data/vocabularies.yaml", "(yaml)")


def test_a_missing_vocabulary_is_one_message(data_copy: Path) -> None:
    vocabularies = DataFile(data_copy, "vocabularies.yaml")
    (_, terms) = vocabularies.root.value[0]
    key, value = DataFile.entry(terms, "event_type") or (None, None)
    assert key is not None and value is not None
    vocabularies.remove_entry(key, value)
    problem = _only(data_copy)
    assert "vocabulary 'event_type' is not defined" in problem.message


# ------------------------------------------------------------------ nothing lost silently


@pytest.mark.parametrize("content", ["", "# all records moved elsewhere\n\n# (comments only)\n"])
def test_an_empty_collection_file_is_an_error(data_copy: Path, content: str) -> None:
    (data_copy / "sister_cities.yaml").write_text(content, encoding="utf-8")
    problem = _only(data_copy)
    assert (problem.file, problem.line, problem.field) == ("data/sister_cities.yaml", 1, "(file)")
    assert "empty" in problem.message and "sister_cities: []" in problem.message


# ------------------------------------------------------------------ messages that point at the fix


def test_an_excerpt_one_character_off_shows_the_closest_passage(data_copy: Path) -> None:
    data, index, key, value, source_id = _cited_excerpt(data_copy, "projects.yaml")
    excerpt = value.value
    at = len(excerpt) // 2
    wrong = "Q" if excerpt[at] != "Q" else "Z"
    data.replace(value, '"' + excerpt[:at] + wrong + excerpt[at + 1 :].replace('"', '\\"') + '"')
    problem = _only(data_copy)
    assert (problem.file, problem.line, problem.field) == (
        "data/projects.yaml",
        DataFile.line(key),
        f"citations[{index}].excerpt",
    )
    text = (data_copy / "sources" / f"{source_id}.txt").read_text(encoding="utf-8")
    offset = text.index(excerpt) + at  # where the excerpt stops matching the text
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    assert f"data/sources/{source_id}.txt:{line}:{column} " in problem.message
    assert f"(excerpt character {at + 1})" in problem.message
    # Both snippets, starting a little before the difference.
    assert excerpt[at - 5 : at] + wrong in problem.message
    assert text[offset - 5 : offset + 1] in problem.message


@pytest.mark.parametrize("change", ["insert", "delete"])
def test_the_closest_passage_survives_an_inserted_or_missing_character(change: str) -> None:
    text = "First line.\nThe wind farm near Zhanatas has 100 MW of capacity.\nLast line.\n"
    excerpt = "The wind farm near Zhanatas has 100 MW of capacity."
    at = excerpt.index("Zhanatas") + 3
    edited = (
        excerpt[:at] + "x" + excerpt[at:]
        if change == "insert"
        else excerpt[:at] + excerpt[at + 1 :]
    )
    near = closest_passage(edited, text)
    assert near is not None
    assert (near.line, near.column, near.excerpt_at) == (2, at + 1, at)
    assert near.offset == text.index(excerpt) + at


def test_an_unrelated_excerpt_has_no_closest_passage() -> None:
    assert closest_passage("qzxv wqpt jjjk", "The wind farm near Zhanatas.\n") is None


def test_an_unknown_id_suggests_the_nearest(data_copy: Path) -> None:
    projects = DataFile(data_copy, "projects.yaml")
    record = next(r for r in projects.records("projects") if DataFile.scalar(r, "place"))
    key, value = DataFile.entry(record, "place") or (None, None)
    assert key is not None and value is not None
    place = str(value.value)
    typo = place[:-2] + place[-1] + place[-2]  # two letters swapped
    projects.replace(value, typo)
    problem = _only(data_copy)
    assert problem.message.startswith(f"unknown places id {typo!r}; did you mean {place!r}")


def test_an_unknown_source_suggests_the_nearest(data_copy: Path) -> None:
    data, _index, _key, _value, source_id = _cited_excerpt(data_copy, "quotes.yaml")
    text = data.text
    source_line = next(
        i for i, line in enumerate(text.splitlines(keepends=True)) if f"source: {source_id}" in line
    )
    lines = text.splitlines(keepends=True)
    lines[source_line] = lines[source_line].replace(source_id, source_id + "x")
    data.path.write_text("".join(lines), encoding="utf-8")
    problem = _only(data_copy)
    assert f"unknown source {source_id + 'x'!r}; did you mean {source_id!r}" in problem.message


def test_a_term_outside_a_vocabulary_suggests_the_nearest(data_copy: Path) -> None:
    projects = DataFile(data_copy, "projects.yaml")
    record = projects.records("projects")[0]
    _key, value = DataFile.entry(record, "sector") or (None, None)
    assert value is not None
    projects.replace(value, str(value.value).upper())
    problem = _only(data_copy)
    assert f"did you mean {value.value!r}" in problem.message


def test_a_yaml_error_gives_line_column_and_the_cause_in_plain_words(data_copy: Path) -> None:
    awards = DataFile(data_copy, "awards.yaml")
    record = awards.records("awards")[0]
    key, value = DataFile.entry(record, "name") or (None, None)
    assert key is not None and value is not None
    awards.replace(value, "Friendship: Award")
    problem = _only(data_copy)
    assert (problem.file, problem.line) == ("data/awards.yaml", DataFile.line(key))
    assert problem.column == value.start_mark.column + len("Friendship") + 1
    assert str(problem).startswith(f"data/awards.yaml:{problem.line}:{problem.column}: (yaml): ")
    assert "put the whole value in quotes" in problem.message


# ------------------------------------------------------------------ encodings: refused, located


def test_a_byte_order_mark_is_refused(data_copy: Path) -> None:
    path = data_copy / "awards.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    problem = _only(data_copy)
    assert (problem.file, problem.line, problem.field) == ("data/awards.yaml", 1, "(encoding)")
    assert "byte-order mark" in problem.message


def test_crlf_line_endings_are_refused(data_copy: Path) -> None:
    path = data_copy / "events.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    problem = _only(data_copy)
    assert (problem.file, problem.line, problem.field) == ("data/events.yaml", 1, "(encoding)")
    assert "CRLF" in problem.message


def test_a_source_text_with_a_byte_order_mark_is_refused(data_copy: Path) -> None:
    _, _, source_id = _first_source(data_copy)
    path = data_copy / "sources" / f"{source_id}.txt"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    problem = _only(data_copy)  # not also a checksum or excerpt message
    assert (problem.file, problem.line, problem.field) == (
        f"data/sources/{source_id}.txt",
        1,
        "(encoding)",
    )


# ------------------------------------------------------------------ CI annotations


def test_validate_format_github_prints_annotations(data_copy: Path, tmp_path: Path) -> None:
    projects = DataFile(data_copy, "projects.yaml")
    record = projects.records("projects")[0]
    key, value = DataFile.entry(record, "sector") or (None, None)
    assert key is not None and value is not None
    projects.replace(value, "not_a_sector")
    run = subprocess.run(
        [sys.executable, "-m", "app", "validate", "--format", "github"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DATA_DIR": str(data_copy),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'never.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    annotations = run.stdout.splitlines()
    assert len(annotations) == 1, run.stdout
    match = re.fullmatch(r"::error file=([^,]+),line=(\d+),title=([^:]+)::(.+)", annotations[0])
    assert match, annotations[0]
    assert match.groups()[:3] == ("data/projects.yaml", str(DataFile.line(key)), "sector")
    assert "not_a_sector" in match[4]
    assert run.stderr.strip() == "1 problem(s); nothing was written."


def test_github_annotations_escape_what_github_reads_as_syntax() -> None:
    problem = Problem("data/a,b.yaml", 3, "x:y", "50% off\nnext line", column=7)
    assert problem.github() == (
        "::error file=data/a%2Cb.yaml,line=3,col=7,title=x%3Ay::50%25 off%0Anext line"
    )


def test_a_source_kind_outside_its_vocabulary_is_refused(data_copy: Path) -> None:
    sources, record, _ = _first_source(data_copy)
    key, value = DataFile.entry(record, "kind") or (None, None)
    assert key is not None and value is not None
    sources.replace(value, "blog post")
    problem = _only(data_copy)
    assert (problem.file, problem.line, problem.field) == (
        "data/sources.yaml",
        DataFile.line(key),
        "kind",
    )
    assert "'blog post' is not in vocabulary 'source_kind'" in problem.message


def test_a_source_text_with_crlf_line_endings_is_one_message(data_copy: Path) -> None:
    _, _, source_id = _first_source(data_copy)
    path = data_copy / "sources" / f"{source_id}.txt"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    problem = _only(data_copy)
    assert (problem.file, problem.field) == (f"data/sources/{source_id}.txt", "(encoding)")
    assert "CRLF" in problem.message


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("name: [Order of the Golden Eagle\nnext: 1\n", "'[' list is not closed"),
        ("places:\n- id: [broken\n", "'[' list is not closed"),
        ("a: {b: 1\nc: 2\n", "'{' mapping is not closed"),
    ],
)
def test_unclosed_brackets_are_named_in_plain_words(text: str, cause: str) -> None:
    with pytest.raises(yaml.YAMLError) as error:
        yaml.safe_load(text)
    assert cause in explain_yaml_error(error.value).message


def test_an_id_that_names_a_route_beside_the_items_is_refused(data_copy: Path) -> None:
    """A trade statistic with the id `series` could not be reached (/v1/trade-stats/series is
    the series route), so the build refuses it at its line."""
    stats = DataFile(data_copy, "trade_stats.yaml")
    key, value = DataFile.entry(stats.records("trade_stats")[0], "id") or (None, None)
    assert key is not None and value is not None
    stats.replace(value, "series")
    problem = _only(data_copy)
    assert (problem.file, problem.line, problem.field) == (
        "data/trade_stats.yaml",
        DataFile.line(key),
        "id",
    )
    assert "/v1/trade-stats/series is another route" in problem.message
