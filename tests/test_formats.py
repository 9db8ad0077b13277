"""Representations of the lists: CSV and GeoJSON, chosen by ?format= or the Accept header.

Expectations come from the JSON answers of the same lists (the CSV and GeoJSON must say the same
thing, flattened) and from data/*.yaml (which records exist, where the places are).
"""

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import COLLECTION_KEYS

COLLECTIONS = list(COLLECTION_KEYS)
# Collections whose records have coordinates, and the geometry type of their features.
GEOMETRY_TYPES = {
    "projects": "Point",
    "places": "Point",
    "events": "MultiPoint",
    "sister-cities": "LineString",
}
NOT_GEO = [name for name in COLLECTIONS if name not in GEOMETRY_TYPES]
CSV_TYPE = "text/csv; charset=utf-8"
GEOJSON_TYPE = "application/geo+json"

Records = dict[str, list[dict[str, Any]]]


def parse_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of a CSV text (the csv module, as a spreadsheet would)."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows, "a CSV answer has at least its header row"
    header, body = rows[0], rows[1:]
    assert len(set(header)) == len(header), f"duplicate columns: {header}"
    for row in body:
        assert len(row) == len(header), (header, row)
    return header, [dict(zip(header, row, strict=True)) for row in body]


def cell(value: Any) -> str:
    """How a JSON value is written in a CSV cell: lists (and objects) as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def interval(partial: str) -> tuple[str, str]:
    """The first and last day of a partial ISO date, computed here independently."""
    if len(partial) == 10:
        return partial, partial
    if len(partial) == 7:
        year, month = map(int, partial.split("-"))
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return f"{partial}-01", (following - dt.timedelta(days=1)).isoformat()
    return f"{partial}-01-01", f"{partial}-12-31"


def expected_cells(item: dict[str, Any], header: list[str]) -> dict[str, str]:
    """The CSV cells a JSON item determines exactly: summaries flattened to `<key>_<sub>`,
    lists as JSON in one cell, partial dates as their full-date interval."""
    cells: dict[str, str] = {}
    for key, value in item.items():
        if key not in header and f"{key}_start" in header:  # a partial date
            if f"{key}_start" not in item:  # (else the item serves its interval itself)
                start, end = interval(value) if value else ("", "")
                cells[f"{key}_start"], cells[f"{key}_end"] = start, end
        elif isinstance(value, dict):
            for sub, sub_value in value.items():
                cells[f"{key}_{sub}"] = cell(sub_value)
        elif value is None and key not in header:  # an absent summary: all its columns empty
            cells.update({column: "" for column in column_for(key, header)})
        else:
            cells[key] = cell(value)
    return cells


def column_for(key: str, header: list[str]) -> list[str]:
    """The columns a JSON key became."""
    return [c for c in header if c == key or c.startswith(f"{key}_")]


def json_items(client: TestClient, collection: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"/v1/{collection}", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["items"]) == body["total"], "every collection fits one JSON page of 500"
    return body["items"]


@pytest.fixture(scope="module")
def full_json(client: TestClient) -> dict[str, list[dict[str, Any]]]:
    """Every record of every collection, as the JSON list serves it (default order)."""
    return {name: json_items(client, name) for name in COLLECTIONS}


@pytest.fixture(scope="module")
def full_csv(client: TestClient) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    """Every collection downloaded as CSV in one request (?format=csv, no limit)."""
    parsed = {}
    for name in COLLECTIONS:
        response = client.get(f"/v1/{name}", params={"format": "csv"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == CSV_TYPE
        parsed[name] = parse_csv(response.content.decode("utf-8"))
    return parsed


# ------------------------------------------------------------------------------------------ CSV


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_csv_by_format_is_the_whole_collection(
    collection: str,
    full_csv: dict[str, tuple[list[str], list[dict[str, str]]]],
    full_json: dict[str, list[dict[str, Any]]],
    dataset: Records,
) -> None:
    header, rows = full_csv[collection]
    assert header[0] == "id"
    ids = [row["id"] for row in rows]
    assert ids == [item["id"] for item in full_json[collection]]
    assert sorted(ids) == sorted(record["id"] for record in dataset[collection])


def test_csv_download_is_not_cut_at_the_json_page_size(
    client: TestClient, full_csv: dict[str, tuple[list[str], list[dict[str, str]]]]
) -> None:
    """At least one collection is larger than a default JSON page, and its CSV has it all."""
    larger = []
    for name in COLLECTIONS:
        total = client.get(f"/v1/{name}", params={"limit": 1}).json()["total"]
        assert len(full_csv[name][1]) == total, name
        if total > 50:
            larger.append(name)
    assert larger, "no collection is larger than one default page; the check is vacuous"


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_csv_by_accept_header_matches_the_json_page(client: TestClient, collection: str) -> None:
    params = {"limit": 500}
    response = client.get(f"/v1/{collection}", params=params, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CSV_TYPE
    _, rows = parse_csv(response.content.decode("utf-8"))
    assert [row["id"] for row in rows] == [item["id"] for item in json_items(client, collection)]
    by_format = client.get(f"/v1/{collection}", params={**params, "format": "csv"})
    assert response.content == by_format.content


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_csv_by_accept_header_without_limit_is_the_whole_collection(
    client: TestClient, collection: str, dataset: Records
) -> None:
    """`limit` is documented as: CSV and GeoJSON return the whole filtered collection by
    default; that holds however CSV was asked for."""
    response = client.get(f"/v1/{collection}", headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    _, rows = parse_csv(response.content.decode("utf-8"))
    assert len(rows) == len(dataset[collection])


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_csv_cells_flatten_the_json_items(
    collection: str,
    full_csv: dict[str, tuple[list[str], list[dict[str, str]]]],
    full_json: dict[str, list[dict[str, Any]]],
) -> None:
    header, rows = full_csv[collection]
    items = full_json[collection]
    for item, row in zip(items, rows, strict=True):
        for key in item:
            assert column_for(key, header), f"{collection}: field {key!r} has no column"
        for column, value in expected_cells(item, header).items():
            assert column in row, (collection, column, header)
            assert row[column] == value, (collection, item["id"], column)
        for column, value in row.items():
            # Never an ad-hoc `a=b, c=d` rendering of a nested value.
            assert not re.search(r"\w=\w.*, \w+=", value) or value.startswith("["), (
                collection,
                column,
                value,
            )


def test_projects_csv_has_place_and_citation_columns(
    full_csv: dict[str, tuple[list[str], list[dict[str, str]]]], dataset: Records
) -> None:
    header, rows = full_csv["projects"]
    for column in ("place_id", "place_name", "citations", "figures", "partners"):
        assert column in header
    places = {place["id"]: place for place in dataset["places"]}
    by_id = {row["id"]: row for row in rows}
    with_place = 0
    for project in dataset["projects"]:
        row = by_id[project["id"]]
        place = places.get(project.get("place") or "")
        assert row["place_id"] == (place["id"] if place else "")
        assert row["place_name"] == (place["name"] if place else "")
        with_place += place is not None
        # Every citation is kept, in order, with its offsets.
        citations = json.loads(row["citations"])
        assert [(c["source_id"], c["excerpt"]) for c in citations] == [
            (c["source"], c["excerpt"].strip()) for c in project["citations"]
        ]
        assert all(isinstance(c["start"], int) and c["end"] > c["start"] for c in citations)
        figures = json.loads(row["figures"])
        assert len(figures) == len(project.get("figures") or [])
        assert all(set(figure) >= {"metric", "value", "unit"} for figure in figures)
        partners = json.loads(row["partners"])
        assert [p["name"] for p in partners] == [p["name"] for p in project.get("partners") or []]
    assert with_place, "no project has a place; the place columns were not exercised"


def test_csv_keeps_non_ascii_text(client: TestClient, dataset: Records) -> None:
    response = client.get("/v1/people", params={"format": "csv"})
    text = response.content.decode("utf-8")  # strict: the bytes are UTF-8
    _, rows = parse_csv(text)
    names = {row["name"] for row in rows}
    wanted = [person["name"] for person in dataset["people"] if not person["name"].isascii()]
    assert wanted, "no non-ASCII name in data/people.yaml; the check is vacuous"
    for name in wanted:
        assert name in names
        assert name.encode("utf-8") in response.content


def test_csv_respects_filters_and_paging(client: TestClient) -> None:
    projects = json_items(client, "projects")
    sector = projects[0]["sector"]
    filtered = [item["id"] for item in json_items(client, "projects", sector=sector)]
    response = client.get("/v1/projects", params={"format": "csv", "sector": sector})
    assert [row["id"] for row in parse_csv(response.text)[1]] == filtered
    page = client.get("/v1/projects", params={"format": "csv", "limit": 2, "offset": 1})
    assert [row["id"] for row in parse_csv(page.text)[1]] == [p["id"] for p in projects[1:3]]
    assert 'rel="next"' in page.headers["link"]


def test_csv_is_an_attachment_named_after_the_collection(client: TestClient) -> None:
    response = client.get("/v1/sister-cities", params={"format": "csv"})
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment")
    assert 'filename="sister-cities.csv"' in disposition


# -------------------------------------------------------------------------------------- GeoJSON


def _coordinates_ok(point: Any) -> bool:
    return (
        isinstance(point, list)
        and len(point) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in point)
        and -180 <= point[0] <= 180
        and -90 <= point[1] <= 90
    )


def _place_point(place: dict[str, Any] | None) -> list[float] | None:
    if not place or place.get("lat") is None or place.get("lon") is None:
        return None
    return [place["lon"], place["lat"]]


def _expected_geometry(
    collection: str, record: dict[str, Any], places: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    """The geometry a record of data/*.yaml should have, from the curator's coordinates."""
    if collection == "places":
        point = _place_point(record)
        return {"type": "Point", "coordinates": point} if point else None
    if collection == "projects":
        point = _place_point(places.get(record.get("place") or ""))
        return {"type": "Point", "coordinates": point} if point else None
    if collection == "sister-cities":
        a = _place_point(places.get(record["side_a"]))
        b = _place_point(places.get(record["side_b"]))
        return {"type": "LineString", "coordinates": [a, b]} if a and b else None
    points = [p for p in (_place_point(places.get(i)) for i in record.get("places") or []) if p]
    return {"type": "MultiPoint", "coordinates": points} if points else None


def _unordered(geometry: dict[str, Any] | None) -> Any:
    """A geometry with the points of a MultiPoint in a canonical order (a set of places)."""
    if geometry and geometry["type"] == "MultiPoint":
        return {**geometry, "coordinates": sorted(geometry["coordinates"])}
    return geometry


@pytest.mark.parametrize("collection", list(GEOMETRY_TYPES))
@pytest.mark.parametrize("how", ["format", "accept"])
def test_geojson_feature_collection(
    client: TestClient,
    collection: str,
    how: str,
    full_csv: dict[str, tuple[list[str], list[dict[str, str]]]],
    dataset: Records,
) -> None:
    if how == "format":
        response = client.get(f"/v1/{collection}", params={"format": "geojson", "limit": 500})
    else:
        response = client.get(
            f"/v1/{collection}", params={"limit": 500}, headers={"Accept": GEOJSON_TYPE}
        )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(GEOJSON_TYPE)
    body = json.loads(response.content.decode("utf-8"))
    assert body["type"] == "FeatureCollection"
    features = body["features"]
    header, rows = full_csv[collection]
    assert [f["id"] for f in features] == [row["id"] for row in rows]

    places = {place["id"]: place for place in dataset["places"]}
    records = {record["id"]: record for record in dataset[collection]}
    located = 0
    for feature, row in zip(features, rows, strict=True):
        assert feature["type"] == "Feature"
        assert list(feature["properties"]) == header
        assert {k: cell(v) for k, v in feature["properties"].items()} == row
        geometry = feature["geometry"]
        expected = _expected_geometry(collection, records[feature["id"]], places)
        assert _unordered(geometry) == _unordered(expected), feature["id"]
        if geometry is None:
            continue
        located += 1
        assert geometry["type"] == GEOMETRY_TYPES[collection]
        coordinates = geometry["coordinates"]
        points = [coordinates] if geometry["type"] == "Point" else coordinates
        assert points and all(_coordinates_ok(p) for p in points), geometry
    assert located, f"no {collection} feature has a geometry"


def test_geojson_without_limit_is_the_whole_collection(
    client: TestClient, dataset: Records
) -> None:
    for collection in GEOMETRY_TYPES:
        body = client.get(f"/v1/{collection}", params={"format": "geojson"}).json()
        assert len(body["features"]) == len(dataset[collection]), collection


def test_sister_city_ties_are_lines_from_side_a_to_side_b(
    client: TestClient, dataset: Records
) -> None:
    places = {place["id"]: place for place in dataset["places"]}
    body = client.get("/v1/sister-cities", params={"format": "geojson"}).json()
    features = {feature["id"]: feature for feature in body["features"]}
    for tie in dataset["sister-cities"]:
        a, b = _place_point(places[tie["side_a"]]), _place_point(places[tie["side_b"]])
        assert a and b, f"{tie['id']}: both sides of a tie are places with coordinates"
        geometry = features[tie["id"]]["geometry"]
        assert geometry == {"type": "LineString", "coordinates": [a, b]}
        props = features[tie["id"]]["properties"]
        assert (props["side_a_id"], props["side_b_id"]) == (tie["side_a"], tie["side_b"])


@pytest.mark.parametrize("collection", NOT_GEO)
def test_geojson_is_refused_where_records_have_no_coordinates(
    client: TestClient, collection: str, assert_problem: Callable[..., dict[str, Any]]
) -> None:
    body = assert_problem(client.get(f"/v1/{collection}", params={"format": "geojson"}), 422)
    # The answer names the formats that are served; the schema never offered geojson here.
    assert "'json' or 'csv'" in body["detail"], body
    spec = client.get("/openapi.json").json()
    for path in (f"/v1/{collection}", f"/v1/{collection}/{{id}}"):
        (parameter,) = [
            p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "format"
        ]
        offered = next(s["enum"] for s in parameter["schema"]["anyOf"] if "enum" in s)
        assert offered == ["json", "csv"], (path, offered)
    refused = client.get(f"/v1/{collection}", headers={"Accept": GEOJSON_TYPE})
    assert GEOJSON_TYPE not in assert_problem(refused, 406)["allowed"]


# ---------------------------------------------------------------------------- Accept negotiation


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_unacceptable_media_type_is_a_406_problem(
    client: TestClient, collection: str, assert_problem: Callable[..., dict[str, Any]]
) -> None:
    response = client.get(f"/v1/{collection}", headers={"Accept": "application/xml"})
    body = assert_problem(response, 406)
    assert "application/json" in body["allowed"]
    assert "text/csv" in body["allowed"]
    assert (GEOJSON_TYPE in body["allowed"]) == (collection in GEOMETRY_TYPES)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0, application/json", "application/json"),
        ("application/json;q=0, text/csv", CSV_TYPE),
        ("application/json;q=0.5, text/csv;q=0.9", CSV_TYPE),
        ("text/csv;q=0.4, application/json;q=0.8", "application/json"),
        ("text/csv; charset=utf-8", CSV_TYPE),
        ("text/*", CSV_TYPE),
        ("application/xml, text/csv;q=0.1", CSV_TYPE),
        ("*/*", "application/json"),
        ("application/geo+json;q=0, */*;q=0.1", "application/json"),
        ("application/geo+json", GEOJSON_TYPE),
        ("", "application/json"),
    ],
)
def test_accept_qualities(client: TestClient, accept: str, expected: str) -> None:
    response = client.get("/v1/projects", params={"limit": 2}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == expected


@pytest.mark.parametrize(
    "accept", ["text/csv;q=0", "*/*;q=0", "application/json;q=0, text/csv;q=0"]
)
def test_everything_refused_by_q0_is_a_406_problem(
    client: TestClient, accept: str, assert_problem: Callable[..., dict[str, Any]]
) -> None:
    assert_problem(client.get("/v1/projects", headers={"Accept": accept}), 406)


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get(
        "/v1/places", params={"format": "csv"}, headers={"Accept": "application/xml"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == CSV_TYPE


def test_unknown_format_is_a_422_problem(
    client: TestClient, assert_problem: Callable[..., dict[str, Any]]
) -> None:
    assert_problem(client.get("/v1/projects", params={"format": "xlsx"}), 422)
