"""Routes of every collection: `GET /v1/<path>` (a list) and `GET /v1/<path>/{id}` (one
record), made from its declaration in app/registry.py."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.routing import APIRoute
from sqlmodel import Session

from app.api.formats import item_response, item_responses, list_response, list_responses
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import SessionDep, record_or_404
from app.queries.listing import ListResult
from app.queries.parameters import GeoItemQuery, ItemQuery, ListQuery
from app.registry import Collection


def _page(collection: Collection, session: Session, query: ListQuery) -> ListResult:
    result = collection.select(session, query)
    if collection.extra is not None:
        result.rows = [collection.to_public(row) for row in result.rows]
    return result


def _shadowed_by_item(extra: APIRouter) -> bool:
    """Whether `extra` has a one-segment path (`/series`) that `/{id}` would match if the
    item route came first."""
    return any(isinstance(r, APIRoute) and r.path.count("/") == 1 for r in extra.routes)


def collection_router(collection: Collection, extra: APIRouter | None = None) -> APIRouter:
    """The list and item routes of `collection`, plus `extra` routes under its path."""
    router = APIRouter(
        prefix=f"/{collection.path}", tags=[collection.tag], responses=PROBLEM_RESPONSES
    )
    item_params = GeoItemQuery if collection.geometry is not None else ItemQuery
    list_params = Annotated[collection.query, Query()]  # type: ignore[name-defined]
    record = Annotated[Any, Depends(record_or_404(collection))]

    def read_list(request: Request, session: SessionDep, query: list_params) -> Response:
        return list_response(
            request,
            collection.public,
            query,
            lambda q: _page(collection, session, q),
            collection.geometry,
        )

    def read_item(
        request: Request,
        found: record,
        query: Annotated[item_params, Query()],  # type: ignore[valid-type]
    ) -> Response:
        return item_response(
            request, collection.public, collection.to_public(found), query, collection.geometry
        )

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
    if extra is not None and _shadowed_by_item(extra):
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
    if extra is not None and not _shadowed_by_item(extra):
        router.include_router(extra)
    return router
