"""The fields that come with every date of a record: its basis, its verbatim phrase and its
full-date interval.

Naming rule (data/README.md "Dates"): a partial date field `F` comes with `F_precision`,
`F_basis`, `F_text` and the interval `F_start`/`F_end` (so `date` has `date_start`,
`start_date` has `start_date_start`, `established` has `established_start`). A trade
statistic's or indicator's period is already an interval (`period_start`/`period_end`); its
basis and phrase are `date_basis` and `date_text`.
"""

from typing import Any

from sqlmodel import AutoString, Field


def basis_field(of: str, index: bool = True) -> Any:
    """The `date_basis` of the date field `of`."""
    return Field(
        default=None,
        index=index,
        sa_type=AutoString,  # the Literal's values are checked by pydantic, stored as text
        description=f"How `{of}` was obtained (vocabulary `date_basis`): stated (absolute in "
        "the text), relative (a phrase relative to the source's own date, resolved against "
        "it), publication (undated in the text: the source's publication date, meaning 'on or "
        "before') or inferred (by the curator, explained in notes).",
    )


def text_field(of: str) -> Any:
    """The verbatim phrase the date field `of` was read from."""
    return Field(
        default=None,
        description=f"The verbatim phrase of the source that gives `{of}` (e.g. 'last "
        "November'); it occurs in one of the record's excerpts. Null when the basis is stated "
        "and the date is plain.",
    )


def start_field(of: str) -> Any:
    """The first day the partial date field `of` covers."""
    return Field(
        default=None,
        index=True,
        description=f"First day `{of}` covers, as a full ISO 8601 date (2023-11 gives "
        "2023-11-01); derived, never curated.",
    )


def end_field(of: str) -> Any:
    """The last day the partial date field `of` covers."""
    return Field(
        default=None,
        index=True,
        description=f"Last day `{of}` covers, as a full ISO 8601 date (2023-11 gives "
        "2023-11-30); derived, never curated.",
    )
