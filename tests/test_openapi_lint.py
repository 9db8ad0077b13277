"""The OpenAPI document passes Spectral's `spectral:oas` ruleset with no error and no warning.

`make lint-openapi` runs Spectral itself (Node.js; npx fetches it from the npm registry on first
use). `make test` does not depend on that download: these tests check the same rules in
Python, namely the document is valid OpenAPI 3.1 (openapi-spec-validator, as Spectral's
`oas3-schema`) and each rule of `spectral:oas` that applies to an OpenAPI 3.1 document, by its
Spectral name. Where Spectral is already installed (npx's cache), `test_spectral` runs it too,
offline; elsewhere it is skipped.
"""

import json
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# RFC 3986 characters allowed unescaped in a URL (operation-operationId-valid-in-url).
URL_SAFE = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]*$")


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/openapi.json").json()
    return body


def _nodes(value: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    """Every object and array of the document with its JSONPath, as Spectral's `$..` walks."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _nodes(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _nodes(child, f"{path}[{index}]")


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _schemas(schema: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """A schema and every schema inside it (never a `properties` map itself)."""
    if not isinstance(schema, dict):
        return
    yield where, schema
    for name, child in schema.get("properties", {}).items():
        yield from _schemas(child, f"{where}.properties.{name}")
    for name, child in schema.get("$defs", {}).items():
        yield from _schemas(child, f"{where}.$defs.{name}")
    for key in ("items", "additionalProperties", "not", "contains"):
        yield from _schemas(schema.get(key), f"{where}.{key}")
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for index, child in enumerate(schema.get(key, [])):
            yield from _schemas(child, f"{where}.{key}[{index}]")


def _every_schema(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The schemas Spectral's example rules look at: components, parameters and headers."""
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        yield from _schemas(schema, f"components.schemas.{name}")
    for path, method, operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            where = f"{method} {path} parameter {parameter['name']}"
            yield from _schemas(parameter.get("schema"), where)
        for status, response in operation.get("responses", {}).items():
            for header, declared in response.get("headers", {}).items():
                where = f"{method} {path} {status} header {header}"
                yield from _schemas(declared.get("schema"), where)


def test_valid_openapi_3_1(spec: dict[str, Any]) -> None:
    """oas3-schema."""
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_info_and_servers(spec: dict[str, Any]) -> None:
    """info-contact, info-description, info-license, license-url, oas3-api-servers,
    oas3-server-trailing-slash, oas3-server-not-example.com, oas3-server-variables."""
    info = spec["info"]
    assert info.get("contact") and info.get("description") and info.get("license")
    assert info["license"].get("url") or info["license"].get("identifier")
    assert spec.get("servers")
    for server in spec["servers"]:
        url = server["url"]
        assert url == "/" or not url.endswith("/"), url
        assert "example.com" not in url, url
        assert set(re.findall(r"{([^}]+)}", url)) <= set(server.get("variables", {})), url


def test_tags(spec: dict[str, Any]) -> None:
    """openapi-tags, openapi-tags-uniqueness, operation-tags, operation-tag-defined."""
    declared = [tag["name"] for tag in spec.get("tags", [])]
    assert declared and len(declared) == len(set(declared))
    for path, method, operation in _operations(spec):
        assert operation.get("tags"), f"{method} {path}"
        assert set(operation["tags"]) <= set(declared), f"{method} {path}"


def test_operations(spec: dict[str, Any]) -> None:
    """operation-description, operation-operationId, operation-operationId-unique,
    operation-operationId-valid-in-url, operation-success-response, operation-parameters,
    oas3-operation-security-defined."""
    schemes = set(spec.get("components", {}).get("securitySchemes", {}))
    ids = []
    for path, method, operation in _operations(spec):
        where = f"{method} {path}"
        assert operation.get("description"), where
        assert operation.get("operationId"), where
        assert URL_SAFE.match(operation["operationId"]), where
        ids.append(operation["operationId"])
        assert any(str(status)[0] in "23" for status in operation["responses"]), where
        keys = [(p["name"], p["in"]) for p in operation.get("parameters", [])]
        assert len(keys) == len(set(keys)), where
        for requirement in [*spec.get("security", []), *operation.get("security", [])]:
            assert set(requirement) <= schemes, where
    assert not [name for name, count in Counter(ids).items() if count > 1]


def test_paths(spec: dict[str, Any]) -> None:
    """path-keys-no-trailing-slash, path-not-include-query, path-declarations-must-exist,
    path-params (each templated name declared once as a required path parameter, and no
    path parameter that the path does not name)."""
    for path, item in spec["paths"].items():
        assert path == "/" or not path.endswith("/"), path
        assert "?" not in path and "{}" not in path, path
        named = re.findall(r"{([^}]+)}", path)
        assert len(named) == len(set(named)), path
        for method in METHODS:
            if method not in item:
                continue
            parameters = [*item.get("parameters", []), *item[method].get("parameters", [])]
            declared = [p["name"] for p in parameters if p["in"] == "path"]
            assert sorted(declared) == sorted(named), f"{method} {path}"
            assert all(p.get("required") for p in parameters if p["in"] == "path"), path


def test_enums_and_arrays(spec: dict[str, Any]) -> None:
    """duplicated-entry-in-enum, typed-enum, array-items: checked on every object of the
    document, examples included, as Spectral walks them."""
    types = {
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
        "null": type(None),
        "array": list,
        "object": dict,
    }
    for where, node in _nodes(spec):
        if not isinstance(node, dict):
            continue
        declared = node.get("type")
        kinds = declared if isinstance(declared, list) else [declared]
        if "array" in kinds:
            assert "items" in node, f"{where}: an array without items"
        enum = node.get("enum")
        if isinstance(enum, list):
            assert len({json.dumps(v, sort_keys=True) for v in enum}) == len(enum), where
            allowed = tuple(types[k] for k in kinds if k in types)
            if allowed:
                for value in enum:
                    is_bool = isinstance(value, bool)
                    ok = isinstance(value, allowed) and (not is_bool or bool in allowed)
                    assert ok, f"{where}: {value!r} is not of type {declared}"


def test_schema_examples_and_defaults_are_valid(spec: dict[str, Any]) -> None:
    """oas3-valid-schema-example (and oas3-valid-media-example for parameters and headers):
    every `example`, `examples` item and `default` of a schema validates against it. Media
    type examples are tests/test_openapi_examples.py's."""
    failures = []
    checked = 0
    for where, schema in _every_schema(spec):
        values = [*schema.get("examples", [])]
        values += [schema[key] for key in ("example", "default") if key in schema]
        if not values:
            continue
        validator = jsonschema_rs.Draft202012Validator({**schema, "components": spec["components"]})
        for value in values:
            checked += 1
            errors = [error.message for error in validator.iter_errors(value)]
            if errors:
                failures.append(f"{where}: {value!r}: {errors[:2]}")
    assert checked > 50
    assert not failures, "\n".join(failures)


def test_examples_and_components(spec: dict[str, Any]) -> None:
    """oas3-examples-value-or-externalValue, oas3-unused-component."""
    components = spec.get("components", {})
    for name, named in components.get("examples", {}).items():
        assert ("value" in named) != ("externalValue" in named), name
    text = json.dumps(spec)
    for kind, entries in components.items():
        if kind == "securitySchemes":
            continue
        for name in entries:
            assert f'"#/components/{kind}/{name}"' in text, f"unused: components.{kind}.{name}"


def test_markdown(spec: dict[str, Any]) -> None:
    """no-eval-in-markdown, no-script-tags-in-markdown."""
    for where, node in _nodes(spec):
        if isinstance(node, dict):
            for key in ("description", "title"):
                text = node.get(key)
                if isinstance(text, str):
                    assert "eval(" not in text and "<script" not in text.lower(), where


def test_spectral(spec: dict[str, Any], tmp_path: Path) -> None:
    """Spectral itself, where npx has it already (no download): no error, no warning."""
    npx = shutil.which("npx")
    # --offline: npm's cache only, never the network.
    command = [npx or "npx", "--offline", "--yes", "@stoplight/spectral-cli@6"]
    if npx is None:
        pytest.skip("Node.js is not installed (make lint-openapi runs Spectral)")
    try:
        found = subprocess.run(
            [*command, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.skip("npx did not answer")
    if found.returncode != 0:
        pytest.skip("Spectral is not installed (make lint-openapi fetches it)")
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(spec), encoding="utf-8")
    ruleset = tmp_path / "spectral.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n', encoding="utf-8")
    result = subprocess.run(
        [*command, "lint", "--fail-severity=warn", "--ruleset", str(ruleset), str(document)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
