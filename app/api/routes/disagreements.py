"""Routes of /v1/disagreements: facts on which sources state different values."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.api.examples import example, json_example
from app.api.pagination import Page
from app.api.problems import PROBLEM_RESPONSES
from app.deps import RecordId, SessionDep
from app.errors import NotFound
from app.models import Indicator, IndicatorPublic, TradeStatPublic
from app.queries.common import NoQuery
from app.queries.disagreements import disagreeing_figures

router = APIRouter(prefix="/disagreements", tags=["disagreements"], responses=PROBLEM_RESPONSES)


class Disagreement(BaseModel):
    """One fact on which the sources disagree, with every claim and its citations."""

    id: str = Field(description="Key of the fact: curator fact_key, or metric, pair and period.")
    collection: str = Field(description="trade-stats or indicators.")
    metric: str = Field(description="The metric the claims are about.")
    values: list[float] = Field(description="The distinct values claimed.")
    sources: list[str] = Field(description="Ids of the sources making the claims.")
    claims: list[TradeStatPublic | IndicatorPublic] = Field(
        description="Each claim, with its citations."
    )


def _group(session: SessionDep) -> list[Disagreement]:
    groups: dict[str, Disagreement] = {}
    for row in disagreeing_figures(session):
        is_indicator = isinstance(row, Indicator)
        claim = (IndicatorPublic if is_indicator else TradeStatPublic).model_validate(row)
        key = row.disagreement_id or ""
        group = groups.setdefault(
            key,
            Disagreement(
                id=key,
                collection="indicators" if is_indicator else "trade-stats",
                metric=row.metric,
                values=[],
                sources=[],
                claims=[],
            ),
        )
        group.claims.append(claim)
        if row.value is not None and row.value not in group.values:
            group.values.append(row.value)
        for citation in claim.citations:
            if citation.source_id not in group.sources:
                group.sources.append(citation.source_id)
    return list(groups.values())


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
    items = _group(session)
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
    for group in _group(session):
        if group.id == id:
            return group
    raise NotFound(f"No disagreement with id {id!r}.")
