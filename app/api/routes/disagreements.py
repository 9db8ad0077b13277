"""Routes of /v1/disagreements: facts on which sources state different values."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.examples import example, json_example
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import RecordId, SessionDep
from app.errors import NotFound
from app.queries.parameters import NoQuery
from app.services.disagreements import Disagreement, disagreements

router = APIRouter(prefix="/disagreements", tags=["disagreements"], responses=PROBLEM_RESPONSES)


@router.get(
    "",
    operation_id="list_disagreements",
    summary="List disagreements between sources",
    response_model=Page[Disagreement],
    responses=json_example("disagreements-page", example("disagreements")),
)
def read_disagreements(
    session: SessionDep, _query: Annotated[NoQuery, Query()]
) -> Page[Disagreement]:
    """Every fact on which sources disagree, each side with its citations, in one request."""
    items = disagreements(session)
    return Page[Disagreement](items=items, total=len(items), limit=len(items), offset=0)


@router.get(
    "/{id}",
    operation_id="get_disagreement",
    summary="Get a disagreement",
    response_model=Disagreement,
    responses=json_example("disagreements", example("disagreements")["items"][0]),
)
def read_disagreement(
    session: SessionDep, id: RecordId, _query: Annotated[NoQuery, Query()]
) -> Disagreement:
    """One disagreement with every claim."""
    for group in disagreements(session):
        if group.id == id:
            return group
    raise NotFound(f"No disagreement with id {id!r}.")
