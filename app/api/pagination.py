"""The one page envelope every list uses, and its Link header."""

from typing import Any, Generic, TypeVar

from fastapi import Request
from pydantic import BaseModel, Field

from app.queries.parameters import PageQuery

T = TypeVar("T")


class FacetCount(BaseModel):
    """How many records of the filtered set have one value of a field."""

    value: Any = Field(description="The value (null counts records without one).")
    count: int = Field(description="Number of records with the value.")


class Page(BaseModel, Generic[T]):
    """A page of a list: the items and where they sit in the whole."""

    items: list[T] = Field(description="The records of this page.")
    total: int = Field(description="Number of records matching the filters, on all pages.")
    limit: int = Field(description="Page size used.")
    offset: int = Field(description="Number of records skipped before this page.")
    facets: dict[str, list[FacetCount]] | None = Field(
        default=None,
        description="Counts per value of each field asked for with `facet` (present only then).",
    )


def next_links(
    request: Request, total: int, query: PageQuery, cursor: str | None = None
) -> str | None:
    """`Link` header value with rel="next" (and "prev") where they apply.

    A list read by keyset cursor (`after`) links to the next cursor; otherwise to offsets.
    """
    # Relative references (RFC 8288 allows them): the same bytes whatever the Host, so the
    # answer can be cached per dataset version.
    size = query.page_size
    if query.after is not None:
        if cursor is None:
            return None
        url = request.url
        if query.offset:  # it skipped records after this page's cursor, not the next one's
            url = url.remove_query_params("offset")
        url = url.include_query_params(after=cursor, limit=size)
        return f'<{url.path}?{url.query}>; rel="next"'
    links = []
    if query.offset + size < total:
        url = request.url.include_query_params(offset=query.offset + size, limit=size)
        links.append(f'<{url.path}?{url.query}>; rel="next"')
    if query.offset > 0:
        url = request.url.include_query_params(offset=max(query.offset - size, 0), limit=size)
        links.append(f'<{url.path}?{url.query}>; rel="prev"')
    return ", ".join(links) or None
