"""Disagreements: the figures of several sources on one fact, grouped into one answer."""

from typing import cast

from pydantic import BaseModel, Field
from sqlmodel import Session

from app.models import IndicatorPublic, TradeStatPublic
from app.queries.disagreements import disagreeing_figures
from app.registry import COLLECTIONS

# Table -> collection, for the collections whose figures sources may contradict.
DISPUTABLE = {c.table: c for c in COLLECTIONS if c.disputable}


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


def disagreements(session: Session) -> list[Disagreement]:
    """Every fact on which sources disagree: its claims grouped, each with its citations, in
    the order of the facts' keys."""
    groups: dict[str, Disagreement] = {}
    for row in disagreeing_figures(session):
        collection = DISPUTABLE[type(row)]
        claim = cast(TradeStatPublic | IndicatorPublic, collection.to_public(row))
        key = row.disagreement_id or ""
        group = groups.setdefault(
            key,
            Disagreement(
                id=key,
                collection=collection.path,
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
