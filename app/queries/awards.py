"""Queries on awards."""

from pydantic import Field
from sqlalchemy import select
from sqlmodel import Session

from app.models import Award
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

SORTABLE = {"id": Award.id, "date": Award.date, "name": Award.name,
            "recipient": Award.recipient_id}


class AwardQuery(ListQuery):
    """Filters of the award list."""

    recipient: Ref = Field(default=None, description="Person id of the recipient.")
    conferred_by_country: Text = Field(default=None, description="ISO code of the conferring "
                                       "country.")
    place: Ref = Field(default=None, description="Place id where it was conferred.")
    year_from: Year = Field(default=None, description="Conferred in or after this year.")
    year_to: Year = Field(default=None, description="Conferred in or before this year.")
    source: Ref = Field(default=None, description="Only awards citing this source id.")
    pair: Text = Field(default=None, description="Country pair, e.g. CN-KZ.")
    q: Text = Field(default=None, description="Text to find in the award's names or reason.")
    sort: Text = Field(default=None, description="Sort fields, '-' for descending: "
                       + ", ".join(SORTABLE))


def list_awards(session: Session, query: AwardQuery) -> tuple[list[Award], int]:
    """A filtered, sorted page of award conferrals."""
    statement = select(Award)
    if query.recipient:
        statement = statement.where(Award.recipient_id == query.recipient)
    if query.conferred_by_country:
        statement = statement.where(Award.conferred_by_country == query.conferred_by_country)
    if query.place:
        statement = statement.where(Award.place_id == query.place)
    statement = statement.where(*year_range(Award.date, query.year_from, query.year_to))
    if query.source:
        statement = statement.where(cited_in("award", Award.id, query.source))
    if query.pair:
        statement = statement.where(Award.pair == query.pair)
    if query.q:
        statement = statement.where(contains(query.q, Award.name, Award.local_name,
                                             Award.reason))
    order = order_by(query.sort, SORTABLE, [Award.date.desc()], Award.id)
    return fetch_page(session, statement, order, query)
