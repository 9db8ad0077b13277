"""`make run` on a fresh machine: the right Python (a stale .venv is made again), only what
serving needs, no rebuild when data/ is unchanged, and the docs URL printed once serving."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.config import ROOT
from app.loader.build import build, is_current
from tests.conftest import DATA_DIR

FAKE_PYTHON = """#!/bin/sh
# A stand-in interpreter: says who it is, makes a venv of itself, installs nothing.
if [ "$1" = "-c" ]; then
  case "$2" in
    *"version_info <"*) exit {too_old} ;;
    *) echo "{identity}" ;;
  esac
elif [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
fi
exit 0
"""


def _fake_python(path: Path, identity: str, too_old: bool = False) -> Path:
    path.write_text(FAKE_PYTHON.format(identity=identity, too_old=int(too_old)))
    path.chmod(0o755)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the Makefile and pyproject.toml, where make can run without touching ours."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def _make(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("MAKE")},
    )


def test_a_venv_made_by_another_python_is_made_again(project: Path) -> None:
    python = _fake_python(project / "python-a", "3.11 /opt/a")
    first = _make(project, "install-serve", f"PYTHON={python}")
    assert first.returncode == 0, first.stderr
    assert (project / ".venv/.python").read_text().strip() == "3.11 /opt/a"
    sentinel = project / ".venv/sentinel"
    sentinel.touch()
    # Unchanged interpreter: nothing is made again.
    again = _make(project, "install-serve", f"PYTHON={python}")
    assert again.returncode == 0 and sentinel.exists(), again.stdout
    assert "Making .venv" not in again.stdout
    # The .venv's own interpreter is another Python (e.g. made before an upgrade): remade.
    _fake_python(project / ".venv/bin/python", "3.10 /opt/old")
    stale = _make(project, "install-serve", f"PYTHON={python}")
    assert stale.returncode == 0, stale.stderr
    assert "Making .venv" in stale.stdout
    assert not sentinel.exists()
    assert (project / ".venv/.python").read_text().strip() == "3.11 /opt/a"
    # PYTHON= names another interpreter: remade with it.
    other = _fake_python(project / "python-b", "3.12 /opt/b")
    switched = _make(project, "install-serve", f"PYTHON={other}")
    assert switched.returncode == 0 and "Making .venv" in switched.stdout
    assert (project / ".venv/.python").read_text().strip() == "3.12 /opt/b"


def test_too_old_or_missing_python_is_refused_clearly(project: Path) -> None:
    old = _fake_python(project / "python-old", "3.9 /opt/old", too_old=True)
    refused = _make(project, "install-serve", f"PYTHON={old}")
    assert refused.returncode != 0
    assert "Python 3.11 or newer is needed" in refused.stderr
    assert not (project / ".venv").exists()
    missing = _make(project, "install-serve", "PYTHON=/no/such/python")
    assert missing.returncode != 0 and "not found" in missing.stderr


def test_run_installs_only_what_serving_needs_and_does_not_force_a_build(project: Path) -> None:
    dry = _make(project, "-n", "run", f"PYTHON={sys.executable}")
    assert dry.returncode == 0, dry.stderr
    assert "[dev]" not in dry.stdout
    assert "-m app serve" in dry.stdout
    assert "-m app build" not in dry.stdout
    tests = _make(project, "-n", "test", f"PYTHON={sys.executable}")
    assert "'.[dev,postgres]'" in tests.stdout


def test_the_readme_says_which_python_and_how_to_choose_it() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "Python 3.11" in readme and "PYTHON=" in readme


def test_is_current_follows_data_and_schema(tmp_path: Path, data_copy: Path) -> None:
    url = f"sqlite:///{tmp_path / 'current.sqlite3'}"
    assert not is_current(url, DATA_DIR)  # no database yet
    build(url, data_copy)
    assert is_current(url, data_copy)
    readme = data_copy / "README.md"
    readme.write_text(readme.read_text() + "\nOne more line.\n")
    assert not is_current(url, data_copy)  # data/ changed
    build(url, data_copy)
    assert is_current(url, data_copy)
    import sqlite3

    with sqlite3.connect(tmp_path / "current.sqlite3") as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'c1c2a20e77fa'")
    assert not is_current(url, data_copy)  # built by older code: another schema


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_skips_the_build_and_prints_the_docs_url(database_url: str) -> None:
    # The suite's database (either engine) is current: serving it builds nothing.
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DATA_DIR": str(DATA_DIR)}
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "/docs" in line:
                break
        output = "".join(lines)
        assert "no build needed" in output, output
        assert f"http://127.0.0.1:{port}/docs" in lines[-1], output
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.engine_independent
def test_the_top_level_holds_only_the_projects_fixed_entries() -> None:
    """The repository's top level is fixed (app/, migrations/, data/, tests/, Dockerfile,
    pyproject.toml, Makefile, README.md, .ci/run) with bench/ for the benchmark and
    .gitignore; tools' own files (e.g. tests/schemathesis.toml) live below it."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    top = {path.split("/", 1)[0] for path in tracked}
    fixed = {"app", "migrations", "data", "tests", "Dockerfile", "pyproject.toml", "Makefile"}
    assert top <= fixed | {"README.md", ".ci", "bench", ".gitignore"}, sorted(top - fixed)
    assert fixed <= top
