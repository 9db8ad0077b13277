"""Queries on places."""

from pydantic import Field
from sqlmodel import col

from app.models import Place
from app.queries.compiled import Readable
from app.queries.listing import ListResult, ListSpec, every, run_list
from app.queries.parameters import CitedQuery, GeoFormat, Ref, Text

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

    kind: Text = Field(
        default=None, examples=["city"], description="Kind of place (vocabulary `place_kind`)."
    )
    country: Text = Field(default=None, examples=["KZ"], description="ISO 3166-1 alpha-2 country.")
    region: Text = Field(
        default=None, examples=["KZ-31"], description="ISO 3166-2 code, e.g. KZ-75."
    )
    parent: Ref = Field(
        default=None, examples=["kazakhstan"], description="Only places inside this place id."
    )
    q: Text = Field(default=None, examples=["wind"], description="Text to find in name or aliases.")
    sort: Text = Field(
        default=None, description="Sort fields, '-' for descending: " + ", ".join(SORTABLE)
    )
    facet: Text = Field(
        default=None,
        description="Fields to count values of: " + ", ".join([*SPEC.facets, "source"]),
    )


def list_places(session: Readable, query: PlaceQuery) -> ListResult:
    """A filtered, sorted page of places."""
    return run_list(session, every(Place), query, SPEC)
