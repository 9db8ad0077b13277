"""Routes of /v1/projects."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.formats import (
    item_response,
    item_responses,
    list_response,
    list_responses,
    record_point,
)
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import ProjectDep, SessionDep
from app.models import ProjectPublic
from app.queries.common import GeoItemQuery
from app.queries.projects import ProjectQuery, list_projects

router = APIRouter(prefix="/projects", tags=["projects"], responses=PROBLEM_RESPONSES)


@router.get(
    "",
    operation_id="list_projects",
    summary="List projects",
    response_model=Page[ProjectPublic],
    responses=list_responses("projects", ProjectPublic, record_point),
)
def read_projects(
    request: Request, session: SessionDep, query: Annotated[ProjectQuery, Query()]
) -> Response:
    """Cooperation projects and facilities, filtered, sorted and paged."""
    return list_response(
        request, ProjectPublic, query, lambda q: list_projects(session, q), record_point
    )


@router.get(
    "/{id}",
    operation_id="get_project",
    summary="Get a project",
    response_model=ProjectPublic,
    responses=item_responses("projects", ProjectPublic, record_point),
)
def read_project(
    request: Request, project: ProjectDep, query: Annotated[GeoItemQuery, Query()]
) -> Response:
    """One project with its place, figures, partners and citations."""
    return item_response(request, ProjectPublic, project, query, record_point)
