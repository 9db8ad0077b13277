"""Response examples for the OpenAPI docs, taken from the real dataset (examples.json).

A route names an example with `media_example(name, value)`: the value is kept here and the
document lists it once under `components/examples` (app/api/openapi.py), referenced from the
response. Keeping the values out of FastAPI's encoding keeps their nulls: it drops every null
it encodes, which would turn a record with a null field into an example its schema refuses.

tests/test_openapi_examples.py checks each one still validates against its response model.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

EXAMPLES_FILE = Path(__file__).with_name("examples.json")

_registered: dict[str, Any] = {}


@cache
def _examples() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return data


def example(name: str) -> Any:
    """The stored example answer named `name` (a collection, or search, meta, ...)."""
    examples = _examples()
    if name not in examples:
        raise LookupError(
            f"{EXAMPLES_FILE} has no example named {name!r}: add one of its records as served "
            f'(README, "Adding a collection")'
        )
    return examples[name]


def page_example(collection: str) -> dict[str, Any]:
    """A one-item page of `collection`."""
    return {"items": [example(collection)], "total": 1, "limit": 50, "offset": 0}


def media_example(name: str, value: Any) -> dict[str, Any]:
    """A media type object's `examples`, referring to `value` registered as `name`."""
    if _registered.get(name, value) != value:
        raise ValueError(f"two different examples named {name!r}")
    _registered[name] = value
    return {"examples": {name: {"$ref": f"#/components/examples/{name}"}}}


def registered_examples() -> dict[str, dict[str, Any]]:
    """Every example named so far, as OpenAPI Example objects (`components/examples`)."""
    return {name: {"value": value} for name, value in sorted(_registered.items())}


def json_example(name: str, value: Any) -> dict[int | str, dict[str, Any]]:
    """An OpenAPI `responses` entry giving a JSON example for 200."""
    return {200: {"content": {"application/json": media_example(name, value)}}}
