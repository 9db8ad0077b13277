"""Statements compiled once per query shape (app/queries/compiled.py): the shape depends on
which parameters are present and on sort, facets, format, booleans and list lengths, never
on a value; a shape's statement is compiled once and serves every value."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.loader.build import build
from app.queries import listing
from app.queries.compiled import Placeholder, shaped
from app.queries.projects import ProjectQuery
from tests.conftest import sql_statements


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


def _counting(seen: list[tuple[str, str]]) -> list[str]:
    """The count and facet statements among `seen` (SQL)."""
    return [sql for _, sql in seen if "count(" in sql.lower()]


def test_totals_and_facets_are_counted_once_per_filter(
    make_client: Callable[..., TestClient],
) -> None:
    """Every page of a filter shares its total and facet counts: they are counted for the
    first page asked and kept for the dataset (DatasetMemo), whichever the page or order."""
    client = make_client(response_cache_entries=0)
    query = "/v1/projects?sector=renewable_energy&facet=status&limit=2"
    with sql_statements(client) as seen:
        first = client.get(f"{query}&offset=0").json()
    assert len(_counting(seen)) == 2  # the total and the status facet
    for extra in ("&offset=2", "&offset=4&sort=-name", "&after=&sort=name"):
        with sql_statements(client) as seen:
            page = client.get(query + extra).json()
        assert _counting(seen) == [], extra
        assert (page["total"], page["facets"]) == (first["total"], first["facets"])
        assert page["items"] != first["items"] or extra.endswith("name")
    # Another value of the filter is counted afresh, and correctly.
    with sql_statements(client) as seen:
        other = client.get("/v1/projects?sector=transport_logistics&facet=status").json()
    assert len(_counting(seen)) == 2
    assert other["total"] == len(other["items"]) != first["total"]


def test_a_rebuild_is_counted_afresh(
    make_client: Callable[..., TestClient],
    data_copy: Path,
    new_database_url: Callable[[], str],
) -> None:
    """The kept counts belong to one dataset: after a rebuild the service (without restart)
    counts the new one."""
    url = new_database_url()
    build(url, data_copy)
    client = make_client(database_url=url, response_cache_entries=0)
    page = "/v1/projects?sector=oil_gas&facet=status&limit=1"
    before = client.get(page).json()
    assert client.get(page + "&offset=1").json()["total"] == before["total"]  # kept
    # One renewable-energy project becomes an oil and gas one.
    projects = data_copy / "projects.yaml"
    text = projects.read_text(encoding="utf-8")
    projects.write_text(
        text.replace("  sector: renewable_energy\n", "  sector: oil_gas\n", 1), encoding="utf-8"
    )
    build(url, data_copy)
    after = client.get(page + "&offset=1").json()
    assert after["total"] == before["total"] + 1
    assert sum(f["count"] for f in after["facets"]["status"]) == after["total"]
