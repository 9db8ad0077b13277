"""GeoJSON geometries (RFC 7946) of served records, read from their JSON representation.

Each function takes a record as served (the Public model dumped to JSON-ready values) and
returns a geometry object, or None when the record has no coordinates. Longitude comes first.
"""

from collections.abc import Callable
from typing import Any

Geometry = Callable[[dict[str, Any]], dict[str, Any] | None]


def _point(place: dict[str, Any] | None) -> list[float] | None:
    if not place or place.get("lat") is None or place.get("lon") is None:
        return None
    return [place["lon"], place["lat"]]


def place_point(row: dict[str, Any]) -> dict[str, Any] | None:
    """A place's own coordinates."""
    point = _point(row)
    return {"type": "Point", "coordinates": point} if point else None


def record_point(row: dict[str, Any]) -> dict[str, Any] | None:
    """The coordinates of a record's `place`."""
    point = _point(row.get("place"))
    return {"type": "Point", "coordinates": point} if point else None


def places_points(row: dict[str, Any]) -> dict[str, Any] | None:
    """All the places of a record (an event) as a MultiPoint."""
    points = [p for p in (_point(place) for place in row.get("places", [])) if p]
    return {"type": "MultiPoint", "coordinates": points} if points else None


def tie_line(row: dict[str, Any]) -> dict[str, Any] | None:
    """A LineString from side_a to side_b of a sister-city tie."""
    a, b = _point(row.get("side_a")), _point(row.get("side_b"))
    return {"type": "LineString", "coordinates": [a, b]} if a and b else None
