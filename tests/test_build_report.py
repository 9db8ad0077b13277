"""The build against the database it replaces: the shrink guard and the change report,
on the engine under test (a SQLite file, or a PostgreSQL database)."""

import hashlib
import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.config import ROOT
from app.db import make_write_engine, sqlite_path, use_newest_dataset
from app.loader.build import build
from app.loader.check import check
from app.loader.problems import BuildFailed
from app.loader.report import CollectionChange, shrink_problems
from tests import engines
from tests.conftest import DATA_DIR, ON_POSTGRES, TEST_DATABASE_URL
from tests.test_build import DataFile, _state


@pytest.fixture(scope="module")
def good_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a database built from the real data/ (a SQLite file, or a PostgreSQL
    database beside the suite's)."""
    if not ON_POSTGRES:
        url = f"sqlite:///{tmp_path_factory.mktemp('good') / 'api.sqlite3'}"
        build(url, DATA_DIR)
        yield url
        return
    url = engines.create_database(TEST_DATABASE_URL, suffix="_report")
    try:
        build(url, DATA_DIR)
        yield url
    finally:
        engines.drop_database(url)


_copies = itertools.count(1)


@pytest.fixture
def database(good_database: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a private copy of the good database, which a build may replace."""
    source = sqlite_path(good_database)
    if source is not None:
        path = tmp_path / "db" / "api.sqlite3"
        path.parent.mkdir()
        shutil.copyfile(source, path)
        yield f"sqlite:///{path}"
        return
    url = engines.create_database(
        TEST_DATABASE_URL, suffix=f"_report{next(_copies)}", template=good_database
    )
    try:
        yield url
    finally:
        engines.drop_database(url)


def _unchanged(database: str) -> Any:
    """What a refused build must leave as it was: the file's bytes; on PostgreSQL, the
    dataset schemas and the build the newest one holds."""
    path = sqlite_path(database)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path else _state(database)


def _sql(database: str, statement: str, write: bool = False) -> Any:
    """The first column of the first row `statement` gives in the dataset now served
    (committed when `write`)."""
    engine = make_write_engine(database)
    try:
        with engine.connect() as connection, connection.begin():
            use_newest_dataset(connection)
            result = connection.execute(text(statement))
            return None if write else result.scalar()
    finally:
        engine.dispose()


def _count(database: str, table: str) -> int:
    return int(_sql(database, f"SELECT count(*) FROM {table}"))


def _cli(database: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=database, DATA_DIR=str(data_dir))
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _remove_last(data: DataFile, collection: str) -> str:
    """Delete the last record of `collection` from its file (whole lines); return its id."""
    record = data.records(collection)[-1]
    record_id = DataFile.scalar(record, "id")
    assert record_id
    start = data.text.rfind("\n", 0, record.start_mark.index) + 1
    end = record.end_mark.index
    data.text = data.text[:start] + data.text[end:]
    data.path.write_text(data.text, encoding="utf-8")
    return record_id


# ------------------------------------------------------------------ the shrink guard


def test_a_collection_falling_to_zero_is_refused(data_copy: Path, database: str) -> None:
    # Trade statistics name no place, so emptying them leaves every person and place in use.
    before = _count(database, "trade_stat")
    assert before > 0
    (data_copy / "trade_stats.yaml").write_text("trade_stats: []\n", encoding="utf-8")
    check(data_copy)  # the data itself is valid: only the comparison refuses it
    before_build = _unchanged(database)
    with pytest.raises(BuildFailed) as failure:
        build(database, data_copy)
    [problem] = failure.value.problems
    assert (problem.file, problem.line, problem.field) == (
        "data/trade_stats.yaml",
        1,
        "trade_stats",
    )
    assert "fall to zero" in problem.message
    assert f"{before} record(s) in the database it replaces, 0 in the data files" in (
        problem.message
    )
    assert "--allow-shrink" in problem.message
    assert _unchanged(database) == before_build  # untouched
    # Told so, the build goes through, and reports what it removed.
    result = build(database, data_copy, allow_shrink=True)
    assert _count(database, "trade_stat") == 0
    [change] = [c for c in result.changes if c.collection == "trade_stats"]
    assert (change.before, change.after, len(change.removed)) == (before, 0, before)


def test_losing_more_than_the_allowed_share_is_refused(data_copy: Path, database: str) -> None:
    quotes = DataFile(data_copy, "quotes.yaml")
    removed = _remove_last(quotes, "quotes")
    check(data_copy)
    before = _count(database, "quote")
    before_build = _unchanged(database)
    # With a limit of 0% losing one quote is refused, and the counts are named.
    with pytest.raises(BuildFailed) as failure:
        build(database, data_copy, max_shrink=0.0)
    [problem] = failure.value.problems
    assert problem.file == "data/quotes.yaml"
    assert "lose 1 (" in problem.message and removed in problem.message
    assert f"{before} record(s) in the database it replaces, {before - 1} in" in problem.message
    assert _unchanged(database) == before_build
    # One quote of many is within the default 20%.
    result = build(database, data_copy)
    [change] = [c for c in result.changes if c.collection == "quotes"]
    assert (change.before, change.after, change.removed) == (before, before - 1, (removed,))


@pytest.mark.engine_independent
@pytest.mark.parametrize(
    ("before", "after", "refused"),
    [(10, 8, False), (10, 7, True), (5, 4, False), (4, 3, True), (1, 0, True), (0, 0, False)],
)
def test_the_default_share_is_twenty_percent(before: int, after: int, refused: bool) -> None:
    change = CollectionChange("quotes", before, after, (), (), ())
    problems = shrink_problems([change], {"quotes": [("data/quotes.yaml", 4)]}, "data")
    assert bool(problems) == refused
    if refused:
        assert (problems[0].file, problems[0].line) == ("data/quotes.yaml", 4)


def test_the_cli_refuses_and_allows_a_shrink(data_copy: Path, database: str) -> None:
    (data_copy / "trade_stats.yaml").write_text("trade_stats: []\n", encoding="utf-8")
    refused = _cli(database, data_copy, "build")
    assert refused.returncode == 1
    assert refused.stderr.startswith("data/trade_stats.yaml:1: trade_stats: ")
    allowed = _cli(database, data_copy, "build", "--allow-shrink", "--quiet")
    assert allowed.returncode == 0, allowed.stderr
    assert len(allowed.stdout.splitlines()) == 1


def test_a_database_built_before_digests_is_still_guarded(data_copy: Path, database: str) -> None:
    _sql(database, "DELETE FROM record_digest", write=True)
    (data_copy / "trade_stats.yaml").write_text("trade_stats: []\n", encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(database, data_copy)
    shutil.copytree(DATA_DIR, data_copy, dirs_exist_ok=True)
    run = _cli(database, data_copy, "build")
    assert run.returncode == 0, run.stderr
    assert "changes are unknown" in run.stdout


# ------------------------------------------------------------------ the report


def test_build_reports_counts_time_and_what_changed(data_copy: Path, database: str) -> None:
    old_version = _sql(database, "SELECT dataset_version FROM build_info")
    counts = {table: _count(database, table) for table in ("source", "quote", "project")}
    removed = _remove_last(DataFile(data_copy, "quotes.yaml"), "quotes")
    projects = DataFile(data_copy, "projects.yaml")
    record = projects.records("projects")[0]
    changed = DataFile.scalar(record, "id")
    key, value = DataFile.entry(record, "name") or (None, None)
    assert key is not None and value is not None
    projects.replace(value, f'"{value.value} (renamed)"')
    run = _cli(database, data_copy, "build")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    head = lines[0]
    assert head.startswith("built dataset ")
    assert f"(was {old_version})" in head
    assert " s: " in head and "records 0 added, 1 removed, 1 changed" in head
    new_version = _sql(database, "SELECT dataset_version FROM build_info")
    assert new_version != old_version and new_version in head
    table = {line.split()[0]: line.split()[1:] for line in lines[2:] if line.startswith("  ")}
    assert table["sources"][:2] == [str(counts["source"]), str(counts["source"])]
    assert table["quotes"][:2] == [str(counts["quote"] - 1), str(counts["quote"])]
    assert table["projects"] == [str(counts["project"]), str(counts["project"]), "0", "0", "1"]
    assert f"  removed quotes: {removed}" in lines
    assert f"  changed projects: {changed}" in lines
    # Built again from the same data: nothing changed, and --quiet keeps one line.
    again = _cli(database, data_copy, "build", "--quiet")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [again.stdout.strip()]
    assert f"built dataset {new_version} (unchanged)" in again.stdout
    assert "records 0 added, 0 removed, 0 changed" in again.stdout


@pytest.mark.engine_independent  # validate opens no database
def test_validate_reports_counts_and_time(tmp_path: Path) -> None:
    dataset = check(DATA_DIR)
    never = f"sqlite:///{tmp_path / 'never.sqlite3'}"
    run = _cli(never, DATA_DIR, "validate")
    assert run.returncode == 0, run.stderr
    head, *rows = run.stdout.splitlines()
    assert head.startswith(f"data/ is valid: dataset {dataset.version}, checked in ")
    assert head.endswith(" s")
    counts = {row.split()[0]: row.split()[1] for row in rows[1:]}
    assert counts == {name: str(len(entries)) for name, entries in dataset.entries.items()}
    quiet = _cli(never, DATA_DIR, "validate", "--quiet")
    assert len(quiet.stdout.splitlines()) == 1
    assert not (tmp_path / "never.sqlite3").exists()
