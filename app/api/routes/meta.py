"""Routes about the service itself: /v1/meta, /healthz and /readyz."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from app.api.examples import example, json_example
from app.deps import SessionDep
from app.errors import ServiceUnavailable
from app.queries.common import NoQuery
from app.queries.meta import build_info, counts

router = APIRouter(tags=["meta"])
health_router = APIRouter(tags=["health"])


class Meta(BaseModel):
    """What dataset is served and how big it is."""

    dataset_version: str = Field(
        description="Content hash of data/; changes with any edit.", examples=["3f2a9c0d1b7e4a55"]
    )
    built_at: str = Field(
        description="UTC time of the build (ISO 8601).", examples=["2026-11-25T14:00:00+00:00"]
    )
    licence: str = Field(description="Licence of the data.")
    counts: dict[str, int] = Field(
        description="Number of records per collection.", examples=[{"projects": 24, "awards": 3}]
    )


class Health(BaseModel):
    """Liveness or readiness."""

    status: str = Field(description="ok when the check passes.", examples=["ok"])
    dataset_version: str | None = Field(default=None, description="Version being served.")


@router.get(
    "/meta",
    operation_id="get_meta",
    summary="Describe the dataset",
    response_model=Meta,
    responses=json_example("meta", example("meta")),
)
def read_meta(request: Request, session: SessionDep, _query: Annotated[NoQuery, Query()]) -> Meta:
    """Dataset version, build time, licence and counts per collection."""
    info = build_info(session)
    if info is None:
        raise ServiceUnavailable("The database holds no build.")
    return Meta(
        dataset_version=info.dataset_version,
        built_at=info.built_at,
        licence=request.app.state.settings.licence,
        counts=counts(session),
    )


@health_router.get(
    "/healthz",
    operation_id="get_health",
    summary="Liveness",
    response_model=Health,
    responses=json_example(
        "health", {"status": "ok", "dataset_version": example("meta")["dataset_version"]}
    ),
)
def healthz(request: Request) -> Health:
    """The process is up and answering; the dataset version it serves, when the database
    can be read (null otherwise: liveness does not depend on the database)."""
    database = getattr(request.app.state, "database", None)
    if database is not None:
        database.refresh()
    return Health(status="ok", dataset_version=database.version if database else None)


@health_router.get(
    "/readyz",
    operation_id="get_readiness",
    summary="Readiness",
    response_model=Health,
    responses={
        **json_example(
            "readiness", {"status": "ok", "dataset_version": example("meta")["dataset_version"]}
        ),
        503: {"description": "The database is not ready."},
    },
)
def readyz(session: SessionDep) -> Health:
    """The database is open and its dataset version is known."""
    try:
        info = build_info(session)
    except Exception as exc:
        raise ServiceUnavailable("The database cannot be read.") from exc
    if info is None:
        raise ServiceUnavailable("The database holds no build.")
    return Health(status="ok", dataset_version=info.dataset_version)
