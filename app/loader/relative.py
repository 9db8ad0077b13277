"""Resolution of dates the sources give relative to their own date ("last November").

A small grammar rather than a library: dateparser's `RELATIVE_BASE` resolves "last year" or
"in 2 years" to a full datetime (it invents the day and month of the base), does not keep the
precision the phrase has, and returns nothing for "last November", "<Month> this year" or a
month range (dateparser 1.5.0). The forms (data/README.md "Relative dates are recomputed")
resolve against the publication date of the source the phrase is from, to a partial ISO date
(its precision being the phrase's) or to a period of full dates. A published 2024-06 gives:

| form | example | gives |
| --- | --- | --- |
| this / last / next year | last year | 2023 |
| last <Month> | last November | 2023-11 (the latest before the publication month) |
| <Month> (of) this year | May this year | 2024-05 |
| <Month> <day>(,) this year | May 17, this year | 2024-05-17 |
| <Month>-<Month> (of) this year | January-May of this year | 2024-01-01..2024-05-31 |
| between <Month> and <Month> this year | between January and May this year | the same |
| since <Month> (of) this year | since March this year | 2024-03-01..2024-06-30 |
| from <Month> <day> last year to <Month> this year | (Sept. 1; May) | 2023-09-01..2024-05-31 |
| in N years (digits or one..ten) | in two years | 2026 |
| now, today, so far, by now, to date, at present, currently | so far | 2024-06 |

The phrase must be one of these as a whole, after an optional leading "in", "on", "during",
"by", "until" or "as of" and trailing punctuation; any other phrase is not recomputed (so a
longer phrase whose words change the meaning is never mis-read as a shorter form).
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


_LEAD = r"(?:(?:in|on|during|by|until|till|as\s+of)\s+)?"
_THIS_YEAR = r",?\s+(?:of\s+)?this\s+year"
_NOW = r"(?:now|today|so\s+far|by\s+now|to\s+date|at\s+present|currently|as\s+of\s+now)"

# (form, pattern of the whole phrase), most specific first.
FORMS: list[tuple[str, re.Pattern[str]]] = [
    (
        "from <Month> <day> last year to <Month> this year",
        re.compile(
            rf"from\s+{_month('m1')}\s+{_day('d1')},?\s+last\s+year\s+(?:to|until|till)\s+"
            rf"{_month('m2')}{_THIS_YEAR}",
            re.I,
        ),
    ),
    (
        "<Month>-<Month> (of) this year",
        re.compile(rf"{_LEAD}{_month('m1')}{_DASH}{_month('m2')}{_THIS_YEAR}", re.I),
    ),
    (
        "between <Month> and <Month> this year",
        re.compile(rf"between\s+{_month('m1')}\s+and\s+{_month('m2')}{_THIS_YEAR}", re.I),
    ),
    ("since <Month> (of) this year", re.compile(rf"since\s+{_month('m1')}{_THIS_YEAR}", re.I)),
    (
        "<Month> <day>, this year",
        re.compile(rf"{_LEAD}{_month('m1')}\s+{_day('d1')}{_THIS_YEAR}", re.I),
    ),
    ("<Month> (of) this year", re.compile(rf"{_LEAD}{_month('m1')}{_THIS_YEAR}", re.I)),
    ("last <Month>", re.compile(rf"{_LEAD}last\s+{_month('m1')}", re.I)),
    (
        "in N years",
        re.compile(r"(?:in|within)\s+(?P<n>\d{1,2}|" + "|".join(NUMBERS) + r")\s+years?", re.I),
    ),
    ("this/last/next year", re.compile(rf"{_LEAD}(?P<which>this|last|next)\s+year", re.I)),
    ("now", re.compile(rf"{_NOW}", re.I)),
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
    phrase is none of the forms. Raises Unresolvable when the form needs a publication month
    that the date does not have."""
    year = int(published[:4])
    month = int(published[5:7]) if len(published) >= 7 else None
    text = phrase.strip().rstrip(",.;:").strip()
    for form, pattern in FORMS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        groups = match.groupdict()
        m1 = MONTHS[groups["m1"].lower()] if groups.get("m1") else 0
        m2 = MONTHS[groups["m2"].lower()] if groups.get("m2") else 0
        if form.startswith("from"):
            first = _checked(f"{year - 1:04d}-{m1:02d}-{int(groups['d1']):02d}")
            return Resolved(form, period=(first, _month_bounds(year, m2)[1]))
        if form.startswith(("<Month>-<Month>", "between")):
            return Resolved(form, period=(_month_bounds(year, m1)[0], _month_bounds(year, m2)[1]))
        if form.startswith("since"):
            last = interval_of(published)[1]
            assert last is not None
            return Resolved(form, period=(_month_bounds(year, m1)[0], last))
        if form.startswith("<Month> <day>"):
            return Resolved(form, _checked(f"{year:04d}-{m1:02d}-{int(groups['d1']):02d}"))
        if form.startswith("<Month>"):
            return Resolved(form, f"{year:04d}-{m1:02d}")
        if form == "last <Month>":
            if month is None:
                raise Unresolvable(
                    f"{phrase!r} needs the month of publication, but the source's date is "
                    f"{published!r}"
                )
            return Resolved(form, f"{year if m1 < month else year - 1:04d}-{m1:02d}")
        if form == "in N years":
            raw = groups["n"].lower()
            years = NUMBERS[raw] if raw in NUMBERS else int(raw)
            return Resolved(form, f"{year + years:04d}")
        if form == "now":
            return Resolved(form, published)
        offset = {"this": 0, "last": -1, "next": 1}[groups["which"].lower()]
        return Resolved(form, f"{year + offset:04d}")
    return None


def _month_bounds(year: int, month: int) -> tuple[str, str]:
    first, last = interval_of(f"{year:04d}-{month:02d}")
    assert first is not None and last is not None
    return first, last


def _checked(day: str) -> str:
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        raise Unresolvable(f"{day} is not a date") from None
    return day
