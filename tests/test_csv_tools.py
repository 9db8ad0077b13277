"""CSV that tools read right: pandas `read_csv` and DuckDB `read_csv` (auto-detection) infer
the type each column declares (app/api/flat.py) from the text alone, for every collection's
whole CSV and for the other CSV answers (search, a source's records, the trade series).

Dates are full ISO dates (pandas parses them with `parse_dates`, DuckDB detects DATE),
booleans are true/false, numbers are numerals, null is an empty cell, and every list is a
JSON array in one cell.
"""

import io
import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pandas.api import types as pdt
from pydantic import BaseModel

from app.api.flat import Column, flat_columns
from app.api.records import RecordRef
from app.api.routes.search import SearchHit
from app.models import TimelineEntryPublic
from app.services.series import SeriesPoint
from tests.conftest import COLLECTIONS, PUBLIC

ANSWERS: dict[str, tuple[str, type[BaseModel]]] = {
    **{name: (f"/v1/{name}?format=csv", PUBLIC[name]) for name in COLLECTIONS},
    "search": ("/v1/search?q=wind&format=csv&limit=100", SearchHit),
    "source-records": ("/v1/sources/sfc-2023-zhang-xiao/records?format=csv", RecordRef),
    "series": ("/v1/trade-stats/series?metric=trade_turnover&format=csv", SeriesPoint),
    "timeline": ("/v1/timeline?format=csv", TimelineEntryPublic),
}
DUCKDB_TYPES = {
    "boolean": {"BOOLEAN"},
    "integer": {"BIGINT", "INTEGER"},
    "number": {"DOUBLE", "BIGINT", "INTEGER"},
    "date": {"DATE"},
    "datetime": {"TIMESTAMP WITH TIME ZONE"},
    "string": {"VARCHAR"},
    "array": {"VARCHAR"},
}


@pytest.fixture(scope="module")
def answers(client: TestClient) -> dict[str, str]:
    texts = {}
    for name, (url, _) in ANSWERS.items():
        response = client.get(url)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        texts[name] = response.text
    return texts


def _columns(name: str) -> tuple[Column, ...]:
    return flat_columns(ANSWERS[name][1])


@pytest.mark.parametrize("name", list(ANSWERS))
def test_pandas_infers_each_column_type(answers: dict[str, str], name: str) -> None:
    columns = _columns(name)
    dates = [column.name for column in columns if column.kind in ("date", "datetime")]
    frame = pd.read_csv(io.StringIO(answers[name]), parse_dates=dates, date_format="ISO8601")
    assert list(frame.columns) == [column.name for column in columns]
    assert len(frame) > 0
    typed = 0
    for column in columns:
        series = frame[column.name]
        if series.isna().all():
            continue  # nothing to infer from; every cell is empty, as the JSON is null
        typed += 1
        where = (name, column.name, str(series.dtype))
        if column.kind == "boolean":
            assert pdt.is_bool_dtype(series), where
        elif column.kind == "integer":
            assert pdt.is_integer_dtype(series) or (
                pdt.is_float_dtype(series) and series.dropna().map(float.is_integer).all()
            ), where
        elif column.kind == "number":
            assert pdt.is_numeric_dtype(series) and not pdt.is_bool_dtype(series), where
        elif column.kind in ("date", "datetime"):
            assert pdt.is_datetime64_any_dtype(series), where
        else:
            assert not pdt.is_numeric_dtype(series), where
        if column.kind == "array":
            for cell in series.dropna():
                assert isinstance(json.loads(cell), list), where
    assert typed, f"{name}: every column is empty"


@pytest.mark.parametrize("name", list(ANSWERS))
def test_pandas_never_reads_a_date_as_a_number(answers: dict[str, str], name: str) -> None:
    """Without `parse_dates`, a date column is text, never 2014.0."""
    frame = pd.read_csv(io.StringIO(answers[name]))
    for column in _columns(name):
        if column.kind == "date" and not frame[column.name].isna().all():
            assert not pdt.is_numeric_dtype(frame[column.name]), (name, column.name)


@pytest.mark.parametrize("name", list(ANSWERS))
def test_duckdb_detects_each_column_type(
    answers: dict[str, str], name: str, tmp_path: Path
) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_text(answers[name], encoding="utf-8")
    connection = duckdb.connect()
    try:
        relation = connection.read_csv(str(path))
        detected = dict(zip(relation.columns, map(str, relation.types), strict=True))
        rows = relation.fetchall()
    finally:
        connection.close()
    columns = _columns(name)
    assert list(detected) == [column.name for column in columns]
    for position, column in enumerate(columns):
        if all(row[position] is None for row in rows):
            continue  # an all-empty column is VARCHAR of NULLs
        assert detected[column.name] in DUCKDB_TYPES[column.kind], (name, column.name)


def test_every_citation_of_every_record_is_kept(
    answers: dict[str, str], client: TestClient
) -> None:
    for name in COLLECTIONS:
        if "citations" not in PUBLIC[name].model_fields:
            continue
        frame = pd.read_csv(io.StringIO(answers[name]))
        served: dict[str, Any] = {
            item["id"]: item["citations"]
            for item in client.get(f"/v1/{name}", params={"limit": 500}).json()["items"]
        }
        assert len(frame) == len(served)
        for record_id, cell in zip(frame["id"], frame["citations"], strict=True):
            assert json.loads(cell) == served[record_id], (name, record_id)
        # Every collection holds a record with two citations (README, "Adding a collection").
        assert any(len(citations) > 1 for citations in served.values()), (
            f"{name}: no record with two citations; the test shows nothing"
        )


def test_a_project_without_a_bri_tie_reads_false(answers: dict[str, str]) -> None:
    frame = pd.read_csv(io.StringIO(answers["projects"]))
    assert pdt.is_bool_dtype(frame["bri"])
    assert frame["bri"].any() and not frame["bri"].all()
