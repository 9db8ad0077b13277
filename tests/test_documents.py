"""Compiled representations: the build renders every record once through its Public model,
and serving writes the stored texts out without building ORM objects or models."""

import csv
import importlib
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import event, select
from sqlalchemy.orm import Mapper
from sqlmodel import Session

from app.api import formats
from app.api.flat import csv_lines, flat_columns
from app.api.formats import STREAM_ABOVE
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.models import RecordDocument
from app.registry import COLLECTIONS, Collection
from app.representations import feature_of, json_text, public_of, render

NAMES = [collection.path for collection in COLLECTIONS]


@pytest.fixture(scope="module")
def session(database_url: str) -> Iterator[Session]:
    """A session reading the dataset the service serves (on PostgreSQL, through
    Database.connect: one read-only snapshot of the newest dataset schema)."""
    database = Database(database_url)
    try:
        with database.connect() as connection, Session(bind=connection) as opened:
            yield opened
    finally:
        database.close()


def stored(session: Session, collection: Collection) -> dict[str, RecordDocument]:
    rows = session.scalars(
        select(RecordDocument).where(RecordDocument.record_type == collection.record_type)
    )
    return {row.record_id: row for row in rows}


@pytest.mark.parametrize("path", NAMES)
def test_every_record_has_its_stored_document(session: Session, path: str) -> None:
    collection = next(c for c in COLLECTIONS if c.path == path)
    ids = set(session.scalars(select(collection.table.id)))  # type: ignore[attr-defined]
    assert ids and set(stored(session, collection)) == ids


@pytest.mark.parametrize("path", NAMES)
def test_rendering_every_record_afresh_gives_the_stored_texts(session: Session, path: str) -> None:
    """Each record, read through the ORM and validated by its Public model (the models that
    define the OpenAPI schema), renders to exactly what the build stored."""
    collection = next(c for c in COLLECTIONS if c.path == path)
    documents = stored(session, collection)
    columns = flat_columns(collection.public)
    for row in session.scalars(select(collection.table)).unique():
        document = documents[row.id]  # type: ignore[attr-defined]
        public = collection.to_public(row)
        # The Public model's own serialization says the same, field for field.
        assert json.loads(document.json_text) == json.loads(public.model_dump_json())
        canonical = public_of(collection, row)
        assert json.loads(canonical.model_dump_json()) == json.loads(public.model_dump_json())
        again = render(collection, canonical)
        assert document.json_text == again.json == canonical.model_dump_json()
        row_json = canonical.model_dump(mode="json")
        assert document.csv_line == csv_lines(columns, [row_json], header=False) == again.csv
        if collection.geometry is None:
            assert document.feature is None
        else:
            feature = json_text(feature_of(columns, row_json, collection.geometry))
            assert document.feature == feature == again.feature


def test_documents_are_the_same_in_every_process(session: Session) -> None:
    """Field order follows the Public model, never the order an ORM instance was loaded in."""
    projects = next(c for c in COLLECTIONS if c.path == "projects")
    for document in stored(session, projects).values():
        for figure in json.loads(document.json_text)["figures"]:
            assert list(figure) == ["metric", "value", "unit", "qualifier"]


@pytest.mark.parametrize("path", NAMES)
def test_serving_builds_no_orm_objects_and_validates_no_models(
    client: TestClient, session: Session, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    collection = next(c for c in COLLECTIONS if c.path == path)
    loaded: list[Any] = []
    validated: list[Any] = []

    def on_load(target: Any, _context: Any) -> None:
        loaded.append(target)

    original = collection.public.model_validate.__func__  # type: ignore[attr-defined]

    def counting(cls: type[BaseModel], *args: Any, **kwargs: Any) -> Any:
        validated.append(cls)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(collection.public, "model_validate", classmethod(counting))
    event.listen(Mapper, "load", on_load)
    try:
        formats = ["json", "csv", *(["geojson"] if collection.geometry else [])]
        for fmt in formats:
            # A query string the response cache has not seen, so the route really runs.
            listed = client.get(f"/v1/{path}", params={"format": fmt, "limit": 7, "offset": 1})
            assert listed.status_code == 200, listed.text
        item = client.get(f"/v1/{path}", params={"limit": 1}).json()["items"][0]
        for fmt in formats:
            one = client.get(f"/v1/{path}/{item['id']}", params={"format": fmt})
            assert one.status_code == 200
        assert loaded == [] and validated == []
        # The counters work: loading a row through the ORM is seen...
        session.expire_all()
        session.scalars(select(collection.table)).first()
        assert loaded
    finally:
        event.remove(Mapper, "load", on_load)
    # ... and so is a model validation.
    collection.public.model_validate(item)
    assert validated == [collection.public]


@pytest.mark.engine_independent  # bench/synth.py makes a SQLite file of its own
def test_large_exports_stream(tmp_path: Path) -> None:
    """An export of more than STREAM_ABOVE records is written as it is read (chunked, no
    Content-Length), and says the same as the pages of the JSON list."""
    synth = importlib.import_module("bench.synth")
    path = tmp_path / "synth.sqlite3"
    synth.create(path, STREAM_ABOVE + 200)
    settings = Settings(database_url=f"sqlite:///{path}", response_cache_entries=0)
    with TestClient(create_app(settings)) as client:
        exported = client.get("/v1/projects", params={"format": "csv"})
        assert exported.status_code == 200
        assert "content-length" not in exported.headers
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert len(rows) == STREAM_ABOVE + 200
        first = client.get("/v1/projects", params={"limit": 3}).json()["items"]
        assert [row["id"] for row in rows[:3]] == [item["id"] for item in first]
        features = client.get("/v1/projects", params={"format": "geojson"})
        assert "content-length" not in features.headers
        collection = features.json()
        assert collection["numberReturned"] == len(collection["features"]) == STREAM_ABOVE + 200
        # A small export is one piece with its length.
        small = client.get(
            "/v1/projects",
            params={"format": "csv", "limit": 10},
            headers={"Accept-Encoding": "identity"},
        )
        assert int(small.headers["content-length"]) == len(small.content)


def test_exports_stream_from_the_database_under_test(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same streaming on the engine under test (on PostgreSQL, rows read in batches from
    the request's snapshot while the answer is sent), with a lower threshold so the real
    data is above it: the stream says what the JSON list says."""
    monkeypatch.setattr(formats, "STREAM_ABOVE", 5)
    client = make_client(response_cache_entries=0)
    listed = client.get("/v1/places", params={"limit": 500}).json()["items"]
    assert len(listed) > 5
    exported = client.get("/v1/places", params={"format": "csv", "limit": 500})
    assert exported.status_code == 200
    assert "content-length" not in exported.headers
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["id"] for row in rows] == [item["id"] for item in listed]
    features = client.get("/v1/places", params={"format": "geojson", "limit": 500})
    assert "content-length" not in features.headers
    collection = features.json()
    assert [f["properties"]["id"] for f in collection["features"]] == [
        item["id"] for item in listed if item["lat"] is not None
    ]
