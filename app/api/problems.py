"""Render every error as an RFC 9457 problem (application/problem+json), never a traceback."""

import logging
import re
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.middleware import instance_of
from app.db import is_statement_timeout
from app.errors import (
    PROBLEM_TYPES,
    APIError,
    InvalidParameter,
    NotFound,
    ProblemType,
    ServiceUnavailable,
    problem_type_for_status,
)
from app.queries.errors import InvalidValue, QueryError, RecordNotFound

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemDetail(BaseModel):
    """One problem with a request parameter."""

    loc: list[str | int] = Field(description="Where the problem is, e.g. ['query', 'limit'].")
    msg: str = Field(description="What is wrong.")
    type: str = Field(description="Machine-readable kind of problem.")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(
        description="URI reference identifying the problem type: relative to the request "
        "URL, it resolves to a page of this service describing the problem "
        "(`/problems/<slug>`); `about:blank` for a bare HTTP status.",
        examples=["/problems/not-found"],
    )
    title: str = Field(
        description="Short summary of the problem type, the same for every problem of the type."
    )
    status: int = Field(description="HTTP status code.")
    detail: str = Field(description="Explanation of this occurrence.")
    instance: str = Field(
        description="The request as a URI reference: its percent-encoded path and query.",
        examples=["/v1/projects/no-such-project"],
    )
    errors: list[ProblemDetail] | None = Field(
        default=None,
        description="Each invalid parameter, for 422 problems.",
    )
    allowed: list[str] | None = Field(
        default=None,
        description="The allowed values, when a parameter is outside a list.",
    )


def problem_body(
    problem: ProblemType | None, status: int, detail: str, instance: str, **extensions: Any
) -> dict[str, Any]:
    """An RFC 9457 document: a declared type with its one title, or (for a status the
    service declares no type for) `about:blank` titled with the status phrase."""
    return {
        "type": problem.uri if problem else "about:blank",
        "title": problem.title if problem else HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extensions,
    }


def problem_response(
    request: Request, problem: ProblemType | None, status: int, detail: str, **extensions: Any
) -> JSONResponse:
    """A problem+json response; `instance` is the request's path and query as a URI
    reference."""
    allow = extensions.pop("allow", None)
    body = problem_body(problem, status, detail, instance_of(request.scope), **extensions)
    headers = {"Allow": allow} if allow else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, APIError)
    return problem_response(request, exc.problem, exc.status, exc.detail, **exc.extensions)


def query_error(exc: QueryError) -> APIError:
    """The API error a query-layer error is told as: a bad value is a 422 naming the query
    parameter, a record a parameter names but the list lacks a 404, an index the engine
    lacks a 503."""
    if isinstance(exc, InvalidValue):
        extensions: dict[str, Any] = {}
        if exc.allowed is not None:
            extensions["allowed"] = exc.allowed
        extensions["errors"] = [
            {"loc": ["query", exc.parameter], "msg": exc.reason, "type": exc.kind}
        ]
        return InvalidParameter(exc.message, **extensions)
    if isinstance(exc, RecordNotFound):
        return NotFound(exc.message)
    return ServiceUnavailable(exc.message)


async def _query_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QueryError)
    return await _api_error(request, query_error(exc))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": [str(p) if not isinstance(p, int) else p for p in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors()
    ]
    summary = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
    extensions: dict[str, Any] = {"errors": errors}
    allowed = _allowed_values(exc.errors())
    if allowed is not None:
        extensions["allowed"] = allowed
    return problem_response(
        request,
        PROBLEM_TYPES["invalid-parameter"],
        422,
        summary or "The request is invalid.",
        **extensions,
    )


_QUOTED = re.compile(r"'([^']*)'")


def _allowed_values(errors: Sequence[Any]) -> list[str] | None:
    """The values a parameter outside a fixed list may take (an enum or a literal, e.g.
    `format` or `date_basis`), as pydantic's error lists them: the same `allowed` member a
    vocabulary refusal has. None unless every error is such a refusal of one parameter."""
    expected = {
        str(error.get("ctx", {}).get("expected", ""))
        for error in errors
        if error.get("type") in ("enum", "literal_error")
    }
    parameters = {tuple(error.get("loc", ()))[:2] for error in errors}
    if (
        len(expected) != 1
        or len(parameters) != 1
        or len(errors) != len([e for e in errors if e.get("type") in ("enum", "literal_error")])
    ):
        return None
    values = _QUOTED.findall(expected.pop())
    return values or None


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    detail = (
        exc.detail
        if isinstance(exc.detail, str) and exc.detail != phrase
        else {
            404: f"No resource at {instance_of(request.scope)}.",
            405: f"{request.method} is not allowed on {instance_of(request.scope)}.",
        }.get(exc.status_code, phrase)
    )
    extensions: dict[str, Any] = {}
    if exc.headers and "Allow" in exc.headers:
        allowed = [m.strip() for m in exc.headers["Allow"].split(",") if m.strip()]
        # Every GET route also answers HEAD (the response cache middleware serves it).
        if "GET" in allowed and "HEAD" not in allowed:
            allowed.insert(allowed.index("GET") + 1, "HEAD")
        extensions["allow"] = ", ".join(allowed)
    problem = problem_type_for_status(exc.status_code)
    return problem_response(request, problem, exc.status_code, detail, **extensions)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if is_statement_timeout(exc):
        detail = "The query ran past its time limit; narrow the filters or try again."
    else:
        log.error("database error on %s %s: %s", request.method, request.url.path, exc)
        detail = "The database cannot be read right now; try again shortly."
    return problem_response(request, PROBLEM_TYPES["service-unavailable"], 503, detail)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request,
        PROBLEM_TYPES["internal-error"],
        500,
        "The server failed to answer this request; it has been logged.",
    )


def install(app: FastAPI) -> None:
    """Route every kind of error through the problem renderer."""
    app.add_exception_handler(APIError, _api_error)
    app.add_exception_handler(QueryError, _query_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # Any driver error (SQLite or PostgreSQL) and a full connection pool are 503s.
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)


# Documented on every route, so clients know the shape of errors.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "model": Problem,
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    # 400 malformed query string, 404 no such record, 406 unmet Accept, 412 failing
    # If-Match, 414 over-long URL, 422 invalid parameter, 503 database unavailable or
    # statement time limit reached.
    for status in (400, 404, 406, 412, 414, 422, 503)
}
# The same, for a route that answers one media type besides JSON (`/v1/projects.csv`):
# without a model, so FastAPI does not declare problems in the route's own media type too.
PROBLEMS_BESIDE: dict[int | str, dict[str, Any]] = {
    status: {key: value for key, value in response.items() if key != "model"}
    for status, response in PROBLEM_RESPONSES.items()
}
