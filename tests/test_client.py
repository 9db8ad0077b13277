"""A client generated from /openapi.json by openapi-python-client (a dev dependency) works:
the generator reports no warning, and every operation, called through the generated code
against the real app, answers 200 with the generated model it declares."""

import csv
import importlib
import inspect
import io
import json
import os
import subprocess
import sys
import typing
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.examples import example

PACKAGE = "bilateral_client"
# Values for the required parameters of the operations.
RECORD_IDS = {
    "disagreements": example("disagreements")["items"][0]["id"],
}


@pytest.fixture(scope="module")
def generated(client: TestClient, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The client package, generated from the app's OpenAPI document."""
    root = tmp_path_factory.mktemp("generated")
    spec = root / "openapi.json"
    spec.write_text(json.dumps(client.get("/openapi.json").json()), encoding="utf-8")
    bin_dir = str(Path(sys.executable).parent)  # its ruff post-hooks come from the venv
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(root / PACKAGE),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")},
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    assert "error" not in output.lower(), output
    sys.path.insert(0, str(root))
    try:
        yield root / PACKAGE
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(path, tag, operation id, media type of its 200 the client parses) of every operation."""
    return [
        (
            path,
            operation["tags"][0],
            operation["operationId"],
            next(iter(operation["responses"]["200"].get("content", {"": None}))),
        )
        for path, item in spec["paths"].items()
        for operation in item.values()
    ]


def _record_id(path: str) -> str:
    collection = path.split("/")[2]
    if collection in RECORD_IDS:
        return str(RECORD_IDS[collection])
    return str(example(collection)["id"])


def _arguments(module: ModuleType, path: str) -> dict[str, Any]:
    """Values of the required parameters of an operation's `sync_detailed`."""
    hints = typing.get_type_hints(module.sync_detailed)
    required = [
        name
        for name, parameter in inspect.signature(module.sync_detailed).parameters.items()
        if parameter.default is inspect.Parameter.empty and name != "client"
    ]
    arguments: dict[str, Any] = {}
    for name in required:
        annotation = hints[name]
        if name == "id":
            arguments[name] = _record_id(path)
        elif name == "q":
            arguments[name] = "wind"
        elif name == "metric":
            arguments[name] = annotation("trade_turnover")  # the vocabulary's enum
        else:
            raise AssertionError(f"no value for the required parameter {name!r}")
    return arguments


def test_every_operation_through_the_generated_client(client: TestClient, generated: Path) -> None:
    spec = client.get("/openapi.json").json()
    api = importlib.import_module(PACKAGE)
    generated_client = api.Client(base_url=str(client.base_url), raise_on_unexpected_status=True)
    generated_client.set_httpx_client(client)
    problem = importlib.import_module(f"{PACKAGE}.models.problem").Problem
    operations = _operations(spec)
    assert len(operations) >= 29
    texts = 0
    for path, tag, operation_id, media_type in operations:
        module = importlib.import_module(f"{PACKAGE}.api.{tag.replace(' ', '_')}.{operation_id}")
        response = module.sync_detailed(client=generated_client, **_arguments(module, path))
        assert response.status_code == 200, (operation_id, response.content[:300])
        assert response.parsed is not None, operation_id
        assert not isinstance(response.parsed, problem), operation_id
        if media_type.startswith("text/"):  # a source's text, a data package's CSV
            assert isinstance(response.parsed, str) and response.parsed, operation_id
            texts += 1
        else:
            # A generated model, not a bare dict: the schema named the answer's type.
            assert type(response.parsed).__module__.startswith(f"{PACKAGE}.models"), operation_id
    assert texts, "no text operation (source text, CSV resources) was called"


def _csv_operations(spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(path, tag, operation id) of every operation that also answers CSV by `format`."""
    return [
        (path, operation["tags"][0], operation["operationId"])
        for path, item in spec["paths"].items()
        for operation in item.values()
        if "text/csv" in operation["responses"]["200"].get("content", {})
        and any(p["name"] == "format" for p in operation.get("parameters", []))
    ]


def test_every_csv_answer_through_the_generated_requests(
    client: TestClient, generated: Path
) -> None:
    """Every operation that answers CSV too, asked for it through the generated code.

    openapi-python-client generates the parser of one media type per status (the first,
    JSON here), so the CSV answer is read from the request the generated `_get_kwargs`
    builds, sent by the generated client's own HTTP client."""
    spec = client.get("/openapi.json").json()
    api = importlib.import_module(PACKAGE)
    generated_client = api.Client(base_url=str(client.base_url))
    generated_client.set_httpx_client(client)
    operations = _csv_operations(spec)
    assert len(operations) >= 24  # each list and item, search, a source's records, the series
    for path, tag, operation_id in operations:
        module = importlib.import_module(f"{PACKAGE}.api.{tag.replace(' ', '_')}.{operation_id}")
        formats = typing.get_type_hints(module._get_kwargs)["format_"]
        csv_format = next(
            option("csv")
            for option in typing.get_args(formats)
            if isinstance(option, type) and issubclass(option, Enum)
        )
        kwargs = module._get_kwargs(**_arguments(module, path), format_=csv_format)
        response = generated_client.get_httpx_client().request(**kwargs)
        assert response.status_code == 200, (operation_id, response.text[:300])
        assert response.headers["content-type"].startswith("text/csv"), operation_id
        header = next(csv.reader(io.StringIO(response.text)))
        assert "id" in header or "record_id" in header or "metric" in header, operation_id


def test_generated_filters_sort_and_enums(client: TestClient, generated: Path) -> None:
    """Repeatable filters, the vocabulary's enum and the sort enum, through the generated
    client: the same records as the same request by hand."""
    api = importlib.import_module(PACKAGE)
    generated_client = api.Client(base_url=str(client.base_url), raise_on_unexpected_status=True)
    generated_client.set_httpx_client(client)
    list_projects = importlib.import_module(f"{PACKAGE}.api.projects.list_projects")
    models = importlib.import_module(f"{PACKAGE}.models")
    sector = models.ListProjectsSectorType0Item
    sort = models.ListProjectsSortType0Item
    page = list_projects.sync(
        client=generated_client,
        sector=[sector("renewable_energy"), sector("transport_logistics")],
        sort=[sort("sector"), sort("-name")],
        limit=500,
    )
    expected = client.get(
        "/v1/projects?sector=renewable_energy&sector=transport_logistics&sort=sector,-name"
        "&limit=500"
    ).json()
    assert [item.id for item in page.items] == [item["id"] for item in expected["items"]]
    assert {item.sector for item in page.items} == {"renewable_energy", "transport_logistics"}
