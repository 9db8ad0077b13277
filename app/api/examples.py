"""Response examples for the OpenAPI docs, taken from the real dataset (examples.json).

tests/test_openapi_examples.py checks each one still validates against its response model.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

EXAMPLES_FILE = Path(__file__).with_name("examples.json")


@cache
def _examples() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return data


def example(name: str) -> Any:
    """The stored example answer named `name` (a collection, or search, meta, ...)."""
    return _examples()[name]


def page_example(collection: str) -> dict[str, Any]:
    """A one-item page of `collection`."""
    return {"items": [example(collection)], "total": 1, "limit": 50, "offset": 0}


def json_example(value: Any) -> dict[int | str, dict[str, Any]]:
    """An OpenAPI `responses` entry giving a JSON example for 200."""
    return {200: {"content": {"application/json": {"example": value}}}}
