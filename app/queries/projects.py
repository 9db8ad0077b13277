"""Queries on projects."""

from typing import Any

from pydantic import Field
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from app.models import Place, Project
from app.queries.compiled import Readable
from app.queries.filters import year_of
from app.queries.listing import ListResult, ListSpec, run_list
from app.queries.parameters import (
    CountryItem,
    DateBases,
    GeoFormat,
    PairQuery,
    RefItem,
    RegionItem,
    Text,
    TextItem,
    Year,
    any_of,
    facet_choices,
    sort_choices,
    vocabulary,
)

SORTABLE = {
    "id": col(Project.id),
    "name": col(Project.name),
    "sector": col(Project.sector),
    "status": col(Project.status),
    "start_date": col(Project.start_date_start),
    "completion_date": col(Project.completion_date_start),
    "host_country": col(Project.host_country),
}

# The ISO 3166-2 region of a project: its place's own code, or else that of the region
# containing the place (a city inside an oblast has no code of its own).
_PARENT = aliased(Place)
region_of_place = (
    select(func.coalesce(col(Place.region_code), col(_PARENT.region_code)))
    .select_from(Place)
    .outerjoin(_PARENT, col(_PARENT.id) == col(Place.parent_id))
    .where(col(Place.id) == col(Project.place_id))
    .correlate(Project)
    .scalar_subquery()
)

SPEC = ListSpec(
    record_type="project",
    id_column=col(Project.id),
    sortable=SORTABLE,
    default_order=[col(Project.name)],
    facets={
        "sector": col(Project.sector),
        "status": col(Project.status),
        "host_country": col(Project.host_country),
        "place": col(Project.place_id),
        "region": region_of_place,
        "bri": col(Project.bri),
        "year": year_of(col(Project.completion_date)),
    },
    equals={
        "sector": col(Project.sector),
        "status": col(Project.status),
        "host_country": col(Project.host_country),
    },
    text=(col(Project.name), col(Project.aliases), col(Project.description)),
    # A project's span: from its start to its completion (either alone when the other is
    # unknown), so a project started in 2014 is found in 2014 whether or not it is complete.
    period=(
        func.coalesce(col(Project.start_date_start), col(Project.completion_date_start)),
        func.coalesce(col(Project.completion_date_end), col(Project.start_date_end)),
    ),
    bases=(
        (col(Project.start_date_basis), col(Project.start_date)),
        (col(Project.completion_date_basis), col(Project.completion_date)),
    ),
    pair=col(Project.pair),
)


class ProjectQuery(PairQuery):
    """Filters of the project list."""

    format: GeoFormat = None  # type: ignore[assignment]  # widened: geojson is served too

    sector: list[TextItem] | None = vocabulary("sector", "renewable_energy", "Sector")
    status: list[TextItem] | None = vocabulary("project_status", "operational", "Status")
    place: list[RefItem] | None = any_of(
        "zhambyl-region", "Place id: the project's place or the region containing it"
    )
    region: list[RegionItem] | None = any_of(
        "KZ-31",
        "ISO 3166-2 code (upper case) of the region the project's place is or lies in, e.g. KZ-31",
    )
    host_country: list[CountryItem] | None = any_of(
        "KZ", "Host country: ISO 3166-1 alpha-2 code, upper case, e.g. KZ"
    )
    bri: bool | None = Field(
        default=None,
        examples=[True],
        description="true: projects a source ties to the Belt and "
        "Road Initiative; false: those no source ties to it.",
    )
    year_from: Year = Field(
        default=None,
        examples=[2020],
        description="Projects whose span (start to completion, or either date alone) "
        "reaches this year or later.",
    )
    year_to: Year = Field(
        default=None,
        examples=[2024],
        description="Projects whose span (start to completion, or either date alone) "
        "reaches this year or earlier.",
    )
    date_basis: DateBases = None
    q: Text = Field(
        default=None, examples=["wind"], description="Text to find in name, aliases or description."
    )
    sort: list[str] | None = sort_choices(SORTABLE)
    facet: list[str] | None = facet_choices(SPEC)


def list_projects(session: Readable, query: ProjectQuery) -> ListResult:
    """A filtered, sorted page of projects and the number matching."""
    return run_list(session, project_statement, query, SPEC)


def project_statement(query: ProjectQuery) -> Select[Any]:
    """The projects that `query`'s own filters (place, region, bri) keep."""
    statement = select(Project)
    if query.place:
        statement = statement.join(Place, col(Place.id) == col(Project.place_id))
        if query.place:
            statement = statement.where(
                or_(col(Place.id).in_(query.place), col(Place.parent_id).in_(query.place))
            )
    if query.region:
        statement = statement.where(region_of_place.in_(query.region))
    if query.bri is not None:
        bri = col(Project.bri)
        statement = statement.where(
            bri.is_(True) if query.bri else or_(bri.is_(False), bri.is_(None))
        )
    return statement
