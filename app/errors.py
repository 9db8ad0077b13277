"""The one error hierarchy of the service; api/problems.py renders each as RFC 9457.

Every kind of problem the service answers is declared once in `PROBLEM_TYPES`, with the one
title it always has and a description served at its `type` URI (`/problems/<slug>`, a page
of this service). Errors raised by routes, by FastAPI and Starlette, and by the middleware
all take their type and title from here.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProblemType:
    """A kind of problem (RFC 9457 section 3.1.1): its URI, title, status and meaning."""

    slug: str
    status: int
    title: str
    description: str

    @property
    def uri(self) -> str:
        """The `type` member: a relative reference to the page describing the problem."""
        return f"/problems/{self.slug}"


PROBLEM_TYPES: dict[str, ProblemType] = {
    problem.slug: problem
    for problem in (
        ProblemType(
            "bad-request",
            400,
            "Bad request",
            "The request cannot be read: its query string is not valid UTF-8 once "
            "percent-decoded. Encode text as UTF-8, then percent-encode it.",
        ),
        ProblemType(
            "cors-refused",
            400,
            "CORS refused",
            "A CORS preflight asked for an origin, method or header this service does not "
            "allow. The allowed origins are set by CORS_ORIGINS; the methods are GET, HEAD "
            "and OPTIONS.",
        ),
        ProblemType(
            "not-found",
            404,
            "Not found",
            "Nothing is at this path, or no record has this id, or a cursor (`after`) names "
            "a record that is not in the list. The collections are listed at /v1.",
        ),
        ProblemType(
            "method-not-allowed",
            405,
            "Method not allowed",
            "The service is read-only: every resource answers GET and HEAD (the `Allow` "
            "header says so), and CORS preflights answer OPTIONS.",
        ),
        ProblemType(
            "not-acceptable",
            406,
            "Not acceptable",
            "The Accept header asks only for media types this resource cannot produce. "
            "Lists and records answer application/json, text/csv and, where records have "
            "coordinates, application/geo+json; `allowed` lists them.",
        ),
        ProblemType(
            "precondition-failed",
            412,
            "Precondition failed",
            "If-Match names no current representation of the resource (RFC 9110 section "
            "13.1.1): the dataset has changed since the ETag was issued, or the ETag is of "
            "another representation (another format or content coding). Fetch the resource "
            "again for its current ETag.",
        ),
        ProblemType(
            "uri-too-long",
            414,
            "URI too long",
            "The path or the query string is longer than the service accepts (512 "
            "characters of path, 7,488 bytes of query string: 8,000 octets in all, as "
            "RFC 9110 section 4.1 recommends).",
        ),
        ProblemType(
            "invalid-parameter",
            422,
            "Invalid parameter",
            "A parameter is missing, unknown, of the wrong type or outside its allowed "
            "values. `errors` names each one with where it is (`loc`) and what is wrong; "
            "`allowed`, when present, lists the values that are.",
        ),
        ProblemType(
            "internal-error",
            500,
            "Internal server error",
            "The service failed to answer. The failure is logged; the request may be retried.",
        ),
        ProblemType(
            "service-unavailable",
            503,
            "Service unavailable",
            "The database cannot be read right now (it is missing, being rebuilt, or a "
            "query ran past its time limit). Try again shortly, or narrow the filters.",
        ),
    )
}


def problem_type(slug: str) -> ProblemType:
    """The declared problem type with this slug."""
    return PROBLEM_TYPES[slug]


def problem_type_for_status(status: int) -> ProblemType | None:
    """The declared problem type of an HTTP status raised by the framework, if any."""
    return next((p for p in PROBLEM_TYPES.values() if p.status == status), None)


class APIError(Exception):
    """An error a client can be told about; subclasses fix the problem type."""

    problem = PROBLEM_TYPES["internal-error"]

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions

    @property
    def status(self) -> int:
        """The HTTP status of the problem."""
        return self.problem.status


class NotFound(APIError):
    """The requested record or resource does not exist."""

    problem = PROBLEM_TYPES["not-found"]


class InvalidParameter(APIError):
    """A query parameter has a value the endpoint cannot use."""

    problem = PROBLEM_TYPES["invalid-parameter"]


class NotAcceptable(APIError):
    """The client asked for a representation this endpoint cannot produce."""

    problem = PROBLEM_TYPES["not-acceptable"]


class ServiceUnavailable(APIError):
    """The database is not ready, or a query ran past its time limit."""

    problem = PROBLEM_TYPES["service-unavailable"]
