"""Representations of lists: JSON (the page envelope), CSV and GeoJSON, chosen by
`?format=` or the Accept header."""

import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request, Response
from pydantic import BaseModel

from app.api.examples import example, media_example, page_example
from app.api.flat import Column, csv_lines, feature_properties, flat_columns
from app.api.geojson import collection_schema, feature_schema
from app.api.pagination import FacetCount, Page, next_links
from app.api.params import check_query
from app.errors import InvalidParameter, NotAcceptable
from app.queries.common import ItemQuery, ListQuery, ListResult, PageQuery

JSON = "application/json"
CSV = "text/csv"
GEOJSON = "application/geo+json"

Geometry = Callable[[dict[str, Any]], dict[str, Any] | None]
Q = TypeVar("Q", bound=ListQuery)
P = TypeVar("P", bound=PageQuery)


def negotiate(request: Request, requested: str | None, geo: bool) -> str:
    """The format to answer with: `?format=` first, then the Accept header; JSON by default."""
    if requested:
        if requested == "geojson" and not geo:
            raise InvalidParameter(
                "GeoJSON is not available for this collection (its records have no coordinates).",
                errors=[
                    {"loc": ["query", "format"], "msg": "geojson not available", "type": "enum"}
                ],
            )
        return requested
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return "json"
    ranges = []
    for index, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((-quality, index, media.strip().lower()))
    for negative_quality, _, media in sorted(ranges):
        if negative_quality == 0:
            continue
        if media in (JSON, "application/*", "*/*", "application/problem+json"):
            return "json"
        if media in (CSV, "text/*"):
            return "csv"
        if media == GEOJSON and geo:
            return "geojson"
    offered = [JSON, CSV, *([GEOJSON] if geo else [])]
    raise NotAcceptable(
        f"Cannot produce {accept!r}; available: {', '.join(offered)}.", allowed=offered
    )


def render_geojson(
    columns: tuple[Column, ...], rows: list[dict[str, Any]], geometry: Geometry, total: int
) -> str:
    """A GeoJSON FeatureCollection whose properties are the CSV columns."""
    features = [
        {
            "type": "Feature",
            "id": row["id"],
            "geometry": geometry(row),
            "properties": feature_properties(columns, row),
        }
        for row in rows
    ]
    collection = {
        "type": "FeatureCollection",
        "features": features,
        "numberMatched": total,
        "numberReturned": len(features),
    }
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))


def list_response(
    request: Request,
    model: type[BaseModel],
    query: Q,
    fetch: Callable[[Q], ListResult],
    geometry: Geometry | None = None,
) -> Response:
    """Negotiate the format, fetch the page for it, and answer with Link and Vary headers."""
    check_query(request, query)
    fmt = negotiate(request, query.format, geometry is not None)
    query = query.resolved(fmt)
    result = fetch(query)
    items = [model.model_validate(row) for row in result.rows]
    headers = {"Vary": "Accept"}
    link = next_links(request, result.total, query, result.next_cursor)
    if link:
        headers["Link"] = link
    if fmt == "json":
        page = Page[Any](
            items=items,
            total=result.total,
            limit=query.page_size,
            offset=query.offset,
            facets=_facets(result),
        )
        body = page.model_dump_json(exclude={"facets"} if result.facets is None else None)
        return Response(body, media_type=JSON, headers=headers)
    # Facet counts live in the JSON envelope; a CSV or GeoJSON answer has nowhere to put
    # them, so it is the same with or without `facet` (as the parameter says).
    rows = [item.model_dump(mode="json") for item in items]
    columns = flat_columns(model)
    name = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    if fmt == "csv":
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return Response(
            csv_lines(columns, rows), media_type="text/csv; charset=utf-8", headers=headers
        )
    assert geometry is not None
    return Response(
        render_geojson(columns, rows, geometry, result.total), media_type=GEOJSON, headers=headers
    )


def page_response(
    request: Request,
    model: type[BaseModel],
    query: P,
    fetch: Callable[[P], ListResult],
) -> Response:
    """A list that is not a collection (search hits, a source's records), as JSON or CSV."""
    check_query(request, query)
    fmt = negotiate(request, query.format, geo=False)
    query = query.resolved(fmt)
    result = fetch(query)
    headers = {"Vary": "Accept"}
    link = next_links(request, result.total, query, result.next_cursor)
    if link:
        headers["Link"] = link
    if fmt == "csv":
        rows = [item.model_dump(mode="json") for item in result.rows]
        return Response(
            csv_lines(flat_columns(model), rows),
            media_type="text/csv; charset=utf-8",
            headers=headers,
        )
    page = Page[Any](
        items=result.rows, total=result.total, limit=query.page_size, offset=query.offset
    )
    return Response(page.model_dump_json(exclude={"facets"}), media_type=JSON, headers=headers)


