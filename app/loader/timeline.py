"""Derive the timeline from the loaded records: one entry per date of a record, rendered once.

Which collections are dated on the timeline, and how, is declared with each collection
(`Collection.timeline` in app/registry.py). Nothing here is curated: the entries are read back
from the rows the build has just written (through the same Public models the API serves), so
a date lives in its record only.
"""

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, SQLModel, select

from app import models as m
from app.loader.relative import Unresolvable, resolve
from app.models.types import interval_of
from app.registry import COLLECTIONS


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


_PRECISION = {4: "year", 7: "month", 10: "day"}


def _as_resolved(record: Any, sources: dict[str, Any]) -> tuple[str, str, str, str] | None:
    """(date, precision, first day, last day) of an open period (no start) that the text
    gives relative to a cited source's date ("so far", "as of February") or by that date
    itself (`publication`), as precisely as the phrase and the source's date allow: a count
    held "so far" in a source dated 2023 is dated 2023, not 2023-12-31 (the period's last
    day, which is all a period of full dates can store). None for any other period."""
    if record.period_start is not None or record.period_end is None:
        return None
    for citation in record.citations:
        source = sources.get(citation.source_id)
        if source is None:
            continue
        date: str | None = None
        if record.date_basis == "publication":
            date = source.published
        elif record.date_basis == "relative" and record.date_text:
            try:
                resolved = resolve(record.date_text, source.published)
            except Unresolvable:
                resolved = None
            date = resolved.date if resolved is not None else None
        if date is not None and interval_of(date)[1] == record.period_end:
            first, last = interval_of(date)
            assert first is not None and last is not None
            return date, _PRECISION[len(date)], first, last
    return None


def _entry_date(record: Any, field: str, sources: dict[str, Any]) -> dict[str, Any] | None:
    if field == "period":
        found = _as_resolved(record, sources) or period_date(record.period_start, record.period_end)
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
    sources = {source.id: source for source in session.scalars(select(m.Source))}
    for declared in COLLECTIONS:
        spec = declared.timeline
        if spec is None:
            continue
        collection = declared.path
        for row in session.scalars(select(declared.table)).unique():
            record: Any = declared.public.model_validate(row)
            for field in (date.name for date in declared.dates):
                dated = _entry_date(record, field, sources)
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
