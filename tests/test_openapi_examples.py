"""The OpenAPI examples (app/api/examples.json) still match the response models and name
records that exist."""

from typing import Any

# JSON Schema validator in Rust, installed with schemathesis (a dev dependency).
import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from app.api.examples import example
from tests.conftest import PUBLIC


@pytest.mark.parametrize("collection", sorted(PUBLIC))
def test_item_example_is_a_valid_existing_record(client: TestClient, collection: str) -> None:
    item = example(collection)
    PUBLIC[collection].model_validate(item)
    assert client.get(f"/v1/{collection}/{item['id']}").status_code == 200


def test_examples_appear_in_the_openapi_document(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/projects/{id}"]["get"]
    (named,) = operation["responses"]["200"]["content"]["application/json"]["examples"].values()
    shown = spec["components"]["examples"][named["$ref"].rsplit("/", 1)[-1]]["value"]
    assert shown["id"] == example("projects")["id"]
    for path, item in spec["paths"].items():
        ok = item["get"]["responses"]["200"]
        content = ok.get("content", {})
        assert any("example" in media or "examples" in media for media in content.values()), path


def _examples(spec: dict[str, Any]) -> list[tuple[str, Any, dict[str, Any]]]:
    """(where, example value, schema) of every example of every response of every operation."""
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                for media, content in response.get("content", {}).items():
                    where = f"{method.upper()} {path} {status} {media}"
                    schema = content.get("schema", {})
                    if "example" in content:
                        found.append((where, content["example"], schema))
                    for name, named in content.get("examples", {}).items():
                        if "$ref" in named:
                            named = spec["components"]["examples"][named["$ref"].rsplit("/", 1)[-1]]
                        found.append((f"{where} ({name})", named["value"], schema))
    return found


def test_every_example_validates_against_its_schema(client: TestClient) -> None:
    """Every example of every response is valid JSON Schema 2020-12 data for the schema of its
    media type (OpenAPI 3.1 schemas are JSON Schema), references resolved in the document."""
    spec = client.get("/openapi.json").json()
    examples = _examples(spec)
    assert len(examples) > 20
    failures = []
    for where, value, schema in examples:
        assert schema, f"{where}: an example without a schema"
        validator = jsonschema_rs.Draft202012Validator({**schema, "components": spec["components"]})
        errors = [error.message for error in validator.iter_errors(value)]
        if errors:
            failures.append(f"{where}: {errors[:3]}")
    assert not failures, "\n".join(failures)
