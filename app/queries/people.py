"""Queries on people."""

from pydantic import Field
from sqlmodel import col

from app.models import Person
from app.queries.compiled import Readable
from app.queries.listing import ListResult, ListSpec, every, run_list
from app.queries.parameters import CitedQuery, Text

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

    country: Text = Field(default=None, examples=["KZ"], description="ISO 3166-1 alpha-2 country.")
    q: Text = Field(
        default=None, examples=["wind"], description="Text to find in name, aliases or description."
    )
    sort: Text = Field(
        default=None, description="Sort fields, '-' for descending: " + ", ".join(SORTABLE)
    )
    facet: Text = Field(
        default=None,
        description="Fields to count values of: " + ", ".join([*SPEC.facets, "source"]),
    )


def list_people(session: Readable, query: PersonQuery) -> ListResult:
    """A filtered, sorted page of people."""
    return run_list(session, every(Person), query, SPEC)
