"""Queries on quotes."""

from pydantic import Field
from sqlalchemy import select
from sqlmodel import Session

from app.models import Quote
from app.queries.common import (
    ListQuery,
    Ref,
    Text,
    Year,
    cited_in,
    contains,
    fetch_page,
    order_by,
    year_range,
)

SORTABLE = {"id": Quote.id, "date": Quote.date, "speaker": Quote.speaker_id}


class QuoteQuery(ListQuery):
    """Filters of the quote list."""

    speaker: Ref = Field(default=None, description="Person id of the speaker.")
    year_from: Year = Field(default=None, description="Said in or after this year.")
    year_to: Year = Field(default=None, description="Said in or before this year.")
    source: Ref = Field(default=None, description="Only quotes citing this source id.")
    pair: Text = Field(default=None, description="Country pair, e.g. CN-KZ.")
    q: Text = Field(default=None, description="Text to find in the quote or its context.")
    sort: Text = Field(default=None, description="Sort fields, '-' for descending: "
                       + ", ".join(SORTABLE))


def list_quotes(session: Session, query: QuoteQuery) -> tuple[list[Quote], int]:
    """A filtered, sorted page of quotes."""
    statement = select(Quote)
    if query.speaker:
        statement = statement.where(Quote.speaker_id == query.speaker)
    statement = statement.where(*year_range(Quote.date, query.year_from, query.year_to))
    if query.source:
        statement = statement.where(cited_in("quote", Quote.id, query.source))
    if query.pair:
        statement = statement.where(Quote.pair == query.pair)
    if query.q:
        statement = statement.where(contains(query.q, Quote.text, Quote.context))
    order = order_by(query.sort, SORTABLE, [Quote.speaker_id], Quote.id)
    return fetch_page(session, statement, order, query)
