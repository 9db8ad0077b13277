"""Queries on people."""

from pydantic import Field
from sqlmodel import col

from app.models import Person
from app.queries.compiled import Readable
from app.queries.listing import ListResult, ListSpec, every, run_list
from app.queries.parameters import (
    CitedQuery,
    CountryItem,
    Text,
    any_of,
    facet_choices,
    sort_choices,
)

SORTABLE = {"id": col(Person.id), "name": col(Person.name), "country": col(Person.country)}

SPEC = ListSpec(
    record_type="person",
    id_column=col(Person.id),
    sortable=SORTABLE,
    default_order=[col(Person.name)],
    facets={"country": col(Person.country)},
    equals={"country": col(Person.country)},
    text=(col(Person.name), col(Person.aliases), col(Person.description)),
)


class PersonQuery(CitedQuery):
    """Filters of the people list."""

    country: list[CountryItem] | None = any_of(
        "KZ", "Country: ISO 3166-1 alpha-2 code, upper case, e.g. KZ"
    )
    q: Text = Field(
        default=None, examples=["wind"], description="Text to find in name, aliases or description."
    )
    sort: list[str] | None = sort_choices(SORTABLE)
    facet: list[str] | None = facet_choices(SPEC)


def list_people(session: Readable, query: PersonQuery) -> ListResult:
    """A filtered, sorted page of people."""
    return run_list(session, every(Person), query, SPEC)
