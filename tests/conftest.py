"""Fixtures: a database built by the real migrations and loader from the real data/."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import ROOT, Settings
from app.loader.build import build
from app.main import create_app

DATA_DIR = ROOT / "data"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file built from data/ exactly as `python -m app build` does."""
    path = tmp_path_factory.mktemp("db") / "api.sqlite3"
    url = f"sqlite:///{path}"
    build(url, DATA_DIR)
    return url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    """Settings aimed at the test database and the real data/."""
    return Settings(database_url=database_url, data_dir=DATA_DIR)


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    """An httpx client driving the real app (lifespan included)."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may corrupt."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target
