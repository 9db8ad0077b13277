"""Checks of every date's basis: the vocabulary's rules, the verbatim phrase, the publication
date, and the resolution of phrases relative to the source's date (app.loader.relative).

The rules are those of data/README.md "Dates": a date that is not `stated` keeps its phrase in
`F_text`, which must occur in one of the record's excerpts; a `publication` date equals the
publication date (and precision) of the source that phrase is from; an `inferred` date is
explained in `notes`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.loader.relative import Unresolvable, resolve
from app.models.types import interval_of, precision_of

# Every date of data/ has its basis (issue 10): a dated record without one fails the build.
BASIS_REQUIRED = True


@dataclass(frozen=True)
class DateField:
    """One date of a record: the field holding it, its basis field and its phrase field."""

    name: str  # the partial date field, or "period" for period_start/period_end
    basis: str
    text: str | None  # None: the collection keeps no phrase (sources)

    def value(self, model: Any) -> Any:
        """The date (a partial ISO string), or the (start, end) period; None when undated."""
        if self.name == "period":
            period = (model.period_start, model.period_end)
            return None if period == (None, None) else period
        return getattr(model, self.name)


_DATE = DateField("date", "date_basis", "date_text")
_PERIOD = DateField("period", "date_basis", "date_text")

# YAML collection key -> its dates. Every date or period the dataset holds is listed here.
DATE_FIELDS: dict[str, tuple[DateField, ...]] = {
    "sources": (DateField("published", "published_basis", None),),
    "projects": (
        DateField("start_date", "start_date_basis", "start_date_text"),
        DateField("completion_date", "completion_date_basis", "completion_date_text"),
    ),
    "awards": (_DATE,),
    "trade_stats": (_PERIOD,),
    "indicators": (_PERIOD,),
    "sister_cities": (DateField("established", "established_basis", "established_text"),),
    "quotes": (_DATE,),
    "events": (_DATE,),
}

# Reports one problem: (line key, field name, message).
Report = Callable[[str, str, str], None]


@dataclass(frozen=True)
class SourceDate:
    """A source's publication date, which `publication` and `relative` dates refer to."""

    id: str
    published: str | None

    @property
    def precision(self) -> str:
        return precision_of(self.published)


def phrase_source(model: Any, phrase: str, sources: dict[str, SourceDate]) -> SourceDate | None:
    """The source of the first of the record's excerpts that contains `phrase`."""
    for citation in model.citations:
        if phrase in citation.excerpt and citation.source in sources:
            return sources[citation.source]
    return None


def check_record_dates(
    collection: str,
    model: Any,
    sources: dict[str, SourceDate],
    report: Report,
    required: bool = BASIS_REQUIRED,
) -> None:
    """Check each date of one record, reporting every problem."""
    for field in DATE_FIELDS.get(collection, ()):
        value = field.value(model)
        basis = getattr(model, field.basis)
        text = getattr(model, field.text) if field.text else None
        shown = field.name if field.name != "period" else "period_start/period_end"
        if value is None:
            for name, given in ((field.basis, basis), (field.text, text)):
                if given is not None and name is not None:
                    report(name, name, f"is set but {shown} is null; a basis needs a date")
            continue
        if basis is None:
            if required:
                report(field.basis, field.basis, f"required: how was {shown} obtained?")
            continue
        if field.text is None:
            if basis in ("publication", "relative"):
                report(
                    field.basis,
                    field.basis,
                    f"a source's own date cannot be {basis!r}; use stated or inferred",
                )
        elif basis != "stated" and not text:
            report(
                field.basis,
                field.text,
                f"required when {field.basis} is {basis!r}: the verbatim phrase giving the date",
            )
            continue
        if basis == "inferred" and not (model.notes or "").strip():
            report("notes", field.basis, "an inferred date needs notes saying how it was inferred")
        if field.text is None or not text:
            continue
        source = phrase_source(model, text, sources)
        if source is None and any(c.source not in sources for c in model.citations):
            continue  # a citation of a source that is invalid or unknown: reported there, once
        if source is None:
            report(field.text, field.text, f"{text!r} does not occur in any excerpt of this record")
        elif source.published is None and basis in ("publication", "relative"):
            report(field.basis, field.basis, f"source {source.id!r} has no publication date")
        elif basis == "publication":
            _check_publication(field, value, source, report)
        elif basis == "relative":
            _check_relative(field, value, text, source, report)


def _check_relative(
    field: DateField, value: Any, text: str, source: SourceDate, report: Report
) -> None:
    """Recompute the date the phrase gives from the source's date; refuse a different one."""
    assert source.published is not None
    try:
        resolved = resolve(text, source.published)
    except Unresolvable as exc:
        report(field.text or field.basis, field.text or field.basis, str(exc))
        return
    if resolved is None:
        return  # a phrase outside the grammar: the curator's resolution stands (README)
    against = f"{text!r} resolved against source {source.id!r} published {source.published}"
    if field.name == "period":
        first, last = resolved.interval
        start, end = value
        if end != last:
            report("period_end", "period_end", f"{against} ends on {last}, not {end}")
        # A phrase giving one date (a year-to-date figure's "this year") may leave the start
        # open; a phrase giving a period fixes both ends.
        if start != first and not (start is None and resolved.period is None):
            report("period_start", "period_start", f"{against} starts on {first}, not {start}")
        return
    if resolved.date != value:
        report(field.name, field.name, f"{against} gives {resolved}, not {value}")


def _check_publication(field: DateField, value: Any, source: SourceDate, report: Report) -> None:
    if source.published is None:
        report(field.basis, field.basis, f"source {source.id!r} has no publication date")
        return
    if field.name == "period":
        first, last = interval_of(source.published)
        start, end = value
        if end != last or start not in (None, first):
            report(
                "period_end",
                "period_end",
                f"date_basis publication: the period must end on {last}, the last day of source "
                f"{source.id!r}'s publication date {source.published} (and start on {first} or "
                f"be open), not {start}..{end}",
            )
        return
    if value != source.published:
        report(
            field.name,
            field.name,
            f"{field.basis} publication: must equal source {source.id!r}'s publication date "
            f"{source.published!r} ({source.precision}), not {value!r} ({precision_of(value)})",
        )
