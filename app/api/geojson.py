"""GeoJSON (RFC 7946) as typed models, for the OpenAPI document: a Feature's geometry and, per
collection, its properties (the CSV columns, app/api/flat.py)."""

from functools import cache
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.json_schema import models_json_schema

from app.api.flat import Kind, flat_columns

Position = Annotated[
    list[float],
    Field(min_length=2, max_length=2, description="[longitude, latitude] in WGS 84 degrees."),
]


class Point(BaseModel):
    """One position."""

    type: Literal["Point"] = Field(description="Point.")
    coordinates: Position = Field(description="[longitude, latitude].")


class MultiPoint(BaseModel):
    """Several positions (an event's places)."""

    type: Literal["MultiPoint"] = Field(description="MultiPoint.")
    coordinates: list[Position] = Field(description="One [longitude, latitude] per place.")


class LineString(BaseModel):
    """A line between positions (a sister-city tie, from side_a to side_b)."""

    type: Literal["LineString"] = Field(description="LineString.")
    coordinates: list[Position] = Field(
        min_length=2, description="[longitude, latitude] of each end."
    )


Geometry = Annotated[Point | MultiPoint | LineString, Field(discriminator="type")]
P = TypeVar("P", bound=BaseModel)


class Feature(BaseModel, Generic[P]):
    """A record as a GeoJSON Feature: its geometry (null where it has no coordinates) and its
    CSV columns as properties."""

    type: Literal["Feature"] = Field(description="Feature.")
    id: str = Field(description="Id of the record.")
    geometry: Geometry | None = Field(description="Where the record is; null if unknown.")
    properties: P = Field(description="The record's CSV columns (lists as JSON arrays).")


class FeatureCollection(BaseModel, Generic[P]):
    """A page of records as a GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"] = Field(description="FeatureCollection.")
    features: list[Feature[P]] = Field(description="One Feature per record.")
    numberMatched: int = Field(description="Records matching the filters, on all pages.")
    numberReturned: int = Field(description="Features in this answer.")


_TYPES: dict[Kind, Any] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "date": str,
    "datetime": str,
    "array": list[Any],
}


@cache
def properties_model(model: type[BaseModel]) -> type[BaseModel]:
    """The typed properties of `model`'s Features: one nullable field per CSV column."""
    fields: dict[str, Any] = {}
    for column in flat_columns(model):
        formats = {"date": "date", "datetime": "date-time"}
        extra: dict[str, Any] | None = (
            {"format": formats[column.kind]} if column.kind in formats else None
        )
        fields[column.name] = (
            _TYPES[column.kind] | None,
            Field(
                description=f"CSV column `{column.name}` ({column.kind}).",
                json_schema_extra=extra,
            ),
        )
    name = model.__name__.removesuffix("Public") + "Properties"
    properties: type[BaseModel] = create_model(
        name,
        __config__=ConfigDict(title=name),
        __doc__=f"The properties of a {model.__name__.removesuffix('Public')} Feature.",
        **fields,
    )
    return properties


_declared: dict[str, type[BaseModel]] = {}


@cache
def collection_schema(model: type[BaseModel]) -> dict[str, str]:
    """A `$ref` to the FeatureCollection schema of `model`'s records (declared in the
    document's components by `declared_schemas`)."""
    properties = properties_model(model)
    name = model.__name__.removesuffix("Public") + "FeatureCollection"
    _declared[name] = type(
        name,
        (FeatureCollection[properties],),  # type: ignore[valid-type]
        {"__doc__": f"{name.removesuffix('FeatureCollection')} records as GeoJSON."},
    )
    return {"$ref": f"#/components/schemas/{name}"}


@cache
def feature_schema(model: type[BaseModel]) -> dict[str, str]:
    """A `$ref` to the Feature schema of one of `model`'s records."""
    properties = properties_model(model)
    name = model.__name__.removesuffix("Public") + "Feature"
    _declared[name] = type(
        name,
        (Feature[properties],),  # type: ignore[valid-type]
        {"__doc__": f"A {name.removesuffix('Feature')} record as a GeoJSON Feature."},
    )
    return {"$ref": f"#/components/schemas/{name}"}


def declared_schemas() -> dict[str, Any]:
    """The JSON schemas of every GeoJSON model referred to so far, by component name."""
    models = [(model, "serialization") for model in _declared.values()]
    _, schemas = models_json_schema(models, ref_template="#/components/schemas/{model}")  # type: ignore[arg-type]
    defs: dict[str, Any] = schemas.get("$defs", {})
    return defs
