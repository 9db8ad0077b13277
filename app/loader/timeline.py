"""Derive the timeline from the loaded records: one entry per date of a record, rendered once.

Nothing here is curated: the entries are read back from the rows the build has just written
(through the same Public models the API serves), so a date lives in its record only.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, get_args

from sqlmodel import Session, SQLModel, select

from app import models as m
from app.models.timeline import TimelineCollection
from app.models.types import interval_of

Getter = Callable[[Any], Any]


@dataclass(frozen=True)
class TimelineSource:
    """How one collection's records become timeline entries."""

    table: type[SQLModel]
    public: type[SQLModel]
    fields: tuple[str, ...]  # its date fields ("period": period_start/period_end)
    title: Callable[[Any, str], str]  # (served record, field) -> title
    places: Callable[[Any], list[Any]]
    people: Callable[[Any], list[Any]]


def _figure(record: Any, what: str) -> str:
    value = "?" if record.value is None else f"{record.value:,.10g}"
    label = f", {record.period_label}" if record.period_label else ""
    return f"{what}{label}: {value} {record.unit}"


def _optional(item: Any) -> list[Any]:
    return [item] if item is not None else []


# API collection -> how its records are dated on the timeline (the keys are checked against
# TimelineCollection below, which is what the API's `collection` filter accepts).
SOURCES: dict[str, TimelineSource] = {
    "events": TimelineSource(
        m.Event,
        m.EventPublic,
        ("date",),
        lambda r, _f: r.title,
        lambda r: r.places,
        lambda r: r.people,
    ),
    "awards": TimelineSource(
        m.Award,
        m.AwardPublic,
        ("date",),
        lambda r, _f: f"{r.name} conferred on {r.recipient.name}",
        lambda r: _optional(r.place),
        lambda r: [r.recipient],
    ),
    "sister-cities": TimelineSource(
        m.SisterCity,
        m.SisterCityPublic,
        ("established",),
        lambda r, _f: (
            f"{r.side_a.name} and {r.side_b.name}: {r.tie_type.replace('_', ' ')} established"
        ),
        lambda r: [r.side_a, r.side_b],
        lambda _r: [],
    ),
    "projects": TimelineSource(
        m.Project,
        m.ProjectPublic,
        ("start_date", "completion_date"),
        lambda r, f: f"{r.name}: {'start' if f == 'start_date' else 'completion'}",
        lambda r: _optional(r.place),
        lambda _r: [],
    ),
    "trade-stats": TimelineSource(
        m.TradeStat,
        m.TradeStatPublic,
        ("period",),
        lambda r, _f: _figure(r, f"{r.metric.replace('_', ' ')} ({r.kind})"),
        lambda _r: [],
        lambda r: _optional(r.stated_by),
    ),
    "indicators": TimelineSource(
        m.Indicator,
        m.IndicatorPublic,
        ("period",),
        lambda r, _f: _figure(r, r.subject),
        lambda r: _optional(r.place),
        lambda _r: [],
    ),
}
assert set(SOURCES) == set(get_args(TimelineCollection)), "declare each timeline collection once"


def period_date(start: str | None, end: str | None) -> tuple[str, str, str, str] | None:
    """(date, precision, first day, last day) of a period of full dates: a whole year, month or
    day reads as that partial date, another period as an ISO 8601 interval start/end, and an
    open period as its one known day."""
    if start is None and end is None:
        return None
    if start is None or end is None:
        day = str(start or end)
        return day, "day", day, day
    for partial, precision in ((start[:4], "year"), (start[:7], "month"), (start, "day")):
        if interval_of(partial) == (start, end):
            return partial, precision, start, end
    return f"{start}/{end}", "day", start, end


def _entry_date(record: Any, field: str) -> dict[str, Any] | None:
    if field == "period":
        found = period_date(record.period_start, record.period_end)
        if found is None:
            return None
        date, precision, first, last = found
        basis, text = record.date_basis, record.date_text
    else:
        date = getattr(record, field)
        if date is None:
            return None
        precision = getattr(record, f"{field}_precision")
        first, last = getattr(record, f"{field}_start"), getattr(record, f"{field}_end")
        prefix = "date" if field == "date" else field
        basis, text = getattr(record, f"{prefix}_basis"), getattr(record, f"{prefix}_text")
    return {
        "date": date,
        "date_precision": precision,
        "date_basis": basis,
        "date_text": text,
        "date_start": first,
        "date_end": last,
    }


def timeline_rows(session: Session) -> Iterator[SQLModel]:
    """The timeline entries of the records in `session`'s database, then their links."""
    links: list[SQLModel] = []
    for collection, spec in SOURCES.items():
        for row in session.scalars(select(spec.table)).unique():
            record: Any = spec.public.model_validate(row)
            for field in spec.fields:
                dated = _entry_date(record, field)
                if dated is None:
                    continue
                entry_id = f"{collection}/{record.id}/{field}"
                places = spec.places(record)
                people = spec.people(record)
                public = m.TimelineEntryPublic(
                    id=entry_id,
                    collection=collection,
                    record_id=record.id,
                    field=field,
                    url=f"/v1/{collection}/{record.id}",
                    title=spec.title(record, field),
                    pair=getattr(record, "pair", None),
                    places=places,
                    people=people,
                    citations=record.citations,
                    **dated,
                )
                yield m.TimelineEntry(
                    id=entry_id,
                    document=public.model_dump_json(),
                    **public.model_dump(
                        include=set(m.TimelineEntry.model_fields) - {"id", "document"}
                    ),
                )
                for place_id in dict.fromkeys(p.id for p in places):
                    links.append(m.TimelinePlace(entry_id=entry_id, place_id=place_id))
                for person_id in dict.fromkeys(p.id for p in people):
                    links.append(m.TimelinePerson(entry_id=entry_id, person_id=person_id))
    yield from links