def item_response(
    request: Request,
    model: type[BaseModel],
    record: Any,
    query: ItemQuery,
    geometry: Geometry | None = None,
) -> Response:
    """One record in the negotiated format: JSON, a one-row CSV or a GeoJSON Feature."""
    check_query(request, query)
    fmt = negotiate(request, query.format, geometry is not None)
    item = model.model_validate(record)
    headers = {"Vary": "Accept"}
    if fmt == "json":
        return Response(item.model_dump_json(), media_type=JSON, headers=headers)
    row = item.model_dump(mode="json")
    columns = flat_columns(model)
    if fmt == "csv":
        return Response(
            csv_lines(columns, [row]), media_type="text/csv; charset=utf-8", headers=headers
        )
    assert geometry is not None
    feature = {
        "type": "Feature",
        "id": row["id"],
        "geometry": geometry(row),
        "properties": feature_properties(columns, row),
    }
    return Response(
        json.dumps(feature, ensure_ascii=False, separators=(",", ":")),
        media_type=GEOJSON,
        headers=headers,
    )


def _facets(result: ListResult) -> dict[str, list[FacetCount]] | None:
    if result.facets is None:
        return None
    return {
        name: [FacetCount(value=value, count=count) for value, count in counts]
        for name, counts in result.facets.items()
    }


def _point(place: dict[str, Any] | None) -> list[float] | None:
    if not place or place.get("lat") is None or place.get("lon") is None:
        return None
    return [place["lon"], place["lat"]]


def place_point(row: dict[str, Any]) -> dict[str, Any] | None:
    """A place's own coordinates."""
    point = _point(row)
    return {"type": "Point", "coordinates": point} if point else None


def record_point(row: dict[str, Any]) -> dict[str, Any] | None:
    """The coordinates of a record's `place`."""
    point = _point(row.get("place"))
    return {"type": "Point", "coordinates": point} if point else None


def places_points(row: dict[str, Any]) -> dict[str, Any] | None:
    """All the places of a record (an event) as a MultiPoint."""
    points = [p for p in (_point(place) for place in row.get("places", [])) if p]
    return {"type": "MultiPoint", "coordinates": points} if points else None


def tie_line(row: dict[str, Any]) -> dict[str, Any] | None:
    """A LineString from side_a to side_b of a sister-city tie."""
    a, b = _point(row.get("side_a")), _point(row.get("side_b"))
    return {"type": "LineString", "coordinates": [a, b]} if a and b else None


def csv_media(name: str, model: type[BaseModel], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """An OpenAPI text/csv media type: its columns described, `rows` rendered as its example."""
    columns = flat_columns(model)
    listed = ", ".join(f"`{column.name}` ({column.kind})" for column in columns)
    return {
        "schema": {
            "type": "string",
            "description": "CSV (RFC 4180, UTF-8, a header row); lists are JSON in one cell, "
            f"partial dates their full-date interval (README, CSV). Columns: {listed}.",
        },
        **media_example(f"{name}-csv", csv_lines(columns, rows)),
    }


def _feature(columns: tuple[Column, ...], row: dict[str, Any], geometry: Geometry) -> Any:
    return {
        "type": "Feature",
        "id": row["id"],
        "geometry": geometry(row),
        "properties": feature_properties(columns, row),
    }


def item_responses(
    collection: str, model: type[BaseModel], geometry: Geometry | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI description of an item's formats, each with the example record."""
    record = example(collection)
    content: dict[str, Any] = {
        JSON: media_example(collection, record),
        CSV: csv_media(collection, model, [record]),
    }
    if geometry is not None:
        feature = _feature(flat_columns(model), record, geometry)
        content[GEOJSON] = {
            "schema": feature_schema(model),
            **media_example(f"{collection}-feature", feature),
        }
    return {
        200: {
            "content": content,
            "description": "The record as JSON (default), a one-row CSV"
            + (" or a GeoJSON Feature" if geometry else "")
            + ", by `format` or Accept.",
        }
    }


def list_responses(
    collection: str, model: type[BaseModel], geometry: Geometry | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI description of a list's formats, each with a one-record example page."""
    page = page_example(collection)
    content: dict[str, Any] = {
        JSON: media_example(f"{collection}-page", page),
        CSV: csv_media(f"{collection}-page", model, page["items"]),
    }
    if geometry is not None:
        columns = flat_columns(model)
        features = [_feature(columns, row, geometry) for row in page["items"]]
        collection_example = {
            "type": "FeatureCollection",
            "features": features,
            "numberMatched": page["total"],
            "numberReturned": len(features),
        }
        content[GEOJSON] = {
            "schema": collection_schema(model),
            **media_example(f"{collection}-features", collection_example),
        }
    return {
        200: {
            "content": content,
            "description": "The page as JSON (default), CSV"
            + (" or GeoJSON" if geometry else "")
            + ", by `format` or Accept.",
        }
    }


def page_responses(
    name: str, model: type[BaseModel], page: dict[str, Any]
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI description of a list that is not a collection (JSON or CSV), with `page`."""
    return {
        200: {
            "content": {
                JSON: media_example(name, page),
                CSV: csv_media(name, model, page["items"]),
            },
            "description": "The page as JSON (default) or CSV, by `format` or Accept.",
        }
    }
