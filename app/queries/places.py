"""Queries on places."""

from pydantic import Field
from sqlalchemy import or_, select
from sqlmodel import Session

from app.models import Place
from app.queries.common import (
    ListQuery,
    ListResult,
    ListSpec,
    Ref,
    Text,
    cited_in,
    contains,
    run_list,
)

SORTABLE = {
    "id": Place.id,
    "name": Place.name,
    "kind": Place.kind,
    "country": Place.country,
    "region_code": Place.region_code,
}

SPEC = ListSpec(
    record_type="place",
    id_column=Place.id,
    sortable=SORTABLE,
    default_order=[Place.name],
    facets={"kind": Place.kind, "country": Place.country, "region": Place.region_code},
)


class PlaceQuery(ListQuery):
    """Filters of the place list."""

    kind: Text = Field(default=None, description="Kind of place (vocabulary `place_kind`).")
    country: Text = Field(default=None, description="ISO 3166-1 alpha-2 country.")
    region: Text = Field(default=None, description="ISO 3166-2 code, e.g. KZ-75.")
    parent: Ref = Field(default=None, description="Only places inside this place id.")
    source: Ref = Field(default=None, description="Only places named in this source id.")
    q: Text = Field(default=None, description="Text to find in name or aliases.")
    sort: Text = Field(
        default=None, description="Sort fields, '-' for descending: " + ", ".join(SORTABLE)
    )
    facet: Text = Field(
        default=None,
        description="Fields to count values of: " + ", ".join([*SPEC.facets, "source"]),
    )


def list_places(session: Session, query: PlaceQuery) -> ListResult:
    """A filtered, sorted page of places."""
    statement = select(Place)
    if query.kind:
        statement = statement.where(Place.kind == query.kind)
    if query.country:
        statement = statement.where(Place.country == query.country)
    if query.region:
        statement = statement.where(Place.region_code == query.region)
    if query.parent:
        statement = statement.where(Place.parent_id == query.parent)
    if query.source:
        statement = statement.where(cited_in("place", Place.id, query.source))
    if query.q:
        statement = statement.where(or_(contains(query.q, Place.name, Place.aliases)))
    return run_list(session, statement, query, SPEC)
