"""The dataset as a Frictionless Data Package: /v1/datapackage.json and its CSV resources."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.api.examples import example, json_example, media_example
from app.api.problems import PROBLEM_RESPONSES
from app.deps import SessionDep
from app.errors import ServiceUnavailable
from app.export.package import Table, descriptor, tables
from app.queries.parameters import NoQuery

router = APIRouter(tags=["meta"], responses=PROBLEM_RESPONSES)


class DataPackage(BaseModel):
    """A Frictionless Tabular Data Package descriptor (https://specs.frictionlessdata.io/)."""

    model_config = ConfigDict(extra="allow")

    profile: str = Field(description="Always `tabular-data-package`.")
    name: str = Field(description="Package name.")
    title: str = Field(description="Package title.")
    description: str = Field(description="What the package holds.")
    version: str = Field(description="The dataset version (content hash of data/).")
    created: str = Field(description="UTC time of the build (ISO 8601).")
    licenses: list[dict[str, Any]] = Field(description="Licence of the data.")
    sources: list[dict[str, Any]] = Field(description="The source documents (title, URL).")
    contributors: list[dict[str, Any]] = Field(
        description="The curators, and the authors and people the sources credit."
    )
    resources: list[dict[str, Any]] = Field(
        description="One tabular resource per collection, the citations, the link tables and "
        "the vocabularies, each with its Table Schema; `path` is the URL of its CSV, relative "
        "to this document (a collection's is its `?format=csv` answer)."
    )


@router.get(
    "/datapackage.json",
    operation_id="get_datapackage",
    summary="Describe the dataset as a data package",
    response_model=DataPackage,
    responses=json_example("datapackage", example("datapackage")),
)
def read_datapackage(
    request: Request, session: SessionDep, _query: Annotated[NoQuery, Query()]
) -> Response:
    """The Frictionless Data Package of the served dataset: Table Schemas (typed fields,
    vocabularies as enums, primary and foreign keys) and, as each resource's path, the URL
    of its CSV relative to this document. `frictionless validate <url>` checks it all."""
    try:
        package = descriptor(session, request.app.state.settings, lambda table: table.served_at)
    except LookupError as error:
        raise ServiceUnavailable("The database holds no build.") from error
    body = DataPackage.model_validate(package).model_dump_json()
    return Response(body, media_type="application/json")


def _csv_route(table: Table) -> Callable[..., Response]:
    def read_table(
        request: Request, session: SessionDep, _query: Annotated[NoQuery, Query()]
    ) -> Response:
        body = table.csv(session, request.app.state.settings)
        return Response(body, media_type="text/csv; charset=utf-8")

    read_table.__doc__ = f"{table.description} As CSV: a resource of /v1/datapackage.json."
    return read_table


# The resources that are not a collection (a collection's CSV is its own `?format=csv`).
for _table in tables():
    if not _table.served_at.startswith("datapackage/"):
        continue
    _columns = ", ".join(f"`{c.name}` ({c.kind})" for c in _table.columns)
    router.add_api_route(
        f"/{_table.served_at}",
        _csv_route(_table),
        methods=["GET"],
        operation_id=f"get_datapackage_{_table.name.replace('-', '_')}",
        summary=f"Get the {_table.title.lower()} table of the data package",
        response_class=Response,
        responses={
            200: {
                "description": "CSV (RFC 4180, UTF-8, a header row).",
                "content": {
                    "text/csv": {
                        "schema": {"type": "string", "description": f"Columns: {_columns}."},
                        **media_example(
                            f"datapackage-{_table.name}-csv", example(f"datapackage-{_table.name}")
                        ),
                    }
                },
            }
        },
    )
