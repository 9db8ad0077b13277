"""Flat representations of records: CSV rows and GeoJSON properties, one column list per model.

The one rule set (README "CSV"), made so that pandas, DuckDB, Frictionless and spreadsheets
infer every column's type from the text alone:
- a scalar field is one column; booleans are `true`/`false`, numbers are plain numerals
  (a whole float without `.0`), null is an empty cell;
- a partial ISO date (`2014`, `2014-05`) is not written as such, since tools read `2014` as
  a number: its full-date interval `<field>_start`/`<field>_end` (2014-01-01, 2014-12-31)
  and its `<field>_precision` carry it (so does a timeline date that is an ISO 8601
  interval, `2023-01-01/2023-07-31`, which no tool reads as a date);
- an embedded summary (a project's place) becomes `<field>_<sub>` columns;
- a list (aliases, figures, partners, citations, ...) is one cell holding the list as JSON,
  exactly as the JSON representation gives it, so nothing is lost: every citation is kept.

`flat_columns(model)` is the one place that decides the columns of a collection;
`csv_lines` and `feature_properties` are the one place that writes a record's cells.
"""

import calendar
import csv
import datetime as dt
import io
import json
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo

from app.models.types import _check_date_or_period, _check_full_date, _check_partial_date

Getter = Callable[[dict[str, Any]], Any]
# Frictionless Table Schema field types (https://specs.frictionlessdata.io/table-schema/).
Kind = Literal["string", "integer", "number", "boolean", "date", "datetime", "array"]


@dataclass(frozen=True)
class Column:
    """One column: its name, its Table Schema type, and how to read it from a JSON record."""

    name: str
    kind: Kind
    get: Getter


def _unwrap(annotation: Any) -> Any:
    """The annotation without `| None`."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _annotation(info: FieldInfo) -> Any:
    """A field's annotation with its validators: pydantic moves a bare `Annotated` type's
    validators (a non-optional FullDate) from the annotation into `metadata`."""
    checks = [meta for meta in info.metadata if isinstance(meta, AfterValidator)]
    return Annotated[(info.annotation, *checks)] if checks else info.annotation


def _date_check(annotation: Any) -> Any:
    """The date validator of a PartialDate, DateOrPeriod or FullDate annotation, else None."""
    if get_origin(annotation) is Annotated:
        for meta in get_args(annotation)[1:]:
            if isinstance(meta, AfterValidator) and meta.func in (
                _check_partial_date,
                _check_date_or_period,
                _check_full_date,
            ):
                return meta.func
    return None


def _is_partial(annotation: Any) -> bool:
    """A partial date (or a period given as one), which CSV writes as its interval."""
    return _date_check(_unwrap(annotation)) in (_check_partial_date, _check_date_or_period)


def _kind(annotation: Any) -> Kind:
    annotation = _unwrap(annotation)
    if _date_check(annotation) is not None:
        return "date"
    base = get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation
    if base is dt.datetime:
        return "datetime"  # RFC 3339 with its zone, e.g. a series point's time
    if base is bool:
        return "boolean"
    if base is int:
        return "integer"
    if base is float:
        return "number"
    if get_origin(base) is list:
        return "array"
    return "string"


def interval(value: str | None) -> tuple[str | None, str | None]:
    """First and last day a partial ISO date covers ("2023-11" -> 2023-11-01, 2023-11-30),
    or an ISO 8601 interval of full dates ("2023-01-01/2023-07-31") its two ends."""
    if value is None:
        return None, None
    if "/" in value:
        first, last = value.split("/")
        return first, last
    if len(value) == 10:
        return value, value
    if len(value) == 7:
        year, month = int(value[:4]), int(value[5:7])
        return f"{value}-01", f"{value}-{calendar.monthrange(year, month)[1]:02d}"
    return f"{value}-01-01", f"{value}-12-31"


def _field(name: str) -> Getter:
    return lambda row: row.get(name)


def _sub_field(name: str, sub: str) -> Getter:
    return lambda row: (row.get(name) or {}).get(sub)


def _bound(name: str, end: int) -> Getter:
    return lambda row: interval(row.get(name))[end]


@cache
def flat_columns(model: type[BaseModel]) -> tuple[Column, ...]:
    """The columns of `model`'s records, id first, in field order (see the module's rules)."""
    fields = model.model_fields
    columns: list[Column] = []
    for name, info in fields.items():
        annotation = _unwrap(_annotation(info))
        if _is_partial(annotation):
            if f"{name}_start" not in fields:  # else the model serves the interval itself
                columns.append(Column(f"{name}_start", "date", _bound(name, 0)))
                columns.append(Column(f"{name}_end", "date", _bound(name, 1)))
        elif _is_model(annotation):
            columns += [
                Column(f"{name}_{sub}", _kind(_annotation(sub_info)), _sub_field(name, sub))
                for sub, sub_info in annotation.model_fields.items()
            ]
        elif name.endswith(("_start", "_end")) and _is_partial(
            _annotation(fields.get(name.rsplit("_", 1)[0], info))
        ):
            columns.append(Column(name, "date", _field(name)))  # a served interval
        else:
            columns.append(Column(name, _kind(annotation), _field(name)))
    # The id first, as a spreadsheet's key column.
    columns.sort(key=lambda column: column.name != "id")
    return tuple(columns)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def csv_header(columns: Iterable[Column]) -> str:
    """The header line of a CSV (CRLF-terminated)."""
    return csv_lines(columns, [])


def csv_lines(
    columns: Iterable[Column], rows: Iterable[dict[str, Any]], header: bool = True
) -> str:
    """CSV text, UTF-8, CRLF line ends (RFC 4180): a header line (unless `header=False`),
    then one line per record, each record given as its JSON representation."""
    columns = tuple(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow([column.name for column in columns])
    for row in rows:
        writer.writerow([_csv_cell(column.get(row)) for column in columns])
    return buffer.getvalue()


def feature_properties(columns: Iterable[Column], row: dict[str, Any]) -> dict[str, Any]:
    """GeoJSON properties of a record: the CSV columns, lists kept as JSON arrays."""
    return {column.name: column.get(row) for column in columns}
