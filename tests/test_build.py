"""`python -m app validate` and `python -m app build`, run as the curators run them.

A bad data folder fails with exit status 1 and one `data/<file>:<line>: <field>: <message>`
line per problem (at the right line), the existing database stays byte-identical, and
`validate` never writes anything. Every stored excerpt is where its offsets say it is.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.config import ROOT
from app.db import make_write_engine, use_newest_dataset
from app.loader.build import BUILD_LOCK_KEY
from tests import engines
from tests.conftest import COLLECTIONS, ON_POSTGRES, TEST_DATABASE_URL

DATA_DIR = ROOT / "data"
# Collections whose records cite sources (sources themselves are cited, not citing).
CITING = tuple(c for c in COLLECTIONS if c != "sources")
# `file:line: field: message` (or `file:line:column: ...`); the file is relative to the folder
# holding data/.
PROBLEM_LINE = re.compile(
    r"^(?P<file>data/[^:\s]+):(?P<line>\d+)(?::\d+)?: (?P<field>[^:]+): (?P<message>.+)$"
)
SUMMARY_LINE = re.compile(r"^\d+ problem\(s\)")
# A bad data folder fails the checks before the build opens any database, so each kind of
# mistake is tried once (in the SQLite run); test_every_problem_is_listed_at_once shows on
# both engines that such a failure leaves the database as it was.
ENGINE_INDEPENDENT = pytest.mark.engine_independent


# ------------------------------------------------------------------------------ running the CLI


@dataclass
class Run:
    """The outcome of one CLI command."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def problems(self) -> list[str]:
        """The problem lines of stderr (without the closing summary line)."""
        return [line for line in self.stderr.splitlines() if not SUMMARY_LINE.match(line)]

    def prefixes(self) -> set[str]:
        """`file:line: field: ` of every problem line."""
        found = set()
        for line in self.problems:
            match = PROBLEM_LINE.match(line)
            assert match, f"not a `file:line: field: message` line: {line!r}\n{self.stderr}"
            found.add(f"{match['file']}:{match['line']}: {match['field']}: ")
        return found

    def line_starting(self, prefix: str) -> str:
        """The one problem line that starts with `prefix`."""
        lines = [line for line in self.problems if line.startswith(prefix)]
        assert lines, f"no problem line starts with {prefix!r}; stderr:\n{self.stderr}"
        return lines[0]


def _env(database: Path | str, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = database if isinstance(database, str) else f"sqlite:///{database}"
    env["DATA_DIR"] = str(data_dir)
    return env


def _start(command: str, database: Path | str, data_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", command],
        cwd=ROOT,
        env=_env(database, data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> Run:
    stdout, stderr = process.communicate(timeout=120)
    return Run(process.returncode, stdout, stderr)


def _run(command: str, database: Path | str, data_dir: Path) -> Run:
    return _finish(_start(command, database, data_dir))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _state(database: Path | str) -> Any:
    """What a failed build must leave unchanged: a SQLite file's bytes; on PostgreSQL, the
    dataset schemas and the build the newest one holds."""
    if isinstance(database, Path):
        return _sha256(database)
    engine = make_write_engine(database)
    try:
        with engine.connect() as connection, connection.begin():
            schemas = connection.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'dataset%' ORDER BY 1")
            ).all()
            use_newest_dataset(connection)
            info = connection.execute(text("SELECT * FROM build_info")).all()
            return schemas, info
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path | str, Run]]:
    """A database built from the real data/ by `python -m app build`: a SQLite file, or a
    new PostgreSQL database when the suite runs on PostgreSQL."""
    if not ON_POSTGRES:
        database = tmp_path_factory.mktemp("built") / "api.sqlite3"
        yield database, _run("build", database, DATA_DIR)
        return
    url = engines.create_database(TEST_DATABASE_URL, suffix="_built")
    try:
        yield url, _run("build", url, DATA_DIR)
    finally:
        engines.drop_database(url)


# ------------------------------------------------------------------------------ the real data


@ENGINE_INDEPENDENT
def test_validate_real_data_passes_and_writes_nothing(tmp_path: Path) -> None:
    database = tmp_path / "never" / "api.sqlite3"
    run = _run("validate", database, DATA_DIR)
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == ""
    assert "valid" in run.stdout
    assert not database.exists()
    assert not database.parent.exists()


