"""Representations of lists: JSON (the page envelope), CSV and GeoJSON, chosen by
`?format=` or the Accept header, or named by a path of their own (`/v1/projects.csv`)."""

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, TypeAdapter

from app.api.examples import example, media_example, page_example
from app.api.flat import csv_lines, flat_columns
from app.api.geojson import collection_schema, feature_schema
from app.api.pagination import FacetCount, Page, next_links
from app.api.params import check_query
from app.api.problems import PROBLEMS_BESIDE
from app.errors import InvalidParameter, NotAcceptable
from app.geometry import Geometry
from app.queries.listing import ListResult
from app.queries.parameters import ItemQuery, Limits, ListQuery, PageQuery
from app.representations import columns_of, feature_of, header_of

JSON = "application/json"
CSV = "text/csv"
GEOJSON = "application/geo+json"

# The representations besides JSON, each also served at a path of its own, named by its
# extension (Datasette's way): `/v1/projects.csv` answers what `/v1/projects?format=csv`
# does, and is an operation of its own in OpenAPI, so a generated client has a parser
# for it (openapi-python-client parses one media type per status).
MEDIA_TYPES = {"csv": CSV, "geojson": GEOJSON}
LABELS = {"csv": "CSV", "geojson": "GeoJSON"}


class CSVResponse(Response):
    """A CSV answer: the response class of an operation that answers only CSV, so its
    OpenAPI document declares that media type and no other."""

    media_type = CSV


class GeoJSONResponse(JSONResponse):
    """A GeoJSON answer: the response class of an operation that answers only GeoJSON."""

    media_type = GEOJSON


RESPONSE_CLASSES: dict[str, type[Response]] = {"csv": CSVResponse, "geojson": GeoJSONResponse}

Q = TypeVar("Q", bound=ListQuery)
# An export of more records than this is streamed: written as it is read from the database,
# never held whole in memory (a smaller one is sent in one piece, with its Content-Length).
STREAM_ABOVE = 1000
FACETS = TypeAdapter(dict[str, list[FacetCount]])
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


def limits_of(request: Request) -> Limits:
    """The page-size caps of the app answering `request` (its one Settings instance)."""
    settings = request.app.state.settings
    return Limits(settings.max_limit, settings.max_export_rows)


def page_json(texts: Sequence[str | bytes], result: ListResult, query: PageQuery) -> bytes:
    """The page envelope (`Page`) around records already written as JSON (UTF-8 bytes, or
    text): the same bytes as serializing the Page model, without building one."""
    tail = f'"total":{result.total},"limit":{query.page_size},"offset":{query.offset}'
    facets = _facets(result)
    if facets is not None:
        tail += ',"facets":' + FACETS.dump_json(facets).decode()
    items = b",".join(text if isinstance(text, bytes) else text.encode() for text in texts)
    return b'{"items":[' + items + b"]," + tail.encode() + b"}"


def list_response(
    request: Request,
    model: type[BaseModel],
    query: Q,
    fetch: Callable[[Q], ListResult],
    geometry: Geometry | None = None,
) -> Response:
    """Negotiate the format and check every parameter, then fetch the page's stored
    documents in that format and write them out, with Link and Vary headers."""
    check_query(request, query)
    fmt = negotiate(request, query.format, geometry is not None)
    query = query.resolved(fmt, limits_of(request))
    if query.facet and fmt != "json":
        # Facet counts live in the JSON envelope; a CSV or GeoJSON answer has nowhere to
        # put them, so it is the same with or without `facet` (and none are counted).
        query = query.model_copy(update={"facet": None})
    result = fetch(query)
    headers = {"Vary": "Accept"}
    link = next_links(request, result.total, query, result.next_cursor)
    if link:
        headers["Link"] = link
    if fmt == "json":
        return Response(page_json(result.rows, result, query), media_type=JSON, headers=headers)
    returned = max(0, min(query.page_size, result.total - query.offset))
    rows: Iterable[str] = result.rows
    if result.written_as == "json" and fmt == "csv":
        # A list whose documents are kept as JSON only (the timeline): its lines are
        # written from them by the one CSV writer.
        columns = columns_of(model)
        rows = (csv_lines(columns, [json.loads(text)], header=False) for text in result.rows)
    if fmt == "csv":
        # Named after the list, whether asked for as /v1/projects?format=csv or /v1/projects.csv.
        name = request.url.path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".csv")
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        pieces: Iterable[str] = chain([header_of(model)], rows)
        media_type = "text/csv; charset=utf-8"
    else:
        pieces = _feature_collection(rows, result.total, returned)
        media_type = GEOJSON
    if returned <= STREAM_ABOVE:
        return Response("".join(pieces), media_type=media_type, headers=headers)
    return StreamingResponse(_chunks(pieces), media_type=media_type, headers=headers)


