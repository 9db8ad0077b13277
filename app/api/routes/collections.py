"""Routes of every collection: `GET /v1/<path>` (a list) and `GET /v1/<path>/{id}` (one
record), made from its declaration in app/registry.py."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.routing import APIRoute

from app.api.formats import (
    LABELS,
    RESPONSE_CLASSES,
    format_responses,
    item_content,
    item_response,
    item_responses,
    list_content,
    list_response,
    list_responses,
)
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import SessionDep, record_id_except
from app.errors import NotFound
from app.queries.compiled import Readable
from app.queries.documents import document
from app.queries.parameters import (
    GeoItemQuery,
    ItemQuery,
    ListQuery,
    with_format,
    without_format,
)
from app.registry import COLLECTIONS, Collection
from app.representations import header_of


def _beside_items(extra: APIRouter | None) -> list[str]:
    """The one-segment paths of `extra` (`series` of `/series`), which `/{id}` would match if
    the item route came first; an id never names one."""
    routes = extra.routes if extra is not None else []
    return [
        r.path.removeprefix("/")
        for r in routes
        if isinstance(r, APIRoute) and r.path.count("/") == 1 and "{" not in r.path
    ]


def list_answer(
    request: Request, collection: Collection, source: Readable, query: ListQuery
) -> Response:
    """A page of `collection` in the negotiated format (parameters checked before any SQL)."""
    return list_response(
        request,
        collection.public,
        query,
        lambda q: collection.select(source, q),
        collection.geometry,
    )


def item_answer(
    request: Request, collection: Collection, source: Readable, id: str, query: ItemQuery
) -> Response:
    """One record of `collection` in the negotiated format, or a NotFound error."""
    header = _HEADERS[collection.key]

    def fetch(fmt: str) -> str | bytes | None:
        text = document(source, collection.record_type, id, fmt)
        return header + text if isinstance(text, str) and fmt == "csv" else text

    response = item_response(request, query, fetch, collection.geometry is not None)
    if response is None:
        raise NotFound(f"No {collection.noun} with id {id!r}.")
    return response


# The CSV header row of each collection's records.
_HEADERS = {collection.key: header_of(collection.public) for collection in COLLECTIONS}


def _list_as(collection: Collection, fmt: str) -> Callable[..., Response]:
    """The route of `/v1/<path>.<fmt>`: the list in one representation, as `?format=<fmt>`."""
    params = without_format(collection.query)

    def read_list_as(
        request: Request,
        session: SessionDep,
        query: Annotated[params, Query()],  # type: ignore[valid-type]
    ) -> Response:
        return list_answer(request, collection, session, with_format(collection.query, query, fmt))

    read_list_as.__doc__ = (
        f"{collection.list_doc} As {LABELS[fmt]}: the answer of `format={fmt}`, at a path "
        "of its own."
    )
    return read_list_as


def _item_as(collection: Collection, fmt: str, record_id: Any) -> Callable[..., Response]:
    """The route of `/v1/<path>/{id}.<fmt>`: one record in one representation."""
    item_params = GeoItemQuery if collection.geometry is not None else ItemQuery
    params = without_format(item_params)

    def read_item_as(
        request: Request,
        session: SessionDep,
        id: record_id,
        query: Annotated[params, Query()],  # type: ignore[valid-type]
    ) -> Response:
        return item_answer(request, collection, session, id, with_format(item_params, query, fmt))

    read_item_as.__doc__ = (
        f"{collection.item_doc} As {LABELS[fmt]}: the answer of `format={fmt}`, at a path "
        "of its own."
    )
    return read_item_as


def collection_router(collection: Collection, extra: APIRouter | None = None) -> APIRouter:
    """The list and item routes of `collection`, each also at a path per representation
    besides JSON (`.csv`, `.geojson`), plus `extra` routes under its path."""
    router = APIRouter(
        prefix=f"/{collection.path}", tags=[collection.tag], responses=PROBLEM_RESPONSES
    )
    item_params = GeoItemQuery if collection.geometry is not None else ItemQuery
    list_params = Annotated[collection.query, Query()]  # type: ignore[name-defined]
    beside = _beside_items(extra)
    record_id = record_id_except(beside)

    def read_list(request: Request, session: SessionDep, query: list_params) -> Response:
        return list_answer(request, collection, session, query)

    def read_item(
        request: Request,
        session: SessionDep,
        id: record_id,  # type: ignore[valid-type]
        query: Annotated[item_params, Query()],  # type: ignore[valid-type]
    ) -> Response:
        return item_answer(request, collection, session, id, query)

    read_list.__doc__ = collection.list_doc
    read_item.__doc__ = collection.item_doc
    article = "an" if collection.noun[0] in "aeiou" else "a"
    lists = list_content(collection.path, collection.public, collection.geometry)
    items = item_content(collection.path, collection.public, collection.geometry)
    router.add_api_route(
        "",
        read_list,
        methods=["GET"],
        name=f"read_{collection.key}",
        operation_id=f"list_{collection.key}",
        summary=f"List {collection.plural}",
        response_model=Page[collection.public],  # type: ignore[name-defined]
        responses=list_responses(collection.path, collection.public, collection.geometry),
    )
    for fmt in collection.formats:
        router.add_api_route(
            f".{fmt}",
            _list_as(collection, fmt),
            methods=["GET"],
            name=f"read_{collection.key}_{fmt}",
            operation_id=f"list_{collection.key}_{fmt}",
            summary=f"List {collection.plural} as {LABELS[fmt]}",
            response_class=RESPONSE_CLASSES[fmt],
            responses=format_responses(lists, fmt, "The page"),
        )
    if extra is not None and beside:
        router.include_router(extra)
    # `/{id}` would take `x.csv` for an id (and refuse it): the representations' paths first.
    for fmt in collection.formats:
        router.add_api_route(
            f"/{{id}}.{fmt}",
            _item_as(collection, fmt, record_id),
            methods=["GET"],
            name=f"read_{collection.record_type}_{fmt}",
            operation_id=f"get_{collection.record_type}_{fmt}",
            summary=f"Get {article} {collection.noun} as {LABELS[fmt]}",
            response_class=RESPONSE_CLASSES[fmt],
            responses=format_responses(items, fmt, "The record"),
        )
    router.add_api_route(
        "/{id}",
        read_item,
        methods=["GET"],
        name=f"read_{collection.record_type}",
        operation_id=f"get_{collection.record_type}",
        summary=f"Get {article} {collection.noun}",
        response_model=collection.public,
        responses=item_responses(collection.path, collection.public, collection.geometry),
    )
    if extra is not None and not beside:
        router.include_router(extra)
    return router
