"""Collection lists and items answered straight from compiled statements, beside the
framework: no routing table walk, no dependency solving, no threadpool hand-off.

Every collection's `GET /v1/<path>` and `GET /v1/<path>/{id}` is a parameter check, one to
four compiled statements (app/queries/compiled.py) and stored documents written out; on
SQLite each takes well under a millisecond, so the framework's own per-request work would be
most of the cost. This middleware parses the query string as FastAPI does, validates it with
the collection's own query model, and calls the same answer functions as the routes
(app/api/routes/collections.py), so the bytes are the routes' bytes. A request it cannot
answer whole (an invalid parameter, an unknown record, an error of any kind) goes on to the
routes, which answer it, refusals included, in their one way. Tests compare the two paths
byte for byte (tests/test_direct_reads.py).

It serves SQLite only: on PostgreSQL a request reads through the routes' session.
"""

import re
from collections.abc import Callable
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.routes.collections import item_answer, list_answer
from app.queries.compiled import Reader
from app.queries.meta import dataset_version
from app.queries.parameters import GeoItemQuery, ItemQuery
from app.registry import COLLECTIONS, Collection

RECORD_ID = re.compile(r"[a-z0-9-]{1,120}")


def _is_list(annotation: Any) -> bool:
    """Whether a query field takes repeated values (`list[...]`, optional or not)."""
    if get_origin(annotation) is list:
        return True
    return any(_is_list(arg) for arg in get_args(annotation))


def _list_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name, f in model.model_fields.items() if _is_list(f.annotation))


def _release_nothing() -> None:
    """Nothing to release: a whole answer gave its connection back before it was sent."""


class DirectReader:
    """Which requests the direct path answers, and their answers."""

    def __init__(self) -> None:
        self.lists = {f"/v1/{c.path}": c for c in COLLECTIONS}
        self.items = {f"/v1/{c.path}": c for c in COLLECTIONS}
        self.repeatable = {c.key: _list_fields(c.query) for c in COLLECTIONS}
        # Paths of other routes that an item path would also match (`/v1/trade-stats/series`).
        self.static: frozenset[str] | None = None

    def answer(
        self, scope: Scope, refreshed: bool = False
    ) -> tuple[Response, Callable[[], None]] | None:
        """The direct answer to a GET request, with what releases its database connection
        once the answer is sent; None when the routes should answer (or word a refusal).

        Any rebuild is followed first, unless the caller has just done so (`refreshed`).
        """
        app = scope["app"]
        database = getattr(app.state, "database", None)
        if not app.state.settings.direct_reads or database is None or database.path is None:
            return None
        target = self._target(app, scope["path"])
        if target is None:
            return None
        collection, record_id = target
        if not refreshed:
            database.refresh()
        try:
            connection = database.engine.raw_connection()
        except Exception:  # no readable database: the routes word the 503
            return None
        streaming = False
        try:
            reader = Reader(connection, database.engine.dialect, connection.info)
            response = self._answer(scope, collection, record_id, reader)
            # A streamed export reads as it is sent; any other answer is whole, and its
            # connection goes back to the pool before the send, so a slow client never
            # holds one (and 64 waiting clients never drain the pool).
            streaming = isinstance(response, StreamingResponse)
        finally:
            if not streaming:
                connection.close()
        if response is None:
            return None
        return response, (connection.close if streaming else _release_nothing)

    def _target(self, app: Any, path: str) -> tuple[Collection, str | None] | None:
        """The collection (and record id, for an item) a path names, if it is one of ours."""
        collection = self.lists.get(path)
        if collection is not None:
            return collection, None
        head, _, tail = path.rpartition("/")
        collection = self.items.get(head)
        if collection is None or not RECORD_ID.fullmatch(tail):
            return None
        if self.static is None:
            self.static = frozenset(
                route.path for route in app.routes if "{" not in getattr(route, "path", "{")
            )
        return None if path in self.static else (collection, tail)

    def _answer(
        self, scope: Scope, collection: Collection, record_id: str | None, reader: Reader
    ) -> Response | None:
        """The routes' answer, or None when the routes should give it (or word a refusal)."""
        try:
            request = Request(scope)
            if record_id is None:
                query = self._query(scope, collection.query, self.repeatable[collection.key])
                if query is None:
                    return None
                response = list_answer(request, collection, reader, query)
            else:
                model = GeoItemQuery if collection.geometry is not None else ItemQuery
                item_query = self._query(scope, model, frozenset())
                if item_query is None:
                    return None
                response = item_answer(request, collection, reader, record_id, item_query)
            # Read after the answer (every parameter is checked before any SQL), on the same
            # connection (SQLite only): the file it has open, so the version of what was read.
            version = dataset_version(reader)
        except Exception:  # the routes answer it again, and word any refusal or error
            return None
        if version is None:
            return None
        # The response cache labels the answer with it (app/api/response_cache.py).
        scope.setdefault("state", {})["dataset_version"] = version
        return response

    @staticmethod
    def _query(scope: Scope, model: type[BaseModel], repeatable: frozenset[str]) -> Any:
        """The query string validated by `model` as FastAPI would; None when a parameter is
        repeated that takes one value (the routes decide)."""
        params = QueryParams(scope["query_string"])
        given: dict[str, Any] = {}
        for key in params:
            values = params.getlist(key)
            if key in repeatable:
                given[key] = values
            elif len(values) > 1:
                return None
            else:
                given[key] = values[0]
        return model.model_validate(given)


class DirectReads:
    """Answer collection lists and items from compiled statements; pass anything else on."""

    def __init__(self, app: ASGIApp, reader: DirectReader) -> None:
        self.app = app
        self.reader = reader

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        answered = self.reader.answer(scope)
        if answered is None:
            await self.app(scope, receive, send)
            return
        response, release = answered
        try:
            await response(scope, receive, send)
        finally:
            release()
