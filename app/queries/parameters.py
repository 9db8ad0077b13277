"""The query parameters of lists and items: paging, format, sorting, facets and the filters
every cited collection shares. Unknown parameters are rejected."""

from dataclasses import dataclass
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from app.models.types import DateBasis
from app.queries.errors import LimitTooLarge

MAX_TEXT = 200
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Limits:
    """The page-size caps of one app (from its Settings): JSON pages, CSV/GeoJSON answers."""

    max_limit: int
    max_export_rows: int


class PageQuery(BaseModel):
    """Paging and format, accepted by every list; unknown parameters are rejected."""

    model_config = ConfigDict(extra="forbid")

    limit: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        examples=[50],
        description="Page size: 50 by default, at most 500 for JSON. CSV and GeoJSON return "
        "the whole filtered collection by default (up to 100,000 records).",
    )
    offset: int = Field(
        default=0, ge=0, le=10_000_000, examples=[0], description="Records to skip."
    )
    after: str | None = Field(
        default=None,
        max_length=400,
        description='Keyset cursor (from a `Link: rel="next"` header): continue after the '
        "record it names instead of skipping `offset` records, so deep pages cost as little "
        "as the first. Send an empty `after=` for the first page. On a collection's list it "
        "works with at most one sort field (without `sort`, records come in id order).",
    )
    format: Literal["json", "csv"] | None = Field(
        default=None,
        examples=["csv"],
        description="Representation: json (default) or csv. Overrides the Accept header.",
    )

    def resolved(self, fmt: str, limits: Limits) -> Self:
        """This query for the negotiated format: the default limit is a JSON page, or the
        whole filtered collection for CSV and GeoJSON; a limit above the format's cap is
        LimitTooLarge."""
        exporting = fmt in ("csv", "geojson")
        cap = limits.max_export_rows if exporting else limits.max_limit
        limit = self.limit
        if limit is None:
            limit = cap if exporting else min(DEFAULT_LIMIT, cap)
        elif limit > cap:
            raise LimitTooLarge(cap, fmt)
        return self.model_copy(update={"format": fmt, "limit": limit})

    @property
    def page_size(self) -> int:
        """The resolved limit."""
        return self.limit or DEFAULT_LIMIT


class ListQuery(PageQuery):
    """Paging, sorting, facets and format, accepted by every collection's list."""

    sort: str | None = Field(
        default=None,
        max_length=MAX_TEXT,
        description="Comma-separated fields to sort by; prefix a field with '-' for "
        "descending order. The allowed fields are listed per endpoint.",
    )
    facet: str | None = Field(
        default=None,
        max_length=MAX_TEXT,
        description="Comma-separated fields to count per value over the filtered set "
        "(JSON only); the allowed fields are listed per endpoint.",
    )


Year = Annotated[int | None, Field(ge=1000, le=9999, description="A year, e.g. 2023.")]
Text = Annotated[str | None, Field(min_length=1, max_length=MAX_TEXT)]
Ref = Annotated[str | None, Field(min_length=1, max_length=120, pattern=r"^[a-z0-9-]+$")]
DateBases = Annotated[
    list[DateBasis] | None,
    Field(
        examples=[["stated"]],
        description="Only records whose every date has one of these bases (repeatable: "
        "`date_basis=stated&date_basis=relative`): stated, relative, publication, inferred. "
        "Records without a date, or whose date has no basis yet, are left out.",
    ),
]


class CitedQuery(ListQuery):
    """A list of records that cite sources, and may belong to a country pair."""

    source: Ref = Field(
        default=None,
        examples=["sfc-2023-zhang-xiao"],
        description="Only records citing (or naming) this source id.",
    )


class PairQuery(CitedQuery):
    """A list of bilateral records."""

    pair: Text = Field(
        default=None,
        examples=["CN-KZ"],
        description="Country pair: two ISO 3166-1 alpha-2 codes in alphabetical order, e.g. CN-KZ.",
    )


class FigureQuery(PairQuery):
    """A list of stated figures, which sources may contradict."""

    disputed: bool | None = Field(
        default=None,
        examples=[True],
        description="true: only figures another source contradicts; false: only uncontested ones.",
    )


GeoFormat = Annotated[
    Literal["json", "csv", "geojson"] | None,
    Field(
        examples=["geojson"],
        description="Representation: json (default), csv, or geojson (a FeatureCollection "
        "for a list, a Feature for one record). Overrides the Accept header.",
    ),
]


class ItemQuery(BaseModel):
    """The representation of one record; unknown parameters are rejected."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["json", "csv"] | None = Field(
        default=None,
        examples=["json"],
        description="Representation: json (default) or csv (one row). Overrides the Accept header.",
    )


class GeoItemQuery(ItemQuery):
    """The representation of one record that has coordinates."""

    format: GeoFormat = None  # type: ignore[assignment]  # widened: geojson is served too


class NoQuery(BaseModel):
    """An endpoint that takes no query parameters; any is rejected."""

    model_config = ConfigDict(extra="forbid")
