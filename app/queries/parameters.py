"""The query parameters of lists and items: paging, format, sorting, facets and the filters
every cited collection shares. Unknown parameters are rejected."""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from app.models.types import DateBasis
from app.queries.errors import UnknownField
from app.queries.facets import SOURCE

if TYPE_CHECKING:
    from app.queries.listing import ListSpec

MAX_TEXT = 200
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Limits:
    """The page-size caps of one app (from its Settings): JSON pages, CSV/GeoJSON answers."""

    max_limit: int
    max_export_rows: int


class Parameters(BaseModel):
    """Query parameters of an endpoint: unknown ones are rejected, and comma-separated lists
    (sort, facet) are split and checked against their choices."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _check_choices(cls, data: Any) -> Any:
        """Split comma-separated lists; a value outside their choices is UnknownField."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name, info in cls.model_fields.items():
            choices = info.json_schema_extra
            if not isinstance(choices, Choices) or data.get(name) is None:
                continue
            values = _comma_separated(data[name])
            if isinstance(values, list):
                for value in values:
                    if value not in choices.values:
                        field = value.removeprefix("-") if isinstance(value, str) else value
                        raise UnknownField(name, str(field), list(choices.allowed))
            data[name] = values
        return data


def limit_description(max_limit: int, max_export_rows: int) -> str:
    """What `limit` means under these caps (the app's Settings; the OpenAPI document of an
    app states its own, app/api/openapi.py)."""
    return (
        f"Page size: 50 by default for JSON, whose pages hold at most {max_limit:,} (a larger "
        f"limit is reduced to {max_limit:,}; the envelope's `limit` is the size used). CSV and "
        f"GeoJSON return the whole filtered collection by default, up to {max_export_rows:,} "
        "records."
    )


class PageQuery(Parameters):
    """Paging and format, accepted by every list; unknown parameters are rejected."""

    limit: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        examples=[50],
        description=limit_description(500, 100_000),
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
        "takes any `sort`, and without one continues in the list's default order.",
    )
    format: Literal["json", "csv"] | None = Field(
        default=None,
        examples=["csv"],
        description="Representation: json (default) or csv. Overrides the Accept header.",
    )

    def resolved(self, fmt: str, limits: Limits) -> Self:
        """This query for the negotiated format: the default limit is a JSON page, or the
        whole filtered collection for CSV and GeoJSON; a limit above the format's cap is
        reduced to the cap (as GitHub does with per_page), and the JSON envelope's `limit`
        says so: every limit the schema allows means a page, whatever the format."""
        exporting = fmt in ("csv", "geojson")
        cap = limits.max_export_rows if exporting else limits.max_limit
        limit = self.limit
        if limit is None:
            limit = cap if exporting else DEFAULT_LIMIT
        return self.model_copy(update={"format": fmt, "limit": min(limit, cap)})

    @property
    def page_size(self) -> int:
        """The resolved limit."""
        return self.limit or DEFAULT_LIMIT


@dataclass(frozen=True)
class Choices:
    """The values a comma-separated list parameter allows (a Field's `json_schema_extra`):
    declared in OpenAPI as an array of enums with `explode: false`, checked by ListQuery.
    `allowed` is what a refusal lists (sort: the field names, each also with `-`)."""

    values: tuple[str, ...]
    allowed: tuple[str, ...]

    def __call__(self, schema: dict[str, Any]) -> None:
        schema.pop("anyOf", None)
        schema["anyOf"] = [
            {
                "type": "array",
                "items": {"type": "string", "enum": list(self.values)},
                "minItems": 1,
            },
            {"type": "null"},
        ]
        # app/api/openapi.py declares such a parameter `style: form, explode: false`.
        schema[COMMA_SEPARATED] = True


COMMA_SEPARATED = "x-comma-separated"


def sort_choices(sortable: Iterable[str], default: str = "") -> Any:
    """The `sort` Field of a list: each sortable field, ascending or (with `-`) descending."""
    names = list(sortable)
    values = tuple(value for name in names for value in (name, f"-{name}"))
    return Field(
        default=None,
        description="Sort fields, '-' for descending: " + ", ".join(names) + default,
        json_schema_extra=Choices(values, tuple(sorted(names))),
    )


def facet_choices(spec: "ListSpec") -> Any:
    """The `facet` Field of a list: the fields whose values it counts, and `source` where its
    records cite sources."""
    names = [*spec.facets, *([SOURCE] if spec.cited else [])]
    return Field(
        default=None,
        description="Fields to count values of (the JSON envelope's `facets`; a CSV or GeoJSON "
        "answer carries no counts): " + ", ".join(names),
        json_schema_extra=Choices(tuple(names), tuple(sorted(names))),
    )


