"""Field types shared by the models: partial dates, ISO codes, slugs."""

import datetime as dt
import re
from typing import Annotated, Any

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


PartialDate = Annotated[str, BeforeValidator(_to_str), AfterValidator(_check_partial_date)]
FullDate = Annotated[str, BeforeValidator(_to_str), AfterValidator(_check_full_date)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")]
PairCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{2}-[A-Z]{2}$"), AfterValidator(_check_pair)
]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120)]
