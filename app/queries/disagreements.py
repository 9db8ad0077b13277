"""Queries on disagreements: groups of figures where sources state different values."""

from sqlalchemy import select
from sqlmodel import Session, col

from app.models import Indicator, TradeStat


def disagreeing_figures(session: Session) -> list[TradeStat | Indicator]:
    """Every trade statistic and indicator that belongs to a disagreement, grouped by it."""
    stats = session.scalars(select(TradeStat).where(col(TradeStat.disagreement_id).is_not(None)))
    indicators = session.scalars(
        select(Indicator).where(col(Indicator.disagreement_id).is_not(None))
    )
    rows: list[TradeStat | Indicator] = [*stats.unique(), *indicators.unique()]
    return sorted(rows, key=lambda row: (row.disagreement_id or "", row.id))