def _feature_collection(features: Iterable[str], total: int, returned: int) -> Iterator[str]:
    """The pieces of a GeoJSON FeatureCollection around Features already written as JSON."""
    yield '{"type":"FeatureCollection","features":['
    for index, feature in enumerate(features):
        yield feature if index == 0 else "," + feature
    yield f'],"numberMatched":{total},"numberReturned":{returned}}}'


def _chunks(pieces: Iterable[str], size: int = 64 * 1024) -> Iterator[bytes]:
    """UTF-8 chunks of about `size` bytes, so a long answer is sent as it is read, in
    messages large enough not to cost a send per record."""
    buffer: list[str] = []
    length = 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer).encode()
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode()


def page_response(
    request: Request,
    model: type[BaseModel],
    query: P,
    fetch: Callable[[P], ListResult],
) -> Response:
    """A list that is not a collection (search hits, a source's records), as JSON or CSV."""
    check_query(request, query)
    fmt = negotiate(request, query.format, geo=False)
    query = query.resolved(fmt, limits_of(request))
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
    request: Request, query: ItemQuery, fetch: Callable[[str], str | bytes | None], geo: bool
) -> Response | None:
    """One record's stored document in the negotiated format (JSON, a one-row CSV with its
    header, or a GeoJSON Feature), negotiated before `fetch` reads it; None when `fetch`
    finds no such record."""
    check_query(request, query)
    fmt = negotiate(request, query.format, geo)
    text = fetch(fmt)
    if text is None:
        return None
    headers = {"Vary": "Accept"}
    if fmt == "json":
        return Response(text, media_type=JSON, headers=headers)
    if fmt == "csv":
        return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
    return Response(text, media_type=GEOJSON, headers=headers)


def _facets(result: ListResult) -> dict[str, list[FacetCount]] | None:
    if result.facets is None:
        return None
    return {
        name: [FacetCount(value=value, count=count) for value, count in counts]
        for name, counts in result.facets.items()
    }


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


def item_content(
    collection: str, model: type[BaseModel], geometry: Geometry | None = None
) -> dict[str, Any]:
    """OpenAPI media types of an item's formats, each with the example record."""
    record = example(collection)
    content: dict[str, Any] = {
        JSON: media_example(collection, record),
        CSV: csv_media(collection, model, [record]),
    }
    if geometry is not None:
        feature = feature_of(flat_columns(model), record, geometry)
        content[GEOJSON] = {
            "schema": feature_schema(model),
            **media_example(f"{collection}-feature", feature),
        }
    return content


def item_responses(
    collection: str, model: type[BaseModel], geometry: Geometry | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI description of an item's formats, each with the example record."""
    return {
        200: {
            "content": item_content(collection, model, geometry),
            "description": "The record as JSON (default), a one-row CSV"
            + (" or a GeoJSON Feature" if geometry else "")
            + ", by `format` or Accept.",
        }
    }


def list_content(
    collection: str, model: type[BaseModel], geometry: Geometry | None = None
) -> dict[str, Any]:
    """OpenAPI media types of a list's formats, each with a one-record example page."""
    page = page_example(collection)
    content: dict[str, Any] = {
        JSON: media_example(f"{collection}-page", page),
        CSV: csv_media(f"{collection}-page", model, page["items"]),
    }
    if geometry is not None:
        columns = flat_columns(model)
        features = [feature_of(columns, row, geometry) for row in page["items"]]
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
    return content


def list_responses(
    collection: str, model: type[BaseModel], geometry: Geometry | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI description of a list's formats, each with a one-record example page."""
    return {
        200: {
            "content": list_content(collection, model, geometry),
            "description": "The page as JSON (default), CSV"
            + (" or GeoJSON" if geometry else "")
            + ", by `format` or Accept.",
        }
    }


def page_content(name: str, model: type[BaseModel], page: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI media types of a list that is not a collection (JSON or CSV), with `page`."""
    return {JSON: media_example(name, page), CSV: csv_media(name, model, page["items"])}


def page_responses(
    name: str, model: type[BaseModel], page: dict[str, Any]
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI description of a list that is not a collection (JSON or CSV), with `page`."""
    return {
        200: {
            "content": page_content(name, model, page),
            "description": "The page as JSON (default) or CSV, by `format` or Accept.",
        }
    }


def format_responses(
    content: dict[str, Any], fmt: str, what: str
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI description of a path that answers one representation (`/v1/projects.csv`):
    the media type of `fmt` from `content`, its negotiating route's, with its schema and
    example."""
    media_type = MEDIA_TYPES[fmt]
    return {
        200: {
            "content": {media_type: content[media_type]},
            "description": f"{what} as {LABELS[fmt]}: the answer of `format={fmt}`.",
        },
        # Errors are problems (application/problem+json), never CSV or GeoJSON.
        **PROBLEMS_BESIDE,
    }
