"""The SQLModel tables and their Public shapes; importing this registers every table."""

import app.models.metadata  # noqa: F401  (must run before any table is declared)
from app.models.award import Award, AwardPublic
from app.models.build_info import BuildInfo, RecordDigest
from app.models.citation import Citation, CitationPublic
from app.models.event import Event, EventPerson, EventPlace, EventProject, EventPublic
from app.models.indicator import Indicator, IndicatorPublic
from app.models.person import Person, PersonPublic, PersonSummary
from app.models.place import Place, PlacePublic, PlaceSummary
from app.models.project import Project, ProjectFigure, ProjectPartner, ProjectPublic
from app.models.quote import Quote, QuotePublic
from app.models.sister_city import SisterCity, SisterCityPublic
from app.models.source import (
    CreditPublic,
    Source,
    SourceCredit,
    SourcePublic,
    SourceSummary,
    SourceText,
)
from app.models.timeline import (
    TimelineEntry,
    TimelineEntryPublic,
    TimelinePerson,
    TimelinePlace,
)
from app.models.trade_stat import TradeStat, TradeStatPublic

__all__ = [
    "Award",
    "AwardPublic",
    "BuildInfo",
    "Citation",
    "CitationPublic",
    "CreditPublic",
    "Event",
    "EventPerson",
    "EventPlace",
    "EventProject",
    "EventPublic",
    "Indicator",
    "IndicatorPublic",
    "Person",
    "PersonPublic",
    "PersonSummary",
    "Place",
    "PlacePublic",
    "PlaceSummary",
    "Project",
    "ProjectFigure",
    "ProjectPartner",
    "ProjectPublic",
    "Quote",
    "QuotePublic",
    "RecordDigest",
    "SisterCity",
    "SisterCityPublic",
    "Source",
    "SourceCredit",
    "SourcePublic",
    "SourceSummary",
    "SourceText",
    "TimelineEntry",
    "TimelineEntryPublic",
    "TimelinePerson",
    "TimelinePlace",
    "TradeStat",
    "TradeStatPublic",
]