def test_build_real_data_passes(built: tuple[Path | str, Run], dataset: dict[str, Any]) -> None:
    database, run = built
    assert run.returncode == 0, run.stderr
    engine = make_write_engine(database if isinstance(database, str) else f"sqlite:///{database}")
    with engine.connect() as connection, connection.begin():
        use_newest_dataset(connection)
        (version, built_at) = connection.execute(
            text("SELECT dataset_version, built_at FROM build_info")
        ).one()
        tables = {
            "sources": "source",
            "people": "person",
            "places": "place",
            "projects": "project",
            "awards": "award",
            "trade-stats": "trade_stat",
            "sister-cities": "sister_city",
            "quotes": "quote",
            "events": "event",
            "indicators": "indicator",
        }
        for collection, table in tables.items():
            count = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            assert count == len(dataset[collection]), collection
    engine.dispose()
    assert version and version in run.stdout
    assert built_at
    if isinstance(database, Path):
        # No staging file is left next to the database.
        assert sorted(p.name for p in database.parent.iterdir()) == [database.name]


@pytest.mark.sqlite
def test_sqlite_build_again_replaces_the_file(data_copy: Path, tmp_path: Path) -> None:
    database = tmp_path / "db" / "api.sqlite3"
    first = _run("build", database, data_copy)
    assert first.returncode == 0, first.stderr
    inode = database.stat().st_ino
    again = _run("build", database, data_copy)
    assert again.returncode == 0, again.stderr
    # A new file took the old one's place (atomic replace), with the same content.
    assert database.stat().st_ino != inode
    # Same dataset version, same number of rows, nothing added, removed or changed.
    assert first.stdout.split()[:3] == again.stdout.split()[:3]  # built dataset <version>
    assert "(unchanged)" in again.stdout
    assert "records 0 added, 0 removed, 0 changed" in again.stdout
    with sqlite3.connect(database) as connection:
        (rows,) = connection.execute("SELECT count(*) FROM build_info").fetchone()
        assert rows == 1
    assert sorted(p.name for p in database.parent.iterdir()) == [database.name]


def _schemas(url: str) -> list[str]:
    engine = make_write_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'dataset%' ORDER BY 1")
            )
            return [row[0] for row in rows]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_build_again_switches_to_a_new_schema(
    data_copy: Path, new_database_url: Callable[[], str]
) -> None:
    url = new_database_url()
    first = _run("build", url, data_copy)
    assert first.returncode == 0, first.stderr
    assert _schemas(url) == ["dataset_00000001"]
    again = _run("build", url, data_copy)
    assert again.returncode == 0, again.stderr
    # Same dataset version, same number of rows, nothing added, removed or changed.
    assert first.stdout.split()[:3] == again.stdout.split()[:3]  # built dataset <version>
    assert "(unchanged)" in again.stdout
    assert "records 0 added, 0 removed, 0 changed" in again.stdout
    # The new schema is served; the previous one stays for requests that began before.
    assert _schemas(url) == ["dataset_00000001", "dataset_00000002"]
    third = _run("build", url, data_copy)
    assert third.returncode == 0, third.stderr
    assert _schemas(url) == ["dataset_00000002", "dataset_00000003"]
    state = _state(url)
    assert len(state[1]) == 1  # one build_info row, in the newest schema


@pytest.mark.postgres
def test_postgres_second_build_waits_for_the_first(new_database_url: Callable[[], str]) -> None:
    """Two builds at once: the second waits for the first's lock, then builds cleanly (no
    ForeignKeyViolation from interleaved loads)."""
    url = new_database_url()
    engine = make_write_engine(url)
    try:
        with engine.connect() as holder, holder.begin():
            # Hold the build lock as a running build does.
            holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": BUILD_LOCK_KEY})
            waiting = _start("build", url, DATA_DIR)
            deadline = time.monotonic() + 60
            while not _waits_on_advisory_lock(engine) and time.monotonic() < deadline:
                assert waiting.poll() is None, waiting.communicate()
                time.sleep(0.2)
            assert _waits_on_advisory_lock(engine), "the second build did not wait for the lock"
            assert _schemas(url) == []
        run = _finish(waiting)
    finally:
        engine.dispose()
    assert run.returncode == 0, run.stderr
    assert "another build of this database is running; waiting" in run.stderr
    assert _schemas(url) == ["dataset_00000001"]


