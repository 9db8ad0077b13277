"""Queries on quotes."""

from pydantic import Field
from sqlmodel import col

from app.models import Quote
from app.queries.compiled import Readable
from app.queries.filters import year_of
from app.queries.listing import ListResult, ListSpec, every, run_list
from app.queries.parameters import (
    DateBases,
    PairQuery,
    RefItem,
    Text,
    Year,
    any_of,
    facet_choices,
    sort_choices,
)

SORTABLE = {"id": col(Quote.id), "date": col(Quote.date_start), "speaker": col(Quote.speaker_id)}

SPEC = ListSpec(
    record_type="quote",
    id_column=col(Quote.id),
    sortable=SORTABLE,
    default_order=[col(Quote.speaker_id)],
    facets={"speaker": col(Quote.speaker_id), "year": year_of(col(Quote.date))},
    equals={"speaker": col(Quote.speaker_id)},
    text=(col(Quote.text), col(Quote.context)),
    period=(col(Quote.date_start), col(Quote.date_end)),
    bases=((col(Quote.date_basis), col(Quote.date)),),
    pair=col(Quote.pair),
)


class QuoteQuery(PairQuery):
    """Filters of the quote list."""

    speaker: list[RefItem] | None = any_of("zhang-xiao", "Person id of the speaker")
    year_from: Year = Field(
        default=None, examples=[2020], description="Said in or after this year."
    )
    year_to: Year = Field(default=None, examples=[2024], description="Said in or before this year.")
    date_basis: DateBases = None
    q: Text = Field(
        default=None, examples=["wind"], description="Text to find in the quote or its context."
    )
    sort: list[str] | None = sort_choices(SORTABLE)
    facet: list[str] | None = facet_choices(SPEC)


def list_quotes(session: Readable, query: QuoteQuery) -> ListResult:
    """A filtered, sorted page of quotes."""
    return run_list(session, every(Quote), query, SPEC)
