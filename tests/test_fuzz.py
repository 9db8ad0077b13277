"""Property-based tests of every operation in /openapi.json (schemathesis 4.x).

Each operation gets a bounded, deterministic set of generated requests (valid and invalid
parameters); every answer must not be a server error and must match the response schema the
OpenAPI document gives for its status and media type (problem+json errors included).

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
import schemathesis.specs.openapi.checks as openapi_checks

from app.config import Settings
from app.loader.build import build
from app.main import create_app
from tests.conftest import DATA_DIR, TEST_DATABASE_URL

MAX_EXAMPLES = 15

_DB_DIR = Path(tempfile.mkdtemp(prefix="fuzz-db-"))
atexit.register(shutil.rmtree, _DB_DIR, ignore_errors=True)  # also when no test of it ran
# The schema is read at import, so the URL is fixed here: the engine under test's database
# (which the session fixture `database_url` builds), or a file of the fuzz run's own.
_URL = TEST_DATABASE_URL or f"sqlite:///{_DB_DIR / 'fuzz.sqlite3'}"
_SETTINGS = Settings(database_url=_URL, data_dir=DATA_DIR)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_SETTINGS))


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
    response = case.call_and_validate(
        checks=[checks.not_a_server_error, openapi_checks.response_schema_conformance]
    )
    assert response.status_code != 503, response.text  # the database was there
