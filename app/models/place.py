"""Places: countries, regions and cities that records point to."""

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.models.citation import Citation, CitationPublic, cited_by
from app.models.types import CountryCode, RegionCode, Slug


class PlaceBase(SQLModel):
    """Facts about a place; coordinates are gazetteer facts supplied by the curator."""

    name: str = Field(index=True, description="English name.")
    aliases: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Other names or spellings.",
    )
    kind: str = Field(index=True, description="Kind of place (vocabulary `place_kind`).")
    country: CountryCode | None = Field(
        default=None,
        index=True,
        description="Country (ISO 3166-1 alpha-2); null for a place that is not in one "
        "present-day country.",
    )
    region_code: RegionCode | None = Field(
        default=None,
        index=True,
        description="ISO 3166-2 code of the place itself, where it has one (first-level "
        "subdivisions and cities of that rank, e.g. KZ-75 Almaty); null otherwise.",
    )
    lat: float | None = Field(default=None, ge=-90, le=90, description="Latitude (WGS 84).")
    lon: float | None = Field(default=None, ge=-180, le=180, description="Longitude (WGS 84).")
    coord_precision: str | None = Field(
        default=None,
        description="What the coordinates stand for, e.g. 'city centroid'.",
    )
    notes: str | None = Field(default=None, description="Curator notes.")


class Place(PlaceBase, table=True):
    """A place named in at least one source."""

    id: Slug = Field(primary_key=True, description="Stable slug of the place.")
    parent_id: str | None = Field(default=None, foreign_key="place.id", index=True)
    citations: list[Citation] = cited_by("place", "Place", lazy="select")


class PlaceSummary(SQLModel):
    """The few facts of a place that a record embeds."""

    id: str = Field(description="Stable slug of the place.")
    name: str = Field(description="English name.")
    kind: str = Field(description="Kind of place.")
    country: str | None = Field(default=None, description="Country (ISO 3166-1 alpha-2).")
    region_code: str | None = Field(default=None, description="ISO 3166-2 code, where one exists.")
    lat: float | None = Field(default=None, description="Latitude (curator gazetteer).")
    lon: float | None = Field(default=None, description="Longitude (curator gazetteer).")


class PlacePublic(PlaceBase):
    """A place as served, with where the sources name it."""

    id: str = Field(description="Stable slug of the place.")
    parent_id: str | None = Field(default=None, description="Id of the containing place.")
    coord_source: str = Field(
        default="curator gazetteer",
        description="Coordinates are gazetteer facts supplied by the curator, not source claims.",
    )
    citations: list[CitationPublic] = Field(description="Excerpts naming the place.")
