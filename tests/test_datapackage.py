"""The Frictionless Data Package: `python -m app export DIR` and /v1/datapackage.json.

Both validate with `frictionless` (Table Schema types, enums, primary and foreign keys), and
every CSV of the package is the API's CSV answer for it, byte for byte.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from frictionless import Package, Report

from app.config import ROOT, Settings
from app.export.write import write_package
from app.registry import COLLECTIONS
from tests.uvicorn_server import start_uvicorn


def _summary(report: Report) -> str:
    return "\n".join(
        f"{task.name}: {error.type}: {error.message}"
        for task in report.tasks
        for error in task.errors[:5]
    ) or "\n".join(f"{error.type}: {error.message}" for error in report.errors)


@pytest.fixture(scope="module")
def exported(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data package of the test database, written by the export."""
    directory = tmp_path_factory.mktemp("package")
    write_package(settings, directory)
    return directory


@pytest.fixture(scope="module")
def package(exported: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((exported / "datapackage.json").read_text("utf-8"))
    return data


def _resource(package: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in package["resources"] if r["name"] == name)


def test_the_export_validates(exported: Path) -> None:
    report = Package(str(exported / "datapackage.json")).validate()
    assert report.valid, _summary(report)


def test_the_export_cli_writes_a_package(database_url: str, tmp_path: Path) -> None:
    env = dict(os.environ, DATABASE_URL=database_url, DATA_DIR=str(ROOT / "data"))
    run = subprocess.run(
        [sys.executable, "-m", "app", "export", str(tmp_path / "out")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text("utf-8"))
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert files == {"datapackage.json", *(r["path"] for r in package["resources"])}


def test_the_package_describes_the_dataset(
    package: dict[str, Any], client: TestClient, vocabularies: dict[str, dict[str, str]]
) -> None:
    meta = client.get("/v1/meta").json()
    assert package["version"] == meta["dataset_version"]
    assert package["title"] and package["licenses"][0]["name"] == "CC-BY-4.0"
    sources = client.get("/v1/sources", params={"limit": 500}).json()["items"]
    assert len(package["sources"]) == len(sources)
    assert {s["title"] for s in sources} == {entry["title"] for entry in package["sources"]}
    assert package["contributors"] and all(c["title"] for c in package["contributors"])
    names = [r["name"] for r in package["resources"]]
    assert names[: len(COLLECTIONS)] == [c.path for c in COLLECTIONS]
    assert {"citations", "event-place", "event-person", "event-project", "source-credit"} <= set(
        names
    )
    for resource in package["resources"]:
        for described in resource["schema"]["fields"]:
            assert described["type"] in ("string", "integer", "number", "boolean", "date", "array")
            # A description of its own, not the column name again.
            assert described["description"] not in ("", described["name"]), described
        assert resource["schema"]["primaryKey"]


def test_the_schemas_carry_vocabularies_and_keys(
    package: dict[str, Any], vocabularies: dict[str, dict[str, str]]
) -> None:
    projects = _resource(package, "projects")["schema"]
    fields = {f["name"]: f for f in projects["fields"]}
    assert fields["sector"]["constraints"]["enum"] == list(vocabularies["sector"])
    assert fields["id"]["constraints"]["required"] is True
    assert projects["primaryKey"] == ["id"]
    assert {"fields": "place_id", "reference": {"resource": "places", "fields": "id"}} in (
        projects["foreignKeys"]
    )
    links = _resource(package, "event-place")["schema"]["foreignKeys"]
    assert {fk["reference"]["resource"] for fk in links} == {"events", "places"}
    citations = _resource(package, "citations")["schema"]
    assert {"fields": "source_id", "reference": {"resource": "sources", "fields": "id"}} in (
        citations["foreignKeys"]
    )


def test_each_csv_is_the_api_answer_byte_for_byte(
    package: dict[str, Any], exported: Path, client: TestClient
) -> None:
    served = client.get("/v1/datapackage.json")
    assert served.status_code == 200, served.text
    paths = {r["name"]: r["path"] for r in served.json()["resources"]}
    assert served.json()["version"] == package["version"]
    for collection in COLLECTIONS:
        assert paths[collection.path] == f"{collection.path}?format=csv"
        answer = client.get(f"/v1/{collection.path}", params={"format": "csv"})
        assert answer.status_code == 200
        assert answer.content == (exported / f"{collection.path}.csv").read_bytes(), collection
    for resource in package["resources"]:
        if resource["name"] in paths and "?" not in paths[resource["name"]]:
            answer = client.get(f"/v1/{paths[resource['name']]}")
            assert answer.status_code == 200, resource["name"]
            assert answer.headers["content-type"].startswith("text/csv")
            assert answer.content == (exported / resource["path"]).read_bytes()


def test_the_served_package_validates(database_url: str) -> None:
    server, base = start_uvicorn(database_url)
    try:
        report = Package(f"{base}/v1/datapackage.json").validate()
        assert report.valid, _summary(report)
        assert len(report.tasks) == len(
            httpx.get(f"{base}/v1/datapackage.json").json()["resources"]
        )
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_every_date_basis_column_is_constrained_to_the_vocabulary(
    package: dict[str, Any], vocabularies: dict[str, dict[str, str]]
) -> None:
    # Collections with no vocabulary of their own (awards, quotes) included.
    allowed = sorted(vocabularies["date_basis"])
    checked = set()
    for collection in COLLECTIONS:
        fields = {f["name"]: f for f in _resource(package, collection.path)["schema"]["fields"]}
        for date in collection.dates:
            if date.basis in fields:
                enum = fields[date.basis].get("constraints", {}).get("enum")
                assert sorted(enum or []) == allowed, (collection.path, date.basis, enum)
                checked.add(collection.path)
    assert {"awards", "quotes", "events", "sources"} <= checked, checked