def _comma_separated(value: Any) -> Any:
    """`a,b` and `a&a` alike: the list of the values (a bare string is one value)."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [
            part
            for item in value
            for part in (item.split(",") if isinstance(item, str) else [item])
        ]
    return value


class ListQuery(PageQuery):
    """Paging, sorting, facets and format, accepted by every collection's list."""

    after: str | None = Field(
        default=None,
        max_length=120,
        pattern=r"^[a-z0-9-]*$",
        description="Keyset cursor: the id of a record of this list (the last one you have), "
        'as `Link: rel="next"` carries it; the page continues after that record in the '
        "requested order, so deep pages cost as little as the first. An empty `after=` starts "
        "from the first record; an id that names no record is a 404; `offset` skips records "
        "after it.",
    )
    sort: list[str] | None = Field(
        default=None,
        description="Comma-separated fields to sort by; prefix a field with '-' for "
        "descending order. The allowed fields are listed per endpoint.",
        json_schema_extra=Choices((), ()),
    )
    facet: list[str] | None = Field(
        default=None,
        description="Comma-separated fields to count per value over the filtered set "
        "(JSON's `facets`); the allowed fields are listed per endpoint.",
        json_schema_extra=Choices((), ()),
    )


def any_of(example: str, what: str) -> Any:
    """A Field: a repeatable equality filter (`country=KZ&country=CN` means either)."""
    return Field(
        default=None,
        examples=[[example]],
        description=f"{what}; repeat the parameter for any of several.",
    )


# The vocabulary of data/vocabularies.yaml whose terms a filter takes (app/api/params.py).
VOCABULARY_KEY = "x-vocabulary"


def vocabulary(name: str, example: str, what: str) -> Any:
    """A Field: a repeatable filter on terms of the vocabulary `name` of data/vocabularies.yaml
    (the OpenAPI enum and the check of values are built from that file when the app is made)."""
    return Field(
        default=None,
        examples=[[example]],
        description=f"{what} (vocabulary `{name}`); repeat the parameter for any of several.",
        json_schema_extra={VOCABULARY_KEY: name},
    )


Year = Annotated[int | None, Field(ge=1000, le=9999, description="A year, e.g. 2023.")]
Text = Annotated[str | None, Field(min_length=1, max_length=MAX_TEXT)]
Ref = Annotated[str | None, Field(min_length=1, max_length=120, pattern=r"^[a-z0-9-]+$")]
# One value of a repeatable filter: text, a record id, an ISO 3166-1 alpha-2 country code
# (upper case, as the data holds them: app/models/types.py) or a pair of them.
TextItem = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
RefItem = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[a-z0-9-]+$")]
CountryItem = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
PairItem = Annotated[str, Field(pattern=r"^[A-Z]{2}-[A-Z]{2}$")]
RegionItem = Annotated[str, Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")]  # ISO 3166-2
PAIR_DOC = (
    "Country pair: two ISO 3166-1 alpha-2 codes, upper case, in alphabetical order and joined "
    "by a hyphen, e.g. CN-KZ"
)
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

    source: list[RefItem] | None = any_of(
        "sfc-2023-zhang-xiao", "Only records citing (or naming) this source id"
    )


class PairQuery(CitedQuery):
    """A list of bilateral records."""

    pair: list[PairItem] | None = any_of("CN-KZ", PAIR_DOC)


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


M = TypeVar("M", bound=BaseModel)


# Parameters that a path naming a CSV or GeoJSON representation does not take: the format
# is the path's, and facet counts live in the JSON envelope, which neither format has.
NOT_PER_FORMAT = ("format", "facet")


@cache
def without_format(query: type[BaseModel]) -> type[Parameters]:
    """The parameters of `query` but `format` and `facet`: those of a path that names its
    representation (`/v1/projects.csv`), where they are unknown parameters, refused like any
    other (made once per query model). The fields are `query`'s own (same checks,
    descriptions and order)."""
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in query.model_fields.items()
        if name not in NOT_PER_FORMAT
    }
    model: type[Parameters] = create_model(
        query.__name__.removesuffix("Query") + "ExportQuery",
        __base__=Parameters,
        __doc__=query.__doc__,
        **fields,
    )
    return model


def with_format(query: type[M], given: BaseModel, fmt: str) -> M:
    """`given` (checked by `without_format(query)`) as a `query` asking for `fmt`: what the
    negotiating route answers for `?format=<fmt>`, with the same values."""
    values = {name: getattr(given, name) for name in type(given).model_fields}
    return query.model_construct(
        _fields_set={*given.model_fields_set, "format"}, **values, format=fmt
    )
