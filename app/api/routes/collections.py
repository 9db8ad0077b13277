"""Routes of every collection: `GET /v1/<path>` (a list) and `GET /v1/<path>/{id}` (one
record), made from its declaration in app/registry.py."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.routing import APIRoute

from app.api.formats import item_response, item_responses, list_response, list_responses
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import SessionDep, record_id_except
from app.errors import NotFound
from app.queries.compiled import Readable
from app.queries.documents import document
from app.queries.parameters import GeoItemQuery, ItemQuery, ListQuery
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


def collection_router(collection: Collection, extra: APIRouter | None = None) -> APIRouter:
    """The list and item routes of `collection`, plus `extra` routes under its path."""
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
    if extra is not None and beside:
        router.include_router(extra)
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
