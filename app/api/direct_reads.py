"""Collection lists and items answered straight from compiled statements, beside the
framework: no routing table walk, no dependency solving, no threadpool hand-off.

Every collection's `GET /v1/<path>` and `GET /v1/<path>/{id}` (and their paths per
representation, `/v1/<path>.csv`, `/v1/<path>/{id}.geojson`) is a parameter check, one to
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
from app.queries.parameters import GeoItemQuery, ItemQuery, with_format, without_format
from app.registry import COLLECTIONS, Collection

RECORD_ID = re.compile(r"[a-z0-9-]{1,120}")


def _is_list(annotation: Any) -> bool:
    """Whether a query field takes repeated values (`list[...]`, optional or not)."""
    if get_origin(annotation) is list:
        return True
    return any(_is_list(arg) for arg in get_args(annotation))


def _list_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name, f in model.model_fields.items() if _is_list(f.annotation))


# What a path names: the collection, the record id of an item (None for the list), and the
# representation its extension names (None: negotiated).
Target = tuple[Collection, str | None, str | None]


def _release_nothing() -> None:
    """Nothing to release: a whole answer gave its connection back before it was sent."""


class DirectReader:
    """Which requests the direct path answers, and their answers."""

    def __init__(self) -> None:
        self.lists: dict[str, tuple[Collection, str | None]] = {
            f"/v1/{c.path}{'.' + fmt if fmt else ''}": (c, fmt)
            for c in COLLECTIONS
            for fmt in (None, *c.formats)
        }
        self.items = {f"/v1/{c.path}": c for c in COLLECTIONS}
        self.repeatable = {c.key: _list_fields(c.query) for c in COLLECTIONS}

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
        target = self._target(scope["path"])
        if target is None:
            return None
        collection, record_id, fmt = target
        if not refreshed:
            database.refresh()
        try:
            connection = database.engine.raw_connection()
        except Exception:  # no readable database: the routes word the 503
            return None
        streaming = False
        try:
            reader = Reader(connection, database.engine.dialect, connection.info)
            response = self._answer(scope, collection, record_id, fmt, reader)
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

    def _target(self, path: str) -> Target | None:
        """The collection (the record id, for an item; the representation, for a path that
        names one) a path names, if it is one of ours."""
        listed = self.lists.get(path)
        if listed is not None:
            return listed[0], None, listed[1]
        head, _, tail = path.rpartition("/")
        collection = self.items.get(head)
        if collection is None:
            return None
        record_id, dot, extension = tail.rpartition(".")
        fmt = extension if dot else None
        if not dot:
            record_id = tail
        elif extension not in collection.formats:
            return None
        if not RECORD_ID.fullmatch(record_id) or record_id in collection.routes_beside_items:
            return None  # not an id (`/v1/trade-stats/series` is the series route)
        return collection, record_id, fmt

    def _answer(
        self,
        scope: Scope,
        collection: Collection,
        record_id: str | None,
        fmt: str | None,
        reader: Reader,
    ) -> Response | None:
        """The routes' answer, or None when the routes should give it (or word a refusal)."""
        try:
            request = Request(scope)
            if record_id is None:
                model: type[BaseModel] = collection.query
                repeatable = self.repeatable[collection.key]
            else:
                model = GeoItemQuery if collection.geometry is not None else ItemQuery
                repeatable = frozenset()
            # A path that names its representation takes the parameters but `format`.
            query = self._query(scope, without_format(model) if fmt else model, repeatable)
            if query is None:
                return None
            if fmt:
                query = with_format(model, query, fmt)
            if record_id is None:
                response = list_answer(request, collection, reader, query)
            else:
                response = item_answer(request, collection, reader, record_id, query)
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
