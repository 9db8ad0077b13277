"""Queries on sister-city ties."""

from typing import Any

from pydantic import Field
from sqlalchemy import Select, or_, select
from sqlmodel import col

from app.models import SisterCity
from app.queries.compiled import Readable
from app.queries.filters import year_of
from app.queries.listing import ListResult, ListSpec, run_list
from app.queries.parameters import (
    DateBases,
    GeoFormat,
    PairQuery,
    RefItem,
    TextItem,
    Year,
    any_of,
    facet_choices,
    sort_choices,
    vocabulary,
)

SORTABLE = {
    "id": col(SisterCity.id),
    "established": col(SisterCity.established_start),
    "tie_type": col(SisterCity.tie_type),
}

SPEC = ListSpec(
    record_type="sister_city",
    id_column=col(SisterCity.id),
    sortable=SORTABLE,
    default_order=[col(SisterCity.established_start)],
    facets={
        "tie_type": col(SisterCity.tie_type),
        "side_a": col(SisterCity.side_a_id),
        "side_b": col(SisterCity.side_b_id),
        "year": year_of(col(SisterCity.established)),
    },
    equals={"tie_type": col(SisterCity.tie_type)},
    period=(col(SisterCity.established_start), col(SisterCity.established_end)),
    bases=((col(SisterCity.established_basis), col(SisterCity.established)),),
    pair=col(SisterCity.pair),
)


class SisterCityQuery(PairQuery):
    """Filters of the sister-city list."""

    format: GeoFormat = None  # type: ignore[assignment]  # widened: geojson is served too

    place: list[RefItem] | None = any_of("zhambyl-region", "Place id on either side of the tie")
    tie_type: list[TextItem] | None = vocabulary("tie_type", "sister_cities", "Type of tie")
    year_from: Year = Field(
        default=None, examples=[2020], description="Established in or after this year."
    )
    year_to: Year = Field(
        default=None, examples=[2024], description="Established in or before this year."
    )
    date_basis: DateBases = None
    sort: list[str] | None = sort_choices(SORTABLE)
    facet: list[str] | None = facet_choices(SPEC)


def list_sister_cities(session: Readable, query: SisterCityQuery) -> ListResult:
    """A filtered, sorted page of sister-city ties."""
    return run_list(session, sister_city_statement, query, SPEC)


def sister_city_statement(query: SisterCityQuery) -> Select[Any]:
    """The ties that `query`'s own filter (place, on either side) keeps."""
    statement = select(SisterCity)
    if query.place:
        statement = statement.where(
            or_(
                col(SisterCity.side_a_id).in_(query.place),
                col(SisterCity.side_b_id).in_(query.place),
            )
        )
    return statement
