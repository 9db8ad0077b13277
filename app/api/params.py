"""Checks of query parameters that need the request or the app, not only the query model: a
single-valued parameter given twice, and the terms of a controlled vocabulary.

The vocabularies are read from data/vocabularies.yaml when the app is made, so the OpenAPI
enums (app/api/openapi.py) and these checks follow the curators' file with no code change.
Both checks run before any SQL.
"""

import functools
import types
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import yaml
from fastapi import Request
from pydantic import BaseModel

from app.queries.errors import InvalidValue
from app.queries.parameters import VOCABULARY_KEY

# Each vocabulary's terms, in the file's order.
Vocabularies = dict[str, tuple[str, ...]]


def read_vocabularies(data_dir: Path) -> Vocabularies:
    """The vocabularies of data/vocabularies.yaml (none if the file is missing or unreadable:
    the loader, not the server, tells curators what is wrong with it)."""
    path = data_dir / "vocabularies.yaml"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    listed = document.get("vocabularies") if isinstance(document, dict) else None
    if not isinstance(listed, dict):
        return {}
    return {
        str(name): tuple(str(term) for term in terms)
        for name, terms in listed.items()
        if isinstance(terms, dict)
    }


def vocabulary_of(model: type[BaseModel], name: str) -> str | None:
    """The vocabulary a query field's values come from, if any."""
    extra = model.model_fields[name].json_schema_extra
    vocabulary = extra.get(VOCABULARY_KEY) if isinstance(extra, dict) else None
    return vocabulary if isinstance(vocabulary, str) else None


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_list(arg) for arg in get_args(annotation))
    return get_origin(annotation) is list


class RepeatedValue(InvalidValue):
    """A parameter that takes one value, given more than once."""

    def __init__(self, parameter: str, count: int) -> None:
        message = f"{parameter} takes one value; it was given {count} times"
        super().__init__(parameter, message, kind="repeated")


class UnknownTerm(InvalidValue):
    """A term outside the vocabulary its parameter takes."""

    def __init__(self, parameter: str, term: str, allowed: tuple[str, ...]) -> None:
        message = f"{parameter} cannot be {term!r}; allowed: {', '.join(allowed)}"
        super().__init__(parameter, message, kind="enum", allowed=list(allowed))


@functools.cache
def _rules(model: type[BaseModel]) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    """A query model's single-valued fields, and its fields whose values come from a
    vocabulary (with the vocabulary's name): read once per model."""
    fields = model.model_fields
    single = frozenset(name for name, field in fields.items() if not _is_list(field.annotation))
    vocabulary = tuple(
        (name, vocabulary)
        for name in fields
        if (vocabulary := vocabulary_of(model, name)) is not None
    )
    return single, vocabulary


def check_parameters(names: Iterable[str], query: BaseModel, vocabularies: Vocabularies) -> None:
    """Refuse (before any SQL) a single-valued parameter among `names` (the request's query
    parameter names, repeats included) given more than once, or a term of `query` outside
    its vocabulary; the refusal lists the allowed terms."""
    single, with_vocabulary = _rules(type(query))
    for name, count in Counter(names).items():
        if count > 1 and name in single:
            raise RepeatedValue(name, count)
    for name, vocabulary in with_vocabulary:
        value = getattr(query, name)
        if value is None or vocabulary not in vocabularies:
            continue
        allowed = vocabularies[vocabulary]
        for term in value if isinstance(value, list) else [value]:
            if term not in allowed:
                raise UnknownTerm(name, term, allowed)


def check_query(request: Request, query: BaseModel) -> None:
    """`check_parameters` for a request to this app."""
    names = (key for key, _ in request.query_params.multi_items())
    check_parameters(names, query, request.app.state.vocabularies)
