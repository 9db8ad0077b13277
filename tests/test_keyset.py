"""Keyset pagination (`after`) walks a list in the same order as offsets, with no gaps."""

import pytest
from fastapi.testclient import TestClient

CASES = [
    ("quotes", "-date"),
    ("quotes", "date"),
    ("quotes", None),
    ("projects", "-completion_date"),
    ("events", "date"),
    ("places", "name"),
]


def _walk(client: TestClient, collection: str, sort: str | None, size: int) -> list[str]:
    params: dict[str, str | int] = {"limit": size, "after": ""}
    if sort:
        params["sort"] = sort
    response = client.get(f"/v1/{collection}", params=params)
    seen: list[str] = []
    while True:
        assert response.status_code == 200, response.text
        seen += [item["id"] for item in response.json()["items"]]
        link = response.headers.get("link")
        if not link:
            return seen
        assert 'rel="next"' in link and "after=" in link
        response = client.get(link.split(">", 1)[0].lstrip("<"))


@pytest.mark.parametrize(("collection", "sort"), CASES)
def test_keyset_walk_matches_the_full_list(
    client: TestClient, collection: str, sort: str | None
) -> None:
    full = client.get(f"/v1/{collection}", params={"limit": 500, "sort": sort or "id"}).json()
    expected = [item["id"] for item in full["items"]]
    assert len(expected) == full["total"] > 3
    assert _walk(client, collection, sort, 3) == expected


def test_cursor_errors_are_problems(client: TestClient) -> None:
    for params in (
        {"after": "not-a-cursor"},
        {"after": "", "offset": 5},
        {"after": "", "sort": "name,id"},
    ):
        response = client.get("/v1/projects", params=params)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