def _waits_on_advisory_lock(engine: Any) -> bool:
    with engine.connect() as connection:
        return bool(
            connection.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            ).scalar()
        )


@pytest.mark.postgres
def test_postgres_database_refusing_writes_fails_the_build_cleanly(
    new_database_url: Callable[[], str],
) -> None:
    url = new_database_url()
    name = url.rsplit("/", 1)[1]
    engine = make_write_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(
                text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
            )
            connection.commit()
    finally:
        engine.dispose()
    run = _run("build", url, DATA_DIR)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    (line,) = run.problems
    assert re.match(r"^postgresql\+psycopg://\S+:0: \(database\): ReadOnlySqlTransaction: ", line)
    assert SUMMARY_LINE.match(run.stderr.splitlines()[-1])


# ------------------------------------------------------------------------------ corrupting a copy


class DataFile:
    """One YAML file of a data copy, with the line and text position of every node."""

    def __init__(self, data_dir: Path, name: str) -> None:
        self.path = data_dir / name
        self.rel = f"data/{name}"
        self.text = self.path.read_text(encoding="utf-8")
        self.root = yaml.compose(self.text)

    def records(self, collection: str) -> list[yaml.MappingNode]:
        for key, value in self.root.value:
            if key.value == collection:
                return list(value.value)
        raise AssertionError(f"{self.rel} has no {collection}")

    @staticmethod
    def entry(node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
        for key_node, value_node in node.value:
            if key_node.value == key:
                return key_node, value_node
        return None

    @staticmethod
    def scalar(node: yaml.MappingNode, key: str) -> str | None:
        found = DataFile.entry(node, key)
        if found is None or not isinstance(found[1], yaml.ScalarNode):
            return None
        value = found[1]
        if value.tag == "tag:yaml.org,2002:null":
            return None
        if value.style is None and value.value in ("null", "Null", "NULL", "~", ""):
            return None
        return str(value.value)

    @staticmethod
    def line(node: yaml.Node) -> int:
        return int(node.start_mark.line) + 1

    def replace(self, node: yaml.Node, new: str) -> None:
        """Put `new` (YAML source) where `node` is; lines before it do not move."""
        start, end = node.start_mark.index, node.end_mark.index
        self.text = self.text[:start] + new + self.text[end:]
        self.path.write_text(self.text, encoding="utf-8")

    def remove_entry(self, key: yaml.Node, value: yaml.Node) -> None:
        """Delete a `key: value` of a block mapping (whole lines)."""
        start = self.text.rfind("\n", 0, key.start_mark.index) + 1
        end = value.end_mark.index
        if not self.text[start:end].endswith("\n"):
            newline = self.text.find("\n", end)
            end = len(self.text) if newline == -1 else newline + 1
        self.text = self.text[:start] + self.text[end:]
        self.path.write_text(self.text, encoding="utf-8")


def _inline(node: yaml.Node) -> bool:
    """A scalar written on one line (plain or quoted), safe to replace in place."""
    return (
        isinstance(node, yaml.ScalarNode)
        and node.style in (None, "'", '"')
        and node.start_mark.line == node.end_mark.line
    )


def _data_files(data_dir: Path) -> list[str]:
    return sorted(path.name for path in data_dir.glob("*.yaml"))


def _occurrences(text: str, excerpt: str) -> int:
    count, position = 0, text.find(excerpt)
    while position != -1:
        count += 1
        position = text.find(excerpt, position + 1)
    return count


@pytest.fixture
def failing(built: tuple[Path | str, Run], data_copy: Path, tmp_path: Path) -> Callable[..., Run]:
    """Run `build` (on a copy of a good database) on the corrupted data copy, and `validate`
    too unless told not to (it runs the same checks; the suite keeps to its time budget);
    check what every failure must satisfy, and hand the build's run back for the specifics."""
    good, first = built
    assert first.returncode == 0, f"the real data must build first:\n{first.stderr}"

    def run(validate: bool = False) -> Run:
        database: Path | str
        if isinstance(good, str):
            database = good  # a failed build changes nothing, so one database serves all
        else:
            database = tmp_path / "db" / "api.sqlite3"
            database.parent.mkdir()
            shutil.copyfile(good, database)
        before = _state(database)
        never = tmp_path / "never" / "api.sqlite3"
        processes = {"build": _start("build", database, data_copy)}
        if validate:
            processes["validate"] = _start("validate", never, data_copy)
        runs = {name: _finish(process) for name, process in processes.items()}
        for name, outcome in runs.items():
            assert outcome.returncode == 1, (name, outcome.stdout, outcome.stderr)
            assert outcome.problems, (name, outcome.stderr)
            assert outcome.prefixes()  # every line is `file:line: field: message`
            assert "Traceback" not in outcome.stderr
            assert SUMMARY_LINE.match(outcome.stderr.splitlines()[-1]), outcome.stderr
        if validate:
            assert runs["validate"].problems == runs["build"].problems
            assert not never.parent.exists()  # validate writes nothing
        # The existing database is untouched, and nothing is left beside it.
        assert _state(database) == before
        if isinstance(database, Path):
            assert sorted(p.name for p in database.parent.iterdir()) == [database.name]
        return runs["build"]

    return run


@ENGINE_INDEPENDENT
def test_yaml_syntax_error(data_copy: Path, failing: Callable[..., Run]) -> None:
    awards = DataFile(data_copy, "awards.yaml")
    record = awards.records("awards")[0]
    key, value = DataFile.entry(record, "name") or (None, None)
    assert key is not None and value is not None and _inline(value)
    awards.replace(value, "broken: mapping value")  # `name: broken: mapping value`
    run = failing(validate=True)
    column = value.start_mark.column + len("broken") + 1
    problem = run.line_starting(f"data/awards.yaml:{DataFile.line(key)}:{column}: (yaml): ")
    assert "put the whole value in quotes" in problem  # the cause, in plain words
    assert len(run.problems) == 1  # and no follow-on problem elsewhere


@ENGINE_INDEPENDENT
def test_excerpt_not_in_its_source(data_copy: Path, failing: Callable[..., Run]) -> None:
    projects = DataFile(data_copy, "projects.yaml")
    index, citation, (key, value) = next(
        (index, citation, excerpt)
        for record in projects.records("projects")
        for index, citation in enumerate((DataFile.entry(record, "citations") or ())[1].value)
        if (excerpt := DataFile.entry(citation, "excerpt")) is not None and _inline(excerpt[1])
    )
    source = DataFile.scalar(citation, "source")
    projects.replace(value, json.dumps(value.value + " [words no source has: qzx]"))
    run = failing(validate=True)
    prefix = f"data/projects.yaml:{DataFile.line(key)}: citations[{index}].excerpt: "
    assert run.prefixes() == {prefix}
    assert repr(source) in run.line_starting(prefix)


@ENGINE_INDEPENDENT
def test_unknown_reference(data_copy: Path, failing: Callable[..., Run]) -> None:
    projects = DataFile(data_copy, "projects.yaml")
    record = next(r for r in projects.records("projects") if DataFile.scalar(r, "place"))
    key, value = DataFile.entry(record, "place") or (None, None)
    assert key is not None and value is not None
    projects.replace(value, "no-such-place")
    run = failing()
    problem = run.line_starting(f"data/projects.yaml:{DataFile.line(key)}: place: ")
    assert "no-such-place" in problem


@ENGINE_INDEPENDENT
def test_truncated_source_text(data_copy: Path, failing: Callable[..., Run]) -> None:
    sources = DataFile(data_copy, "sources.yaml")
    source_ids = [DataFile.scalar(r, "id") for r in sources.records("sources")]
    # Cut the longest text in half.
    path = max(
        (data_copy / "sources" / f"{sid}.txt" for sid in source_ids),
        key=lambda p: p.stat().st_size,
    )
    source_id = path.stem
    text = path.read_text(encoding="utf-8")
    cut = text[: len(text) // 2]
    path.write_bytes(cut.encode("utf-8"))
    expected = set()
    for name in _data_files(data_copy):
        data = DataFile(data_copy, name)
        for collection, records in data.root.value:
            if collection.value in ("vocabularies", "sources"):
                continue
            for record in records.value:
                citations = DataFile.entry(record, "citations")
                assert citations is not None
                for index, citation in enumerate(citations[1].value):
                    if DataFile.scalar(citation, "source") != source_id:
                        continue
                    excerpt_key, excerpt = DataFile.entry(citation, "excerpt") or (None, None)
                    assert excerpt_key is not None and excerpt is not None
                    count = _occurrences(cut, excerpt.value)
                    occurrence = DataFile.entry(citation, "occurrence")
                    if count == 0:
                        line = DataFile.line(excerpt_key)
                        expected.add(f"data/{name}:{line}: citations[{index}].excerpt: ")
                    elif occurrence is not None and int(occurrence[1].value) > count:
                        line = DataFile.line(occurrence[0])
                        expected.add(f"data/{name}:{line}: citations[{index}].occurrence: ")
    for record in sources.records("sources"):
        sha = DataFile.entry(record, "sha256")
        if DataFile.scalar(record, "id") == source_id and sha and DataFile.scalar(record, "sha256"):
            expected.add(f"data/sources.yaml:{DataFile.line(sha[0])}: sha256: ")
    assert expected, "cutting the text in half must lose some excerpt"
    run = failing(validate=True)
    assert run.prefixes() == expected
    for line in run.problems:
        if ".excerpt: " in line:
            assert repr(source_id) in line


@ENGINE_INDEPENDENT
def test_impossible_date(data_copy: Path, failing: Callable[..., Run]) -> None:
    events = DataFile(data_copy, "events.yaml")
    record = next(r for r in events.records("events") if DataFile.scalar(r, "date"))
    key, value = DataFile.entry(record, "date") or (None, None)
    assert key is not None and value is not None
    events.replace(value, '"2021-02-30"')
    run = failing()
    problem = run.line_starting(f"data/events.yaml:{DataFile.line(key)}: date: ")
    assert "2021-02-30" in problem


@ENGINE_INDEPENDENT
def test_duplicate_id(data_copy: Path, failing: Callable[..., Run]) -> None:
    quotes = DataFile(data_copy, "quotes.yaml")
    first, second = quotes.records("quotes")[:2]
    first_id = DataFile.scalar(first, "id")
    key, value = DataFile.entry(second, "id") or (None, None)
    assert key is not None and value is not None
    quotes.replace(value, str(first_id))
    run = failing()
    problem = run.line_starting(f"data/quotes.yaml:{DataFile.line(key)}: id: ")
    assert repr(first_id) in problem or str(first_id) in problem


@ENGINE_INDEPENDENT
def test_value_outside_a_vocabulary(data_copy: Path, failing: Callable[..., Run]) -> None:
    projects = DataFile(data_copy, "projects.yaml")
    record = projects.records("projects")[0]
    key, value = DataFile.entry(record, "sector") or (None, None)
    assert key is not None and value is not None
    projects.replace(value, "not_a_sector")
    run = failing()
    prefix = f"data/projects.yaml:{DataFile.line(key)}: sector: "
    assert run.prefixes() == {prefix}
    assert "not_a_sector" in run.line_starting(prefix)


@ENGINE_INDEPENDENT
def test_empty_citations(data_copy: Path, failing: Callable[..., Run]) -> None:
    quotes = DataFile(data_copy, "quotes.yaml")
    record = quotes.records("quotes")[-1]
    key, value = DataFile.entry(record, "citations") or (None, None)
    assert key is not None and value is not None
    # `citations:` followed by its items -> `citations: []`.
    start, end = key.end_mark.index, value.end_mark.index
    quotes.text = quotes.text[:start] + ": []\n" + quotes.text[end:]
    quotes.path.write_text(quotes.text, encoding="utf-8")
    run = failing()
    run.line_starting(f"data/quotes.yaml:{DataFile.line(key)}: citations: ")


@ENGINE_INDEPENDENT
def test_missing_citations(data_copy: Path, failing: Callable[..., Run]) -> None:
    quotes = DataFile(data_copy, "quotes.yaml")
    record = quotes.records("quotes")[-1]
    key, value = DataFile.entry(record, "citations") or (None, None)
    assert key is not None and value is not None
    quotes.remove_entry(key, value)
    rewritten = DataFile(data_copy, "quotes.yaml").records("quotes")[-1]
    assert DataFile.entry(rewritten, "citations") is None
    run = failing(validate=True)
    # A missing field is reported at the record's first line.
    run.line_starting(f"data/quotes.yaml:{DataFile.line(record)}: citations: ")


@ENGINE_INDEPENDENT
def test_ambiguous_excerpt_without_occurrence(
    data_copy: Path, failing: Callable[..., Run], source_texts: dict[str, bytes]
) -> None:
    for name in _data_files(data_copy):
        data = DataFile(data_copy, name)
        for collection, records in data.root.value:
            if collection.value in ("vocabularies", "sources"):
                continue
            for record in records.value:
                citations = DataFile.entry(record, "citations")
                assert citations is not None
                for index, citation in enumerate(citations[1].value):
                    occurrence = DataFile.entry(citation, "occurrence")
                    excerpt = DataFile.entry(citation, "excerpt")
                    source = DataFile.scalar(citation, "source")
                    if occurrence is None or excerpt is None or source not in source_texts:
                        continue
                    text = source_texts[source].decode("utf-8")
                    if _occurrences(text, excerpt[1].value) > 1:
                        data.remove_entry(*occurrence)
                        run = failing()
                        prefix = f"data/{name}:{DataFile.line(excerpt[0])}: "
                        prefix += f"citations[{index}].excerpt: "
                        assert run.prefixes() == {prefix}
                        assert repr(source) in run.line_starting(prefix)
                        return
    pytest.skip("no citation of the data needs `occurrence`")


def test_every_problem_is_listed_at_once(data_copy: Path, failing: Callable[..., Run]) -> None:
    projects = DataFile(data_copy, "projects.yaml")
    first, second = projects.records("projects")[:2]
    sector_key, sector = DataFile.entry(first, "sector") or (None, None)
    status_key, status = DataFile.entry(second, "status") or (None, None)
    assert sector_key and sector and status_key and status
    # The later node first, so the earlier one's position still holds.
    projects.replace(status, "not_a_status")
    projects.replace(sector, "not_a_sector")
    run = failing(validate=True)
    assert run.prefixes() == {
        f"data/projects.yaml:{DataFile.line(sector_key)}: sector: ",
        f"data/projects.yaml:{DataFile.line(status_key)}: status: ",
    }
    assert SUMMARY_LINE.match(run.stderr.splitlines()[-1])


# ------------------------------------------------------------------------------ stored excerpts


def test_every_excerpt_is_at_its_offsets(
    client: TestClient,
    fetch_all: Callable[..., list[dict[str, Any]]],
    dataset: dict[str, list[dict[str, Any]]],
    source_texts: dict[str, bytes],
) -> None:
    texts = {}
    for source in dataset["sources"]:
        response = client.get(f"/v1/sources/{source['id']}/text")
        assert response.status_code == 200
        texts[source["id"]] = response.text
        assert response.content == source_texts[source["id"]]
    checked = 0
    for collection in CITING:
        curated = {record["id"]: record for record in dataset[collection]}
        for item in fetch_all(f"/v1/{collection}"):
            wanted = curated[item["id"]]["citations"]
            assert len(item["citations"]) == len(wanted), (collection, item["id"])
            for citation, written in zip(item["citations"], wanted, strict=True):
                text = texts[citation["source_id"]]
                start, end = citation["start"], citation["end"]
                assert text[start:end] == citation["excerpt"], (collection, item["id"])
                assert citation["source_id"] == written["source"]
                assert citation["excerpt"] == written["excerpt"]
                # The occurrence the curator asked for (the only one, if none is given).
                starts = [
                    m.start() for m in re.finditer(f"(?={re.escape(written['excerpt'])})", text)
                ]
                if written.get("occurrence") is None:
                    assert starts == [start], (collection, item["id"])
                else:
                    assert starts[written["occurrence"] - 1] == start, (collection, item["id"])
                checked += 1
    assert checked == sum(len(record["citations"]) for name in CITING for record in dataset[name])


def test_source_records_offsets_match_the_text(
    client: TestClient, dataset: dict[str, list[dict[str, Any]]]
) -> None:
    for source in dataset["sources"]:
        text = client.get(f"/v1/sources/{source['id']}/text").text
        body = client.get(f"/v1/sources/{source['id']}/records", params={"limit": 500}).json()
        for ref in body["items"]:
            for citation in ref["citations"]:
                assert citation["source_id"] == source["id"]
                assert text[citation["start"] : citation["end"]] == citation["excerpt"]
