"""Routes of /v1/projects."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.pagination import Page, make_page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import ProjectDep, SessionDep
from app.models import ProjectPublic
from app.queries.projects import ProjectQuery, list_projects

router = APIRouter(prefix="/projects", tags=["projects"], responses=PROBLEM_RESPONSES)


@router.get("", summary="List projects", response_model=Page[ProjectPublic])
def read_projects(request: Request, response: Response, session: SessionDep,
                  query: Annotated[ProjectQuery, Query()]) -> Page[ProjectPublic]:
    """Cooperation projects and facilities, filtered, sorted and paged."""
    rows, total = list_projects(session, query)
    items = [ProjectPublic.model_validate(row) for row in rows]
    return make_page(request, response, items, total, query)


@router.get("/{id}", summary="Get a project", response_model=ProjectPublic)
def read_project(project: ProjectDep) -> ProjectPublic:
    """One project with its place, figures, partners and citations."""
    return ProjectPublic.model_validate(project)
