"""Routes of /v1/people."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.pagination import Page, make_page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import PersonDep, SessionDep
from app.models import PersonPublic
from app.queries.people import PersonQuery, list_people

router = APIRouter(prefix="/people", tags=["people"], responses=PROBLEM_RESPONSES)


@router.get("", summary="List people", response_model=Page[PersonPublic])
def read_people(request: Request, response: Response, session: SessionDep,
                query: Annotated[PersonQuery, Query()]) -> Page[PersonPublic]:
    """People named in the sources."""
    rows, total = list_people(session, query)
    items = [PersonPublic.model_validate(row) for row in rows]
    return make_page(request, response, items, total, query)


@router.get("/{id}", summary="Get a person", response_model=PersonPublic)
def read_person(person: PersonDep) -> PersonPublic:
    """One person with the excerpts that name them."""
    return PersonPublic.model_validate(person)
