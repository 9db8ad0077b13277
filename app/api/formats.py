"""Representations of lists: JSON (the page envelope), CSV and GeoJSON, chosen by
`?format=` or the Accept header."""

import csv
import io
import json
import types
from collections.abc import Callable
from typing import Any, TypeVar, Union, get_args, get_origin

from fastapi import Request, Response
from pydantic import BaseModel

from app.api.examples import example, media_example, page_example
from app.api.pagination import FacetCount, Page, next_links
from app.errors import InvalidParameter, NotAcceptable
from app.queries.common import ItemQuery, ListQuery, ListResult, PageQuery

JSON = "application/json"
CSV = "text/csv"
GEOJSON = "application/geo+json"

Geometry = Callable[[dict[str, Any]], dict[str, Any] | None]
Getter = Callable[[dict[str, Any]], Any]
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


def _unwrap(annotation: Any) -> Any:
    """The annotation without `| None`."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _joined(values: list[Any]) -> str | None:
    return "; ".join(str(v) for v in values) if values else None


def _describe(item: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in item.items() if value is not None)


def _field(name: str) -> Getter:
    return lambda row: row.get(name)


def _summary_field(name: str, sub: str) -> Getter:
    return lambda row: (row.get(name) or {}).get(sub)


def _ids(name: str) -> Getter:
    return lambda row: _joined([item["id"] for item in row[name]])


def _described(name: str) -> Getter:
    return lambda row: _joined([_describe(item) for item in row[name]])


def _listed(name: str) -> Getter:
    return lambda row: _joined(row[name])


def _citation_sources(row: dict[str, Any]) -> Any:
    return _joined(list(dict.fromkeys(c["source_id"] for c in row["citations"])))


def _citation_excerpt(row: dict[str, Any]) -> Any:
    return row["citations"][0]["excerpt"] if row["citations"] else None


def _citation_count(row: dict[str, Any]) -> Any:
    return len(row["citations"])


def flat_columns(model: type[BaseModel]) -> list[tuple[str, Getter]]:
    """Flat CSV columns for a Public model: summaries become `<field>_<sub>`, lists of records
    `<field>_ids`, citations `citation_sources` plus the first excerpt."""
    columns: list[tuple[str, Getter]] = []
    for name, info in model.model_fields.items():
        annotation = _unwrap(info.annotation)
        if _is_model(annotation):
            columns += [
                (f"{name}_{sub}", _summary_field(name, sub)) for sub in annotation.model_fields
            ]
        elif get_origin(annotation) is list:
            inner = _unwrap(get_args(annotation)[0])
            if name == "citations":
                columns += [
                    ("citation_sources", _citation_sources),
                    ("citation_excerpt", _citation_excerpt),
                    ("citation_count", _citation_count),
                ]
            elif _is_model(inner) and "id" in inner.model_fields:
                columns.append((f"{name}_ids", _ids(name)))
            elif _is_model(inner):
                columns.append((name, _described(name)))
            else:
                columns.append((name, _listed(name)))
        else:
            columns.append((name, _field(name)))
    # The id first, as a spreadsheet's key column.
    columns.sort(key=lambda column: column[0] != "id")
    return columns


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


def render_csv(columns: list[tuple[str, Getter]], rows: list[dict[str, Any]]) -> str:
    """CSV text with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for name, _ in columns])
    for row in rows:
        writer.writerow([_csv_cell(get(row)) for _, get in columns])
    return buffer.getvalue()


def render_geojson(
    columns: list[tuple[str, Getter]], rows: list[dict[str, Any]], geometry: Geometry, total: int
) -> str:
    """A GeoJSON FeatureCollection whose properties are the CSV columns."""
    features = [
        {
            "type": "Feature",
            "id": row["id"],
            "geometry": geometry(row),
            "properties": {name: get(row) for name, get in columns},
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
    if query.facet:
        raise InvalidParameter("facet is available with JSON only.")
    rows = [item.model_dump(mode="json") for item in items]
    columns = flat_columns(model)
    name = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    if fmt == "csv":
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return Response(
            render_csv(columns, rows), media_type="text/csv; charset=utf-8", headers=headers
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
            render_csv(flat_columns(model), rows),
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
    fmt = negotiate(request, query.format, geometry is not None)
    item = model.model_validate(record)
    headers = {"Vary": "Accept"}
    if fmt == "json":
        return Response(item.model_dump_json(), media_type=JSON, headers=headers)
    row = item.model_dump(mode="json")
    columns = flat_columns(model)
    if fmt == "csv":
        return Response(
            render_csv(columns, [row]), media_type="text/csv; charset=utf-8", headers=headers
        )
    assert geometry is not None
    feature = {
        "type": "Feature",
        "id": row["id"],
        "geometry": geometry(row),
        "properties": {name: get(row) for name, get in columns},
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


def item_responses(collection: str, geo: bool) -> dict[int | str, dict[str, Any]]:
    """OpenAPI description of an item's formats, with an example record."""
    content: dict[str, Any] = {
        JSON: media_example(collection, example(collection)),
        "text/csv": {"schema": {"type": "string"}},
    }
    if geo:
        content[GEOJSON] = {"schema": {"type": "object"}}
    return {
        200: {
            "content": content,
            "description": "The record as JSON (default), a one-row CSV"
            + (" or a GeoJSON Feature" if geo else "")
            + ", by `format` or Accept.",
        }
    }


def list_responses(collection: str, geo: bool) -> dict[int | str, dict[str, Any]]:
    """OpenAPI description of a list's formats, with an example page."""
    content: dict[str, Any] = {
        JSON: media_example(f"{collection}-page", page_example(collection)),
        "text/csv": {
            "schema": {"type": "string"},
            "example": "id,name,...\r\nzhanatas-wind-farm,Zhanatas wind farm,...\r\n",
        },
    }
    if geo:
        content[GEOJSON] = {
            "schema": {"type": "object"},
            "example": {"type": "FeatureCollection", "features": []},
        }
    return {
        200: {
            "content": content,
            "description": "The page as JSON (default), CSV"
            + (" or GeoJSON" if geo else "")
            + ", by `format` or Accept.",
        }
    }
