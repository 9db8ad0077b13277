"""Routes of /v1/people."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.formats import item_response, item_responses, list_response, list_responses
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import PersonDep, SessionDep
from app.models import PersonPublic
from app.queries.common import ItemQuery
from app.queries.people import PersonQuery, list_people

router = APIRouter(prefix="/people", tags=["people"], responses=PROBLEM_RESPONSES)


@router.get(
    "",
    operation_id="list_people",
    summary="List people",
    response_model=Page[PersonPublic],
    responses=list_responses("people", PersonPublic),
)
def read_people(
    request: Request, session: SessionDep, query: Annotated[PersonQuery, Query()]
) -> Response:
    """People named in the sources."""
    return list_response(request, PersonPublic, query, lambda q: list_people(session, q))


@router.get(
    "/{id}",
    operation_id="get_person",
    summary="Get a person",
    response_model=PersonPublic,
    responses=item_responses("people", PersonPublic),
)
def read_person(
    request: Request, person: PersonDep, query: Annotated[ItemQuery, Query()]
) -> Response:
    """One person with the excerpts that name them."""
    return item_response(request, PersonPublic, person, query)
