"""The one page envelope every list uses, and its Link header."""

from typing import Generic, TypeVar

from fastapi import Request, Response
from pydantic import BaseModel, Field

from app.queries.common import ListQuery

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list: the items and where they sit in the whole."""

    items: list[T] = Field(description="The records of this page.")
    total: int = Field(description="Number of records matching the filters, on all pages.")
    limit: int = Field(description="Page size used.")
    offset: int = Field(description="Number of records skipped before this page.")


def make_page(request: Request, response: Response, items: list[T], total: int,
              query: ListQuery) -> Page[T]:
    """The page envelope, with `Link` rel="next" (and "prev") headers where they apply."""
    links = []
    if query.offset + query.limit < total:
        url = request.url.include_query_params(offset=query.offset + query.limit,
                                               limit=query.limit)
        links.append(f'<{url}>; rel="next"')
    if query.offset > 0:
        url = request.url.include_query_params(offset=max(query.offset - query.limit, 0),
                                               limit=query.limit)
        links.append(f'<{url}>; rel="prev"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return Page[T](items=items, total=total, limit=query.limit, offset=query.offset)
