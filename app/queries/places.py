"""Queries on places."""

from pydantic import Field
from sqlmodel import col

from app.models import Place
from app.queries.compiled import Readable
from app.queries.listing import ListResult, ListSpec, every, run_list
from app.queries.parameters import (
    CitedQuery,
    CountryItem,
    GeoFormat,
    RefItem,
    RegionItem,
    Text,
    TextItem,
    any_of,
    facet_choices,
    sort_choices,
    vocabulary,
)

SORTABLE = {
    "id": col(Place.id),
    "name": col(Place.name),
    "kind": col(Place.kind),
    "country": col(Place.country),
    "region_code": col(Place.region_code),
}

SPEC = ListSpec(
    record_type="place",
    id_column=col(Place.id),
    sortable=SORTABLE,
    default_order=[col(Place.name)],
    facets={
        "kind": col(Place.kind),
        "country": col(Place.country),
        "region": col(Place.region_code),
    },
    equals={
        "kind": col(Place.kind),
        "country": col(Place.country),
        "region": col(Place.region_code),
        "parent": col(Place.parent_id),
    },
    text=(col(Place.name), col(Place.aliases)),
)


class PlaceQuery(CitedQuery):
    """Filters of the place list."""

    format: GeoFormat = None  # type: ignore[assignment]  # widened: geojson is served too

    kind: list[TextItem] | None = vocabulary("place_kind", "city", "Kind of place")
    country: list[CountryItem] | None = any_of(
        "KZ", "Country: ISO 3166-1 alpha-2 code, upper case, e.g. KZ"
    )
    region: list[RegionItem] | None = any_of("KZ-31", "ISO 3166-2 code, upper case, e.g. KZ-75")
    parent: list[RefItem] | None = any_of("kazakhstan", "Only places inside this place id")
    q: Text = Field(default=None, examples=["wind"], description="Text to find in name or aliases.")
    sort: list[str] | None = sort_choices(SORTABLE)
    facet: list[str] | None = facet_choices(SPEC)


def list_places(session: Readable, query: PlaceQuery) -> ListResult:
    """A filtered, sorted page of places."""
    return run_list(session, every(Place), query, SPEC)
