"""Checks of query parameters that need the request or the app, not only the query model: a
single-valued parameter given twice, and terms of a controlled vocabulary.

The vocabularies are read from data/vocabularies.yaml when the app is made, so the OpenAPI
enums (app/api/openapi.py) and these checks follow the curators' file with no code change.
"""

import types
from collections import Counter
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import yaml
from fastapi import Request
from pydantic import BaseModel

from app.errors import InvalidParameter

VOCABULARY_KEY = "x-vocabulary"


def read_vocabularies(data_dir: Path) -> dict[str, tuple[str, ...]]:
    """Each vocabulary's terms, in the file's order (none if the file is missing)."""
    path = data_dir / "vocabularies.yaml"
    if not path.is_file():
        return {}
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        str(name): tuple(str(term) for term in terms)
        for name, terms in (document.get("vocabularies") or {}).items()
        if isinstance(terms, dict)
    }


def vocabulary_of(model: type[BaseModel], name: str) -> str | None:
    """The vocabulary a query field's values come from, if any."""
    extra = model.model_fields[name].json_schema_extra
    return extra.get(VOCABULARY_KEY) if isinstance(extra, dict) else None  # type: ignore[return-value]


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_list(arg) for arg in get_args(annotation))
    return get_origin(annotation) is list


def check_query(request: Request, query: BaseModel) -> None:
    """422 for a single-valued parameter given more than once, or a term outside its
    vocabulary (the problem lists the allowed terms)."""
    fields = type(query).model_fields
    counts = Counter(key for key, _ in request.query_params.multi_items())
    for name, count in counts.items():
        if count > 1 and name in fields and not _is_list(fields[name].annotation):
            message = f"{name} takes one value; it was given {count} times"
            raise InvalidParameter(
                message, errors=[{"loc": ["query", name], "msg": message, "type": "repeated"}]
            )
    vocabularies: dict[str, tuple[str, ...]] = request.app.state.vocabularies
    for name in fields:
        vocabulary = vocabulary_of(type(query), name)
        value = getattr(query, name)
        if vocabulary is None or value is None or vocabulary not in vocabularies:
            continue
        allowed = vocabularies[vocabulary]
        for term in value if isinstance(value, list) else [value]:
            if term not in allowed:
                message = f"{name} cannot be {term!r}; allowed: {', '.join(allowed)}"
                raise InvalidParameter(
                    message,
                    allowed=list(allowed),
                    errors=[{"loc": ["query", name], "msg": message, "type": "enum"}],
                )
