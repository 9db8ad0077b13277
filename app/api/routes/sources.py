"""Routes of /v1/sources: bibliographic facts, exact texts and the records citing them."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import PlainTextResponse

from app.api.examples import example
from app.api.formats import (
    item_response,
    item_responses,
    list_response,
    list_responses,
    page_response,
    page_responses,
)
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.api.records import RecordRef, record_refs
from app.deps import SessionDep, SourceDep
from app.errors import NotFound
from app.models import Source, SourcePublic
from app.queries.common import ItemQuery, ListResult, NoQuery
from app.queries.sources import CitingQuery, SourceQuery, list_sources, source_text

router = APIRouter(prefix="/sources", tags=["sources"], responses=PROBLEM_RESPONSES)


def _public(source: Source) -> SourcePublic:
    return SourcePublic.model_validate(source, update={"text_url": f"/v1/sources/{source.id}/text"})


def _public_page(session: SessionDep, query: SourceQuery) -> ListResult:
    result = list_sources(session, query)
    result.rows = [_public(row) for row in result.rows]
    return result


@router.get(
    "",
    operation_id="list_sources",
    summary="List sources",
    response_model=Page[SourcePublic],
    responses=list_responses("sources", SourcePublic),
)
def read_sources(
    request: Request, session: SessionDep, query: Annotated[SourceQuery, Query()]
) -> Response:
    """The source documents every record is drawn from."""
    return list_response(request, SourcePublic, query, lambda q: _public_page(session, q))


@router.get(
    "/{id}",
    operation_id="get_source",
    summary="Get a source",
    response_model=SourcePublic,
    responses=item_responses("sources", SourcePublic),
)
def read_source(
    request: Request, source: SourceDep, query: Annotated[ItemQuery, Query()]
) -> Response:
    """One source's bibliographic facts (its text is at /v1/sources/{id}/text)."""
    return item_response(request, SourcePublic, _public(source), query)


@router.get(
    "/{id}/text",
    operation_id="get_source_text",
    summary="Get a source's exact text",
    response_class=PlainTextResponse,
    responses={
        200: {
            "content": {"text/plain": {"example": "Chinese 'Friendship Award' ..."}},
            "description": "The stored text, byte for byte (UTF-8).",
        }
    },
)
def read_source_text(
    session: SessionDep, source: SourceDep, _query: Annotated[NoQuery, Query()]
) -> PlainTextResponse:
    """The stored text: citation offsets index into it (`text[start:end] == excerpt`)."""
    text = source_text(session, source.id)
    if text is None:
        raise NotFound(f"The text of source {source.id!r} is not available.")
    return PlainTextResponse(text, media_type="text/plain; charset=utf-8")


@router.get(
    "/{id}/records",
    operation_id="list_source_records",
    summary="List the records citing a source",
    response_model=Page[RecordRef],
    responses=page_responses("source-records", RecordRef, example("source-records")),
)
def read_source_records(
    request: Request,
    session: SessionDep,
    source: SourceDep,
    query: Annotated[CitingQuery, Query()],
) -> Response:
    """Every record that cites the source, in the order of its first excerpt in the text."""
    return page_response(request, RecordRef, query, lambda q: record_refs(session, source.id, q))
