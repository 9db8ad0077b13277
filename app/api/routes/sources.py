"""Routes of /v1/sources beyond the list and the item: exact texts and the records citing
them."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import PlainTextResponse

from app.api.examples import example
from app.api.formats import (
    CSVResponse,
    format_responses,
    page_content,
    page_response,
    page_responses,
)
from app.api.pagination import Page
from app.api.records import RecordRef, record_refs
from app.deps import SessionDep, SourceDep
from app.errors import NotFound
from app.queries.parameters import NoQuery, with_format, without_format
from app.queries.records import CitingQuery
from app.queries.sources import source_text

# Mounted under /v1/sources beside the list and item routes (app/api/routes/collections.py).
router = APIRouter()


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


@router.get(
    "/{id}/records.csv",
    operation_id="list_source_records_csv",
    summary="List the records citing a source as CSV",
    response_class=CSVResponse,
    responses=format_responses(
        page_content("source-records", RecordRef, example("source-records")), "csv", "The page"
    ),
)
def read_source_records_csv(
    request: Request,
    session: SessionDep,
    source: SourceDep,
    query: Annotated[without_format(CitingQuery), Query()],  # type: ignore[valid-type]
) -> Response:
    """The records citing the source as CSV: the answer of `format=csv`, at a path of its own."""
    citing = with_format(CitingQuery, query, "csv")
    return page_response(request, RecordRef, citing, lambda q: record_refs(session, source.id, q))
