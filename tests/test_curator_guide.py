"""The curator guide (data/README.md) is followed word for word: its "add a new source"
example builds, and the build says what the guide says it says."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from app.config import ROOT, Settings
from app.loader.build import build
from app.main import create_app
from tests.conftest import DATA_DIR

# The guide's example as a curator runs it, on SQLite (the default engine) in a file of its own;
# tests/test_curator_workflow.py adds a source and its records on the engine under test.
pytestmark = pytest.mark.engine_independent

GUIDE = DATA_DIR / "README.md"
# `<!-- example: ACTION [PATH] -->` right before a fenced block of the guide.
EXAMPLE = re.compile(
    r"<!-- example: (?P<action>\w+(?: \w+)?)(?: (?P<path>\S+))? -->\n```\w*\n(?P<body>.*?)```", re.S
)


def _examples() -> list[tuple[str, str | None, str]]:
    text = GUIDE.read_text(encoding="utf-8")
    return [(m["action"], m["path"], m["body"]) for m in EXAMPLE.finditer(text)]


def _add_to_list(path: Path, records: str) -> None:
    """Add `records` at the end of the list that the file is named after (`places:` in
    places.yaml), as the guide says; the file may hold other lists after it."""
    text = path.read_text(encoding="utf-8")
    root = yaml.compose(text)
    [records_node] = [value for key, value in root.value if key.value == path.stem]
    # The list ends where the next top-level key (or the end of the file) begins; insert at
    # the start of that line.
    end = records_node.end_mark.index
    end = text.rfind("\n", 0, end) + 1 if end < len(text) else end
    if not text[:end].endswith("\n"):
        text, end = text[:end] + "\n" + text[end:], end + 1
    path.write_text(text[:end] + records + text[end:], encoding="utf-8")


def _cli(database: Path, data_dir: Path, command: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}", DATA_DIR=str(data_dir))
    return subprocess.run(
        [sys.executable, "-m", "app", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_guide_example_of_a_new_source_builds_as_documented(
    data_copy: Path, tmp_path: Path
) -> None:
    examples = _examples()
    actions = [(action, path) for action, path, _ in examples]
    assert actions == [
        ("write", "sources/example-2025-sister-regions.txt"),
        ("add to", "sources.yaml"),
        ("add to", "places.yaml"),
        ("add to", "sister_cities.yaml"),
        ("build output", None),
    ]
    database = tmp_path / "api.sqlite3"
    build(f"sqlite:///{database}", data_copy)  # the database the curator had before
    for action, path, body in examples:
        if action == "write":
            assert path is not None
            (data_copy / path).write_text(body, encoding="utf-8")
        elif action == "add to":
            assert path is not None
            _add_to_list(data_copy / path, body)
    validate = _cli(tmp_path / "never.sqlite3", data_copy, "validate")
    assert validate.returncode == 0, validate.stderr
    assert validate.stdout.startswith("data/ is valid: dataset ")
    built = _cli(database, data_copy, "build")
    assert built.returncode == 0, built.stderr
    documented = next(body for action, _, body in examples if action == "build output")
    for line in documented.splitlines():
        assert line in built.stdout.splitlines(), (line, built.stdout)
    settings = Settings(database_url=f"sqlite:///{database}", data_dir=data_copy)
    with TestClient(create_app(settings)) as client:
        tie = client.get("/v1/sister-cities/gansu-kostanay-region")
        assert tie.status_code == 200, tie.text
        body = tie.json()
        assert (body["side_a"]["id"], body["side_b"]["id"]) == ("gansu-province", "kostanay-region")
        text = client.get("/v1/sources/example-2025-sister-regions/text").text
        [citation] = body["citations"]
        assert text[citation["start"] : citation["end"]] == citation["excerpt"]
