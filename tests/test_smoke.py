"""The app answers on its main routes from a real build."""

from fastapi.testclient import TestClient

from tests.conftest import COLLECTIONS


def test_meta_counts_every_collection(client: TestClient) -> None:
    body = client.get("/v1/meta").json()
    for name in COLLECTIONS:
        assert body["counts"][name] > 0, name
