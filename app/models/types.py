"""Field types shared by the models: partial dates, ISO codes, slugs."""

import calendar
import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, StringConstraints

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _to_str(value: Any) -> Any:
    # YAML reads an unquoted year as an int; a date is always a string here.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _check_partial_date(value: str) -> str:
    match = _PARTIAL_DATE.match(value)
    if not match:
        raise ValueError("must be a date as YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        dt.date(year or 1, month or 1, day or 1)
    except ValueError as exc:
        raise ValueError(f"impossible date {value!r}: {exc}") from None
    return value


def _check_full_date(value: str) -> str:
    if len(value) != 10:
        raise ValueError("must be a full date YYYY-MM-DD")
    return _check_partial_date(value)


def _check_date_or_period(value: str) -> str:
    # A partial date, or an ISO 8601 interval of two full dates (start/end).
    first, slash, last = value.partition("/")
    if not slash:
        return _check_partial_date(value)
    _check_full_date(first)
    _check_full_date(last)
    if first > last:
        raise ValueError("an interval's start must not be after its end")
    return value


def _check_pair(value: str) -> str:
    first, second = value.split("-")
    if first >= second:
        raise ValueError("the two country codes must differ and be in alphabetical order")
    return value


def precision_of(value: str | None) -> str:
    """The precision a partial ISO date carries: day, month, year or unknown."""
    if value is None:
        return "unknown"
    return {4: "year", 7: "month", 10: "day"}[len(value)]


def interval_of(value: str | None) -> tuple[str | None, str | None]:
    """The first and last full ISO dates a partial date covers: "2023-11" gives
    ("2023-11-01", "2023-11-30"), "2023" gives ("2023-01-01", "2023-12-31"), a day gives itself
    twice, and no date gives (None, None)."""
    if value is None:
        return None, None
    if len(value) == 10:
        return value, value
    if len(value) == 7:
        year, month = int(value[:4]), int(value[5:7])
        return f"{value}-01", f"{value}-{calendar.monthrange(year, month)[1]:02d}"
    return f"{value}-01-01", f"{value}-12-31"


DateBasis = Literal["stated", "relative", "publication", "inferred"]
"""How a date was obtained (vocabulary `date_basis`; the loader's checks depend on each value):
stated in absolute terms, resolved from a phrase relative to the source's own date, the
source's publication date for an undated statement, or inferred by the curator."""

DATE_BASES: tuple[str, ...] = ("stated", "relative", "publication", "inferred")

PartialDate = Annotated[str, BeforeValidator(_to_str), AfterValidator(_check_partial_date)]
FullDate = Annotated[str, BeforeValidator(_to_str), AfterValidator(_check_full_date)]
# A partial date, or a period that is not one calendar year, month or day as an ISO 8601
# interval of full dates ("2023-01-01/2023-07-31"); like a partial date, CSV writes it as
# its interval (app/api/flat.py).
DateOrPeriod = Annotated[str, BeforeValidator(_to_str), AfterValidator(_check_date_or_period)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")]
PairCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{2}-[A-Z]{2}$"), AfterValidator(_check_pair)
]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120)]
