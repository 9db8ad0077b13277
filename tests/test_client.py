"""A client generated from /openapi.json by openapi-python-client (a dev dependency) works:
the generator reports no warning, and every operation, called through its generated function
against the real app, answers 200 with what it declares: a generated model for JSON and
GeoJSON, text for CSV (each representation besides JSON is an operation of its own,
`list_projects_csv`, `list_places_geojson`, ..., since the generator parses one media type
per status)."""

import csv
import importlib
import inspect
import io
import json
import os
import subprocess
import sys
import typing
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.examples import example
from app.registry import COLLECTIONS as REGISTRY

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


def _negotiated(path: str, arguments: dict[str, Any], fmt: str) -> str:
    """The URL of the same request to the negotiating path, asking for `fmt` by `format`."""
    url = path.removesuffix(f".{fmt}").replace("{id}", str(arguments.get("id", "")))
    values = {name: getattr(value, "value", value) for name, value in arguments.items()}
    query = "&".join(f"{name}={value}" for name, value in values.items() if name != "id")
    return f"{url}?format={fmt}" + (f"&{query}" if query else "")


def test_every_operation_through_the_generated_client(client: TestClient, generated: Path) -> None:
    """Every operation, CSV and GeoJSON ones included, called through its generated function:
    a 200 parsed into what the schema declares (a generated model for JSON and GeoJSON, text
    for CSV), and the paths per format answer what `format=` does on the negotiating path."""
    spec = client.get("/openapi.json").json()
    api = importlib.import_module(PACKAGE)
    generated_client = api.Client(base_url=str(client.base_url), raise_on_unexpected_status=True)
    generated_client.set_httpx_client(client)
    problem = importlib.import_module(f"{PACKAGE}.models.problem").Problem
    operations = _operations(spec)
    assert len(operations) >= 29 + 32
    called: Counter[str] = Counter()
    for path, tag, operation_id, media_type in operations:
        module = importlib.import_module(f"{PACKAGE}.api.{tag.replace(' ', '_')}.{operation_id}")
        arguments = _arguments(module, path)
        response = module.sync_detailed(client=generated_client, **arguments)
        assert response.status_code == 200, (operation_id, response.content[:300])
        assert response.parsed is not None, operation_id
        assert not isinstance(response.parsed, problem), operation_id
        if media_type.startswith("text/"):  # CSV, a source's text, a data package's tables
            assert isinstance(response.parsed, str) and response.parsed, operation_id
        else:
            # A generated model, not a bare dict: the schema named the answer's type.
            assert type(response.parsed).__module__.startswith(f"{PACKAGE}.models"), operation_id
        if operation_id.endswith("_csv"):
            assert media_type == "text/csv", operation_id
            called["csv"] += 1
            expected = client.get(_negotiated(path, arguments, "csv"))
            assert response.parsed == expected.text, operation_id
            header = next(csv.reader(io.StringIO(response.parsed)))
            assert {"id", "record_id"} & set(header), (operation_id, header)
        if operation_id.endswith("_geojson"):
            assert media_type == "application/geo+json", operation_id
            called["geojson"] += 1
            expected = client.get(_negotiated(path, arguments, "geojson"))
            assert response.parsed.to_dict() == expected.json(), operation_id
    # Each list and item of a collection, search, the timeline, a source's records and the
    # series as CSV; the collections with coordinates as GeoJSON.
    assert called["csv"] == 2 * len(REGISTRY) + 4
    assert called["geojson"] == 2 * sum(c.geometry is not None for c in REGISTRY)
    assert called["geojson"] >= 2 * 4


def _sync(operation: str, tag: str, generated_client: Any, **arguments: Any) -> Any:
    module = importlib.import_module(f"{PACKAGE}.api.{tag}.{operation}")
    return module.sync(client=generated_client, **arguments)


def test_csv_and_geojson_take_filters_through_the_generated_client(
    client: TestClient, generated: Path
) -> None:
    """The functions of the paths per format take the list's filters, sort and paging, and
    give CSV text a reader takes and GeoJSON as typed models."""
    api = importlib.import_module(PACKAGE)
    generated_client = api.Client(base_url=str(client.base_url), raise_on_unexpected_status=True)
    generated_client.set_httpx_client(client)
    models = importlib.import_module(f"{PACKAGE}.models")
    sector = models.ListProjectsCsvSectorType0Item
    sort = models.ListProjectsCsvSortType0Item
    text = _sync(
        "list_projects_csv",
        "projects",
        generated_client,
        sector=[sector("renewable_energy"), sector("transport_logistics")],
        sort=[sort("sector"), sort("-name")],
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = client.get(
        "/v1/projects?sector=renewable_energy&sector=transport_logistics&sort=sector,-name"
        "&limit=500"
    ).json()["items"]
    assert [row["id"] for row in rows] == [item["id"] for item in expected]
    assert {row["sector"] for row in rows} == {"renewable_energy", "transport_logistics"}

    places = _sync("list_places_geojson", "places", generated_client, country=["CN"], limit=3)
    assert places.type_ == "FeatureCollection" and len(places.features) == 3
    assert places.number_matched > 3
    for feature in places.features:
        assert feature.properties.country == "CN"
        assert feature.geometry is None or len(feature.geometry.coordinates) == 2
    tie = _sync(
        "get_sister_city_geojson",
        "sister_cities",
        generated_client,
        id=_record_id("/v1/sister-cities/{id}"),
    )
    assert type(tie.geometry).__name__ == "LineString" and len(tie.geometry.coordinates) == 2

    hits = _sync("search_csv", "search", generated_client, q="wind", limit=2)
    assert next(csv.reader(io.StringIO(hits)))[:2] == ["id", "collection"]
    assert len(list(csv.DictReader(io.StringIO(hits)))) == 2


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
