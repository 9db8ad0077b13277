"""Queries on awards."""

from pydantic import Field
from sqlmodel import col

from app.models import Award
from app.queries.compiled import Readable
from app.queries.filters import year_of
from app.queries.listing import ListResult, ListSpec, every, run_list
from app.queries.parameters import (
    CountryItem,
    DateBases,
    PairQuery,
    RefItem,
    Text,
    Year,
    any_of,
    facet_choices,
    sort_choices,
)

SORTABLE = {
    "id": col(Award.id),
    "date": col(Award.date_start),
    "name": col(Award.name),
    "recipient": col(Award.recipient_id),
}

SPEC = ListSpec(
    record_type="award",
    id_column=col(Award.id),
    sortable=SORTABLE,
    default_order=[col(Award.date_start).desc()],
    facets={
        "conferred_by_country": col(Award.conferred_by_country),
        "recipient": col(Award.recipient_id),
        "place": col(Award.place_id),
        "name": col(Award.name),
        "year": year_of(col(Award.date)),
    },
    equals={
        "recipient": col(Award.recipient_id),
        "conferred_by_country": col(Award.conferred_by_country),
        "place": col(Award.place_id),
    },
    text=(col(Award.name), col(Award.local_name), col(Award.reason)),
    period=(col(Award.date_start), col(Award.date_end)),
    bases=((col(Award.date_basis), col(Award.date)),),
    pair=col(Award.pair),
)


class AwardQuery(PairQuery):
    """Filters of the award list."""

    recipient: list[RefItem] | None = any_of("xi-jinping", "Person id of the recipient")
    conferred_by_country: list[CountryItem] | None = any_of(
        "KZ", "Conferring country: ISO 3166-1 alpha-2 code, upper case, e.g. KZ"
    )
    place: list[RefItem] | None = any_of("zhambyl-region", "Place id where it was conferred")
    year_from: Year = Field(
        default=None, examples=[2020], description="Conferred in or after this year."
    )
    year_to: Year = Field(
        default=None, examples=[2024], description="Conferred in or before this year."
    )
    date_basis: DateBases = None
    q: Text = Field(
        default=None, examples=["wind"], description="Text to find in the award's names or reason."
    )
    sort: list[str] | None = sort_choices(SORTABLE)
    facet: list[str] | None = facet_choices(SPEC)


def list_awards(session: Readable, query: AwardQuery) -> ListResult:
    """A filtered, sorted page of award conferrals."""
    return run_list(session, every(Award), query, SPEC)
