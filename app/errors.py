"""The one error hierarchy of the service; api/problems.py renders each as RFC 9457."""

from typing import Any


class APIError(Exception):
    """An error a client can be told about; subclasses fix the status and problem type."""

    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal server error"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(APIError):
    """The requested record or resource does not exist."""

    status = 404
    slug = "not-found"
    title = "Not found"


class InvalidParameter(APIError):
    """A query parameter has a value the endpoint cannot use."""

    status = 422
    slug = "invalid-parameter"
    title = "Invalid parameter"


class NotAcceptable(APIError):
    """The client asked for a representation this endpoint cannot produce."""

    status = 406
    slug = "not-acceptable"
    title = "Not acceptable"


class ServiceUnavailable(APIError):
    """The database is not ready, or a query ran past its time limit."""

    status = 503
    slug = "service-unavailable"
    title = "Service unavailable"
