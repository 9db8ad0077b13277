"""Statements compiled once per query shape (app/queries/compiled.py): the shape depends on
which parameters are present and on sort, facets, format, booleans and list lengths, never
on a value; a shape's statement is compiled once and serves every value."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.queries import listing
from app.queries.compiled import Placeholder, shaped
from app.queries.projects import ProjectQuery


def test_values_become_placeholders_and_leave_the_shape() -> None:
    a_shape, a_query, a_values = shaped(
        ProjectQuery(sector=["renewable_energy"], q="wind", year_from=2020)
    )
    b_shape, _, b_values = shaped(ProjectQuery(sector=["power"], q="solar", year_from=1999))
    assert a_shape == b_shape
    assert isinstance(a_query.q, Placeholder) and isinstance(a_query.year_from, Placeholder)
    assert [type(p) for p in a_query.sector] == [Placeholder]  # one per value of a list
    assert a_values == {"sector_0": "renewable_energy", "q": "wind", "year_from": 2020}
    assert b_values == {"sector_0": "power", "q": "solar", "year_from": 1999}


def test_structure_stays_in_the_shape() -> None:
    def shape(**given: Any) -> tuple[Any, ...]:
        return shaped(ProjectQuery(**given))[0]

    assert shape(bri=True) != shape(bri=False) != shape()
    assert shape(sort="name") != shape(sort="-name")
    assert shape(facet="sector") != shape()
    assert shape(date_basis=["stated"]) != shape(date_basis=["stated", "relative"])
    assert shape(date_basis=["stated"]) == shape(date_basis=["relative"])
    assert shape(sector=["power"]) != shape(sector=["power", "finance"])
    assert shape(sector=["power"]) != shape(status=["operational"])
    # Paging is the list's own: offsets and limits share one statement.
    assert shape(limit=5, offset=10) == shape()


def test_one_compiled_statement_serves_every_value(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(response_cache_entries=0)

    def page(sector: str) -> list[str]:
        response = client.get(f"/v1/projects?sector={sector}&sort=name&limit=100")
        assert response.status_code == 200
        return [item["sector"] for item in response.json()["items"]]

    listing._COMPILED.entries.clear()  # compiled again on first use
    energy, transport = page("renewable_energy"), page("transport_logistics")
    assert len(listing._COMPILED.entries) == 1  # one shape, compiled once
    assert energy and set(energy) == {"renewable_energy"}
    assert transport and set(transport) == {"transport_logistics"}
