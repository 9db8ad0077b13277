"""The served representations of a record, each made by one function: its JSON document, its
CSV line and its GeoJSON Feature.

The build renders every record once through these (app/loader/documents.py) and stores the
texts with it; serving writes them out. The same functions describe the formats in OpenAPI,
and tests/test_documents.py renders every record afresh and compares.
"""

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel

from app.api.flat import Column, csv_header, csv_lines, feature_properties, flat_columns
from app.geometry import Geometry
from app.registry import Collection


@dataclass(frozen=True)
class Rendered:
    """A record's served texts."""

    json: str
    csv: str
    feature: str | None


def public_of(collection: Collection, row: Any) -> BaseModel:
    """The record as served: its Public model, with fields in their declared order.

    Validating a table row can keep a nested table instance as it is (a ProjectFigure is a
    Figure), whose fields would then serialize in the order its ORM loading set them; one
    round through plain values fixes the order for every process.
    """
    public = collection.to_public(row)
    return collection.public.model_validate(public.model_dump())


@cache
def columns_of(model: type[BaseModel]) -> tuple[Column, ...]:
    """The CSV columns (and GeoJSON properties) of a Public model."""
    return flat_columns(model)


def header_of(model: type[BaseModel]) -> str:
    """The CSV header line of a Public model's columns."""
    return csv_header(columns_of(model))


def feature_of(
    columns: tuple[Column, ...], row: dict[str, Any], geometry: Geometry
) -> dict[str, Any]:
    """A GeoJSON Feature: the record's geometry, and its CSV columns as properties."""
    return {
        "type": "Feature",
        "id": row["id"],
        "geometry": geometry(row),
        "properties": feature_properties(columns, row),
    }


def json_text(value: Any) -> str:
    """Compact JSON, UTF-8 characters kept as they are (as GeoJSON answers are written)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def render(collection: Collection, public: BaseModel) -> Rendered:
    """A served record's JSON document, CSV line and (with coordinates) GeoJSON Feature."""
    row = public.model_dump(mode="json")
    columns = columns_of(collection.public)
    feature = None
    if collection.geometry is not None:
        feature = json_text(feature_of(columns, row, collection.geometry))
    return Rendered(public.model_dump_json(), csv_lines(columns, [row], header=False), feature)
