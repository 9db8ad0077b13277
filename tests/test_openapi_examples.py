"""The OpenAPI examples (app/api/examples.json) still match the response models and name
records that exist."""

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
    shown = operation["responses"]["200"]["content"]["application/json"]["example"]
    assert shown["id"] == example("projects")["id"]
    for path, item in spec["paths"].items():
        ok = item["get"]["responses"]["200"]
        content = ok.get("content", {})
        assert any("example" in media or "examples" in media for media in content.values()), path
