"""Property-based tests of every operation in /openapi.json (schemathesis 4.x).

Each operation gets a bounded, deterministic set of generated requests (valid and invalid
parameters), and every answer passes every check schemathesis has: no server error, a
declared status, content type and headers, a body that matches the declared schema, every
schema-valid request accepted (positive data acceptance) and every invalid one refused
(negative data rejection), an honest Allow on 405, and the rest.

The schema is loaded when the module is imported (schemathesis's lazy `from_fixture` loader
does not work with pytest 9), from an app whose database file is built by the fixture below,
before the first request; the app notices the new file on that request.
"""

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
import schemathesis.checks as checks
from schemathesis.config import SchemathesisConfig

from app.config import ROOT, Settings
from app.loader.build import build
from app.main import create_app
from tests.conftest import DATA_DIR, TEST_DATABASE_URL

MAX_EXAMPLES = 15
checks.load_all_checks()
ALL_CHECKS = checks.CHECKS.get_all()

_DB_DIR = Path(tempfile.mkdtemp(prefix="fuzz-db-"))
atexit.register(shutil.rmtree, _DB_DIR, ignore_errors=True)  # also when no test of it ran
# The schema is read at import, so the URL is fixed here: the engine under test's database
# (which the session fixture `database_url` builds), or a file of the fuzz run's own.
_URL = TEST_DATABASE_URL or f"sqlite:///{_DB_DIR / 'fuzz.sqlite3'}"
_SETTINGS = Settings(database_url=_URL, data_dir=DATA_DIR)
# The statuses that refuse a request (414 for a URL over the limit among them), from
# tests/schemathesis.toml, which the stock CLI reads too (`--config-file`).
CONFIG = SchemathesisConfig.from_path(str(ROOT / "tests" / "schemathesis.toml"))
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_SETTINGS), config=CONFIG)


@pytest.fixture(scope="module")
def built_database(database_url: str) -> Iterator[None]:
    """The fuzzed app's database, built from data/ by the real loader."""
    if not TEST_DATABASE_URL:
        build(_SETTINGS.database_url, _SETTINGS.data_dir)
    yield
    shutil.rmtree(_DB_DIR, ignore_errors=True)


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_every_operation(case: Any, built_database: None) -> None:
    response = case.call_and_validate(checks=ALL_CHECKS)
    assert response.status_code != 503, response.text  # the database was there
