"""Errors of the query layer: what is wrong with a query, in its own terms.

They name the query parameter at fault, never an HTTP status or location; app/api/problems.py
turns each into an RFC 9457 problem (422 for a bad value, 404 for a record that is not there).
"""


class QueryError(Exception):
    """A query that cannot be answered as asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidValue(QueryError):
    """A parameter has a value the query cannot use: `kind` says how (e.g. `enum`)."""

    def __init__(
        self,
        parameter: str,
        message: str,
        kind: str = "value_error",
        detail: str | None = None,
        allowed: list[str] | None = None,
    ) -> None:
        super().__init__(detail or message)
        self.parameter = parameter
        self.reason = message  # the short message about the parameter itself
        self.kind = kind
        self.allowed = allowed


class UnknownField(InvalidValue):
    """A `sort` or `facet` field the list does not offer."""

    def __init__(self, parameter: str, name: str, allowed: list[str]) -> None:
        verb = "sort" if parameter == "sort" else "facet"
        super().__init__(
            parameter,
            f"unknown {verb} field {name!r}",
            kind="enum",
            detail=f"cannot {verb} by {name!r}; allowed: {', '.join(allowed)}",
            allowed=allowed,
        )


class BadCursor(InvalidValue):
    """An `after` cursor this API did not issue, or one used where it cannot apply."""

    def __init__(self, message: str) -> None:
        super().__init__("after", message)


class RecordNotFound(QueryError):
    """A record named by a parameter (not the path) does not exist where the query needs it."""


class Unavailable(QueryError):
    """The database cannot answer this kind of query (e.g. no full-text index)."""
