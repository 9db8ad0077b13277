"""The one collection registry: every part that lists collections derives from it.

Each test walks `app.registry.COLLECTIONS` and fails naming the collection that a derived
part (loader, search, routes, OpenAPI, meta, examples, test fixtures) misses.
"""

import ast
import dataclasses
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from app import registry
from app.api.examples import example
from app.config import ROOT
from app.loader import check
from app.loader.problems import BuildFailed
from app.loader.search_rows import LABEL_FIELDS
from app.queries.search import SearchCollection
from app.registry import BY_KEY, CITED, COLLECTIONS, Collection, load_order
from tests.conftest import COLLECTION_KEYS, PUBLIC

NAMES = [collection.path for collection in COLLECTIONS]


def by_path(path: str) -> Collection:
    return next(c for c in COLLECTIONS if c.path == path)


def test_each_collection_is_declared_once() -> None:
    for attribute in ("path", "key", "record_type", "table", "public", "entry", "query"):
        values = [getattr(c, attribute) for c in COLLECTIONS]
        assert len(set(values)) == len(values), attribute


@pytest.mark.parametrize("path", NAMES)
def test_declaration_is_consistent(path: str) -> None:
    collection = by_path(path)
    # The key is the path in snake case; the list spec selects from the collection's table.
    assert collection.key == collection.path.replace("-", "_")
    assert collection.spec.id_column.table is collection.table.__table__  # type: ignore[attr-defined]
    if collection.label is not None:
        assert collection.label in collection.table.model_fields
    for target in collection.references.values():
        assert target in BY_KEY, (path, target)
    if collection.cited:
        # The table's citations relationship reads the citations of this record_type.
        relationship = inspect(collection.table).relationships["citations"]
        assert f"'{collection.record_type}'" in str(relationship.primaryjoin) or (
            collection.record_type in str(relationship.primaryjoin.compile().params)
        )


def test_every_foreign_key_is_a_declared_reference() -> None:
    """A column of a collection's table that names another collection's records is declared
    in `references`, so the loader checks each YAML value names a record; otherwise the build
    refuses to run, saying which column and what to declare."""
    assert registry.undeclared_references() == []


def test_an_undeclared_reference_stops_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    projects = dataclasses.replace(BY_KEY["projects"], references={})
    changed = tuple(projects if c.key == "projects" else c for c in COLLECTIONS)
    monkeypatch.setattr(registry, "COLLECTIONS", changed)
    [message] = registry.undeclared_references()
    assert message.startswith("Project.place_id names places records")
    with pytest.raises(BuildFailed) as failure:
        check.check(ROOT / "data")
    [problem] = failure.value.problems
    assert problem.file == "app/registry.py" and problem.message == message


@pytest.mark.parametrize("path", NAMES)
def test_loader_knows_the_collection(path: str) -> None:
    collection = by_path(path)
    assert check.COLLECTIONS[collection.key] is collection.entry
    if collection.references:
        assert check.REFERENCE_FIELDS[collection.key] == collection.references
    if collection.vocabulary_fields:  # the declared vocabularies and each date's basis
        assert check.VOCABULARY_FIELDS[collection.key] == collection.vocabulary_fields
    order = [c.key for c in load_order()]
    assert collection.key in order
    for dependency in collection.depends_on:
        assert order.index(dependency) < order.index(collection.key), (path, dependency)


def test_load_order_is_every_collection_once() -> None:
    assert sorted(c.key for c in load_order()) == sorted(c.key for c in COLLECTIONS)


@pytest.mark.parametrize("path", NAMES)
def test_search_covers_the_collection(path: str) -> None:
    collection = by_path(path)
    assert path in get_args(SearchCollection)
    if collection.cited:
        assert LABEL_FIELDS[collection.key] == collection.label
        assert CITED[collection.record_type] is collection


@pytest.mark.parametrize("path", NAMES)
def test_routes_and_openapi_cover_the_collection(client: TestClient, path: str) -> None:
    collection = by_path(path)
    spec = client.get("/openapi.json").json()
    for route in (f"/v1/{path}", f"/v1/{path}/{{id}}"):
        operation = spec["paths"][route]["get"]
        assert operation["tags"] == [collection.tag], route
    listed = client.get(f"/v1/{path}", params={"limit": 1})
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert items, f"/v1/{path} lists no record: data/ must hold at least one of this collection"
    item = items[0]
    assert client.get(f"/v1/{path}/{item['id']}").json() == item


@pytest.mark.parametrize("path", NAMES)
def test_the_routes_beside_the_items_are_declared(client: TestClient, path: str) -> None:
    """Every one-segment route beside a collection's items (`/v1/trade-stats/series`) is in
    its declaration (`routes_beside_items`), so the build refuses a record of that id."""
    collection = by_path(path)
    prefix = f"/v1/{path}/"
    beside = {
        route.removeprefix(prefix)
        for route in client.get("/openapi.json").json()["paths"]
        if route.startswith(prefix) and not set("/{.") & set(route.removeprefix(prefix))
    }
    assert beside == set(collection.routes_beside_items)


@pytest.mark.parametrize("path", NAMES)
def test_meta_counts_and_data_cover_the_collection(client: TestClient, path: str) -> None:
    counts = client.get("/v1/meta").json()["counts"]
    assert counts[path] > 0, f"{path} has no records loaded"


@pytest.mark.parametrize("path", NAMES)
def test_examples_cover_the_collection(client: TestClient, path: str) -> None:
    item = example(path)
    by_path(path).public.model_validate(item)
    assert client.get(f"/v1/{path}/{item['id']}").status_code == 200


@pytest.mark.parametrize("path", NAMES)
def test_test_fixtures_cover_the_collection(path: str) -> None:
    assert COLLECTION_KEYS[path] == by_path(path).key
    assert PUBLIC[path] is by_path(path).public


def _literal_strings(tree: ast.AST) -> list[list[str]]:
    """The string elements of every list, tuple, set or dict-keys literal in a module."""
    found = []
    for node in ast.walk(tree):
        elements: list[Any] = []
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            elements = node.elts
        elif isinstance(node, ast.Dict):
            elements = [key for key in node.keys if key is not None]
        strings = [e.value for e in elements if isinstance(e, ast.Constant)]
        found.append([s for s in strings if isinstance(s, str)])
    return found


def test_no_other_list_of_collections_in_app() -> None:
    """No module but the registry spells out several collections in one literal (by path or
    YAML key: singulars such as `place` are also the names of filters)."""
    spellings = {spelling for c in COLLECTIONS for spelling in (c.path, c.key)}
    offenders = []
    for file in sorted((ROOT / "app").rglob("*.py")):
        if file == ROOT / "app" / "registry.py":
            continue
        for strings in _literal_strings(ast.parse(file.read_text(encoding="utf-8"))):
            named = {s for s in strings if s in spellings}
            if len(named) >= 3:
                offenders.append(f"{Path(file).relative_to(ROOT)}: {sorted(named)}")
    assert not offenders, offenders


@pytest.mark.parametrize("path", NAMES)
def test_the_tag_says_geojson_exactly_where_it_is_served(client: TestClient, path: str) -> None:
    tags = {tag["name"]: tag["description"] for tag in client.get("/openapi.json").json()["tags"]}
    says_geojson = "GeoJSON available" in tags[by_path(path).tag]
    status = client.get(f"/v1/{path}", params={"format": "geojson", "limit": 1}).status_code
    assert says_geojson == (status == 200) == (by_path(path).geometry is not None), (path, status)
