"""Resolution of dates the sources give relative to their own date ("last November").

A small grammar rather than a library: dateparser's `RELATIVE_BASE` resolves "last year" or
"in 2 years" to a full datetime (it invents the day and month of the base), does not keep the
precision the phrase has, and returns nothing for "last November", "<Month> this year" or a
month range (dateparser 1.5.0); these seven
forms, and the "between" and "since" variants of the month forms (data/README.md "Relative
dates"), are all the sources use. Each resolves against the
publication date of the source the phrase is from, to a partial ISO date (its precision being
the phrase's) or to a period of full dates:

| form | published 2024-06 gives |
| --- | --- |
| this / last / next year | 2024 / 2023 / 2025 |
| last <Month> | the latest such month before the publication month: last November -> 2023-11 |
| <Month> (of) this year; <Month>-<Month> (of) this year | 2024-05; 2024-01-01..2024-05-31 |
| between <Month> and <Month> (of) this year | 2024-01-01..2024-05-31 (January and May) |
| since <Month> (of) this year | since March: 2024-03-01..2024-06-30 (to the publication) |
| <Month> <day>(,) this year | May 17, this year -> 2024-05-17 |
| in N years (digits or one..ten) | in two years -> 2026 |
| from <Month> <day> last year to <Month> this year | 2023-09-01..2024-05-31 |
"""

import datetime as dt
import re
from dataclasses import dataclass

from app.models.types import interval_of

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
NUMBERS = {
    word: n
    for n, word in enumerate(
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"], start=1
    )
}

_MONTH = r"(?P<{}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<{}>\d{{1,2}})(?:st|nd|rd|th)?"
_DASH = r"\s*(?:-|\u2013|\u2014|to|through)\s*"  # hyphen, en or em dash, words


def _month(name: str) -> str:
    return _MONTH.format(name)


def _day(name: str) -> str:
    return _DAY.format(name)


FORMS: list[tuple[str, re.Pattern[str]]] = [
    (
        "from <Month> <day> last year to <Month> this year",
        re.compile(
            rf"\bfrom\s+{_month('m1')}\s+{_day('d1')},?\s+last\s+year\s+to\s+{_month('m2')}"
            rf"\s+(?:of\s+)?this\s+year\b",
            re.I,
        ),
    ),
    (
        "<Month>-<Month> (of) this year",
        re.compile(
            rf"\b(?:between\s+)?{_month('m1')}(?:{_DASH}|\s+and\s+){_month('m2')},?\s+"
            rf"(?:of\s+)?this\s+year\b",
            re.I,
        ),
    ),
    (
        "since <Month> (of) this year",
        re.compile(rf"\bsince\s+{_month('m1')},?\s+(?:of\s+)?this\s+year\b", re.I),
    ),
    (
        "<Month> <day>, this year",
        re.compile(rf"\b{_month('m1')}\s+{_day('d1')},?\s+(?:of\s+)?this\s+year\b", re.I),
    ),
    ("<Month> (of) this year", re.compile(rf"\b{_month('m1')},?\s+(?:of\s+)?this\s+year\b", re.I)),
    ("last <Month>", re.compile(rf"\blast\s+{_month('m1')}(?!\w)", re.I)),
    (
        "in N years",
        re.compile(r"\bin\s+(?P<n>\d{1,2}|" + "|".join(NUMBERS) + r")\s+years?\b", re.I),
    ),
    ("this/last/next year", re.compile(r"\b(?P<which>this|last|next)\s+year\b", re.I)),
]


class Unresolvable(ValueError):
    """The phrase has a known form, but the publication date is too coarse to resolve it."""


@dataclass(frozen=True)
class Resolved:
    """What a phrase resolves to: a partial date, or a period of two full dates."""

    form: str
    date: str | None = None
    period: tuple[str, str] | None = None

    @property
    def interval(self) -> tuple[str, str]:
        """The first and last day it covers."""
        if self.period is not None:
            return self.period
        start, end = interval_of(self.date)
        assert start is not None and end is not None
        return start, end

    def __str__(self) -> str:
        return self.date if self.date is not None else "{}..{}".format(*self.interval)


def resolve(phrase: str, published: str) -> Resolved | None:
    """The date `phrase` gives, against a publication date (YYYY[-MM[-DD]]); None when the
    phrase has none of the known forms. Raises Unresolvable when the form needs a publication
    month that the date does not have."""
    year = int(published[:4])
    month = int(published[5:7]) if len(published) >= 7 else None
    for form, pattern in FORMS:
        match = pattern.search(phrase)
        if match is None:
            continue
        groups = match.groupdict()
        m1 = MONTHS[groups["m1"].lower()] if groups.get("m1") else None
        m2 = MONTHS[groups["m2"].lower()] if groups.get("m2") else None
        if form.startswith("from"):
            assert m1 is not None and m2 is not None
            end = interval_of(f"{year:04d}-{m2:02d}")[1]
            start = f"{year - 1:04d}-{m1:02d}-{int(groups['d1']):02d}"
            return Resolved(form, period=(_checked(start), str(end)))
        if form.startswith("since"):
            # From the month to the publication date: an open-ended figure ("since March this
            # year, bookings tripled") runs up to the text that states it.
            first = interval_of(f"{year:04d}-{m1:02d}")[0]
            last = interval_of(published)[1]
            assert first is not None and last is not None
            return Resolved(form, period=(first, last))
        if form.startswith("<Month>-<Month>"):
            assert m1 is not None and m2 is not None
            first = interval_of(f"{year:04d}-{m1:02d}")[0]
            last = interval_of(f"{year:04d}-{m2:02d}")[1]
            return Resolved(form, period=(str(first), str(last)))
        if form.startswith("<Month> <day>"):
            return Resolved(form, _checked(f"{year:04d}-{m1:02d}-{int(groups['d1']):02d}"))
        if form.startswith("<Month>"):
            return Resolved(form, f"{year:04d}-{m1:02d}")
        if form == "last <Month>":
            assert m1 is not None
            if month is None:
                raise Unresolvable(
                    f"{match.group(0)!r} needs the month of publication, but the source's "
                    f"date is {published!r}"
                )
            return Resolved(form, f"{year if m1 < month else year - 1:04d}-{m1:02d}")
        if form == "in N years":
            raw = groups["n"].lower()
            years = NUMBERS[raw] if raw in NUMBERS else int(raw)
            return Resolved(form, f"{year + years:04d}")
        offset = {"this": 0, "last": -1, "next": 1}[groups["which"].lower()]
        return Resolved(form, f"{year + offset:04d}")
    return None


def _checked(day: str) -> str:
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        raise Unresolvable(f"{day} is not a date") from None
    return day
