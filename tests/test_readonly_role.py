"""PostgreSQL: the service runs as a read-only role set up as the README says, serves every
build the builder makes afterwards, and that role can change nothing."""

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.config import ROOT, Settings
from app.db import make_write_engine, use_newest_dataset
from app.loader.build import build
from app.main import create_app

pytestmark = pytest.mark.postgres

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _admin_sql(url: str, *statements: str) -> None:
    engine = make_write_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _readme_setup(database: str, reader: str, builder: str, schema: str) -> list[str]:
    """The README's SQL block for the read-only role, with this test's names."""
    block = re.search(r"```sql\n(.*?)```", README, re.S)
    assert block, "the README shows how to set up the read-only role"
    statements = [
        line.rstrip(";")
        for line in block.group(1).splitlines()
        if line.strip() and not line.startswith("--")
    ]
    names = {
        "bilateral_reader": reader,
        "DATABASE bilateral": f'DATABASE "{database}"',
        "ROLE builder": f'ROLE "{builder}"',
        "dataset_00000001": schema,
        "PASSWORD '…'": "",
    }
    for old, new in names.items():
        statements = [s.replace(old, new) for s in statements]
    return statements


@pytest.fixture
def reader(new_database_url: Callable[[], str]) -> Iterator[tuple[str, str]]:
    """A built database and the URL of a read-only role set up on it as the README says."""
    url = new_database_url()
    build(url, ROOT / "data")
    parsed = make_url(url)
    role = f"{parsed.database}_reader"
    builder = parsed.username or "postgres"
    _admin_sql(url, *_readme_setup(str(parsed.database), role, builder, "dataset_00000001"))
    try:
        yield url, parsed.set(username=role, password=None).render_as_string(False)
    finally:
        _admin_sql(url, f'DROP OWNED BY "{role}"', f'DROP ROLE "{role}"')


def test_readonly_role_serves_every_later_build(
    reader: tuple[str, str],
    settings: Settings,
    data_copy: Path,
    change_description: Callable[[Path, str, str], None],
    dataset: dict[str, list[dict[str, Any]]],
) -> None:
    admin_url, reader_url = reader
    served = settings.model_copy(update={"database_url": reader_url, "version_check_s": 0.0})
    with TestClient(create_app(served)) as client:
        before = client.get("/v1/meta").json()["dataset_version"]
        assert client.get("/v1/search", params={"q": "wind"}).json()["total"] > 0
        project = dataset["projects"][0]["id"]
        change_description(data_copy / "projects.yaml", project, "Built after the role.")
        after = build(admin_url, data_copy).dataset_version
        assert after != before
        assert client.get("/v1/meta").json()["dataset_version"] == after
        assert client.get(f"/v1/projects/{project}").json()["description"] == (
            "Built after the role."
        )
        assert client.get("/v1/search", params={"q": "wind"}).json()["total"] > 0


def test_readonly_role_cannot_write_even_outside_the_service(reader: tuple[str, str]) -> None:
    """Another client with the replicas' credentials, in a read-write transaction, is
    refused by the role's privileges or ownership (SQLSTATE 42501, insufficient_privilege)."""
    _, reader_url = reader
    engine = make_write_engine(reader_url)
    try:
        for statement in (
            "UPDATE project SET name = 'changed'",
            "DELETE FROM citation",
            "CREATE TABLE intruder (x integer)",
            "DROP TABLE project",
        ):
            with engine.connect() as connection, connection.begin():
                use_newest_dataset(connection)
                with pytest.raises(DBAPIError) as refused:
                    connection.execute(text(statement))
                assert getattr(refused.value.orig, "sqlstate", None) == "42501", statement
    finally:
        engine.dispose()
