"""Every schema-valid request means something, and everything else is a 422 that says what is
allowed: repeatable equality filters, vocabulary enums built from data/vocabularies.yaml,
sort and facet as declared arrays of enums, single-valued parameters given once, parameters
an endpoint doesn't support refused, and an empty year range an empty page."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

Problem = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/openapi.json").json()
    return body


def _parameter(spec: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    (found,) = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == name]
    return found


def _array(parameter: dict[str, Any]) -> dict[str, Any]:
    array: dict[str, Any] = next(s for s in parameter["schema"]["anyOf"] if s["type"] == "array")
    return array


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(item["id"] for item in response.json()["items"])


# -------------------------------------------------------------------------- equality filters


def test_a_repeated_equality_filter_means_any_of(
    client: TestClient, dataset: dict[str, list[dict[str, Any]]]
) -> None:
    wanted = {"renewable_energy", "transport_logistics"}
    expected = sorted(p["id"] for p in dataset["projects"] if p["sector"] in wanted)
    both = client.get("/v1/projects?sector=renewable_energy&sector=transport_logistics&limit=500")
    assert _ids(both) == expected
    one = client.get("/v1/projects", params={"sector": "renewable_energy", "limit": 500})
    assert 0 < len(_ids(one)) < len(expected), "the second value added records"
    countries = client.get("/v1/people?country=KZ&country=CN&limit=500")
    kz = client.get("/v1/people?country=KZ&limit=500")
    cn = client.get("/v1/people?country=CN&limit=500")
    assert _ids(countries) == sorted(_ids(kz) + _ids(cn))


@pytest.mark.parametrize(
    ("collection", "name", "first", "second"),
    [
        ("events", "place", "astana", "almaty"),
        ("events", "person", "xi-jinping", "kassym-jomart-tokayev"),
        ("sister-cities", "place", "beijing", "almaty"),
        ("projects", "region", "KZ-31", "KZ-75"),
        ("quotes", "source", "sfc-2023-zhang-xiao", "govcn-2024-golden-eagle"),
        ("awards", "recipient", "xi-jinping", "dimash-kudaibergen"),
    ],
)
def test_every_equality_filter_is_repeatable(
    client: TestClient, collection: str, name: str, first: str, second: str
) -> None:
    """Each value alone, then both: both is exactly the union."""
    path = f"/v1/{collection}?limit=500"
    one = _ids(client.get(f"{path}&{name}={first}"))
    two = _ids(client.get(f"{path}&{name}={second}"))
    both = _ids(client.get(f"{path}&{name}={first}&{name}={second}"))
    assert both == sorted(set(one) | set(two))
    assert one and two, f"{collection}: pick values that match records ({name})"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/projects", "limit=1&limit=2"),
        ("/v1/projects", "format=json&format=csv"),
        ("/v1/projects", "q=wind&q=solar"),
        ("/v1/projects", "bri=true&bri=false"),
        ("/v1/projects/zhanatas-wind-farm", "format=json&format=json"),
        ("/v1/trade-stats/series", "metric=trade_turnover&metric=exports"),
        ("/v1/search", "q=wind&q=solar"),
    ],
)
def test_a_single_valued_parameter_given_twice_is_a_422(
    client: TestClient, assert_problem: Problem, path: str, params: str
) -> None:
    body = assert_problem(client.get(f"{path}?{params}"), 422)
    name = params.split("=", 1)[0]
    assert body["errors"][0]["loc"] == ["query", name]
    assert "one value" in body["detail"]


# ------------------------------------------------------------------------------ vocabularies


@pytest.mark.parametrize(
    ("path", "name", "value", "vocabulary"),
    [
        ("/v1/projects", "sector", "energy", "sector"),
        ("/v1/projects", "status", "finished", "project_status"),
        ("/v1/places", "kind", "town", "place_kind"),
        ("/v1/trade-stats/series", "metric", "nope", "trade_metric"),
        ("/v1/trade-stats", "kind", "guess", "trade_kind"),
        ("/v1/events", "type", "party", "event_type"),
    ],
)
def test_an_unknown_vocabulary_term_is_a_422_listing_the_allowed(
    client: TestClient,
    assert_problem: Problem,
    spec: dict[str, Any],
    vocabularies: dict[str, dict[str, str]],
    path: str,
    name: str,
    value: str,
    vocabulary: str,
) -> None:
    body = assert_problem(client.get(path, params={name: value}), 422)
    terms = list(vocabularies[vocabulary])
    assert body["allowed"] == terms
    assert repr(value) in body["detail"] and terms[0] in body["detail"]
    # The schema offers exactly the vocabulary's terms.
    schema = _parameter(spec, path, name)["schema"]
    enum = schema.get("enum") or _array(_parameter(spec, path, name))["items"]["enum"]
    assert enum == terms
    # And each of them is accepted.
    for term in terms[:3]:
        assert client.get(path, params={name: term}).status_code == 200, term


def test_a_curators_new_term_needs_no_code_change(
    data_copy: Path, make_client: Callable[..., TestClient], assert_problem: Problem
) -> None:
    vocabularies = data_copy / "vocabularies.yaml"
    text = vocabularies.read_text(encoding="utf-8")
    anchor = "  sector:\n"
    assert anchor in text
    vocabularies.write_text(
        text.replace(anchor, anchor + "    space: satellites and launch sites\n", 1),
        encoding="utf-8",
    )
    app = make_client(data_dir=data_copy)
    sector = _array(_parameter(app.get("/openapi.json").json(), "/v1/projects", "sector"))
    assert "space" in sector["items"]["enum"]
    answer = app.get("/v1/projects", params={"sector": "space"})
    assert answer.status_code == 200 and answer.json()["items"] == []
    assert_problem(app.get("/v1/projects", params={"sector": "spaceships"}), 422)


# ---------------------------------------------------------------------- country codes

# Every parameter that takes ISO 3166 codes, with a value the data holds.
COUNTRY_CODES = [
    ("/v1/people", "country", "KZ"),
    ("/v1/places", "country", "CN"),
    ("/v1/places", "region", "KZ-31"),
    ("/v1/projects", "host_country", "KZ"),
    ("/v1/projects", "region", "KZ-31"),
    ("/v1/awards", "conferred_by_country", "KZ"),
    *(
        (f"/v1/{name}", "pair", "CN-KZ")
        for name in (
            "projects", "awards", "trade-stats", "sister-cities", "quotes", "events", "indicators"
        )
    ),
    ("/v1/timeline", "pair", "CN-KZ"),
]  # fmt: skip
PATTERNS = {
    "pair": r"^[A-Z]{2}-[A-Z]{2}$",
    "region": r"^[A-Z]{2}-[A-Z0-9]{1,3}$",
}


@pytest.mark.parametrize(("path", "name", "value"), COUNTRY_CODES)
def test_country_codes_are_declared_and_checked(
    client: TestClient,
    assert_problem: Problem,
    spec: dict[str, Any],
    path: str,
    name: str,
    value: str,
) -> None:
    """ISO 3166-1 alpha-2 codes (and pairs of them, ISO 3166-2 region codes) in upper case, as
    the data holds them: the schema declares the pattern, and anything else is a 422."""
    items = _array(_parameter(spec, path, name))["items"]
    assert items["pattern"] == PATTERNS.get(name, r"^[A-Z]{2}$")
    answer = client.get(path, params={name: value})
    assert answer.status_code == 200 and answer.json()["items"], answer.text
    wrong = ["xxxx", value.lower(), f" {value}", "", "KZ,CN", "CN_KZ", "KAZ"]
    for bad in wrong:
        body = assert_problem(client.get(path, params={name: bad}), 422)
        assert name in body["detail"] or any(name in e["loc"] for e in body["errors"]), body
        # In a repeated filter too.
        assert_problem(client.get(path, params=[(name, value), (name, bad)]), 422)


def test_a_pair_is_checked_on_the_series_too(client: TestClient, assert_problem: Problem) -> None:
    series = "/v1/trade-stats/series"
    ok = client.get(series, params={"metric": "trade_turnover", "pair": "CN-KZ"})
    assert ok.status_code == 200 and ok.json()["series"]
    for bad in ("xxxx", "cn-kz", "CN-KZ-RU", "CNKZ"):
        assert_problem(client.get(series, params={"metric": "trade_turnover", "pair": bad}), 422)
    # A well-formed pair of no record is an empty answer, not an error.
    assert client.get("/v1/projects", params={"pair": "KZ-RU"}).json()["items"] == []


# ------------------------------------------------------------------------------ sort, facet


def test_sort_and_facet_are_declared_arrays_of_enums(
    client: TestClient, spec: dict[str, Any]
) -> None:
    from app.queries import projects

    sort = _parameter(spec, "/v1/projects", "sort")
    assert (sort["style"], sort["explode"]) == ("form", False)
    assert _array(sort)["items"]["enum"] == [
        value for name in projects.SORTABLE for value in (name, f"-{name}")
    ]
    facet = _parameter(spec, "/v1/projects", "facet")
    assert (facet["style"], facet["explode"]) == ("form", False)
    assert _array(facet)["items"]["enum"] == [*projects.SPEC.facets, "source"]
    # Every list declares its own values.
    places = _array(_parameter(spec, "/v1/places", "sort"))["items"]["enum"]
    assert places != _array(sort)["items"]["enum"]
    # Comma-separated, as declared; repeating the parameter means the same.
    one = client.get("/v1/projects?sort=sector,-name&facet=sector,status&limit=500")
    two = client.get("/v1/projects?sort=sector&sort=-name&facet=sector&facet=status&limit=500")
    assert one.status_code == two.status_code == 200
    assert one.json() == two.json()
    assert set(one.json()["facets"]) == {"sector", "status"}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/projects/zhanatas-wind-farm", {"sort": "name"}),
        ("/v1/projects/zhanatas-wind-farm", {"after": "a"}),
        ("/v1/search", {"q": "wind", "sort": "score"}),
        ("/v1/search", {"q": "wind", "facet": "collection"}),
        ("/v1/trade-stats/series", {"metric": "trade_turnover", "after": "x"}),
        ("/v1/meta", {"limit": "1"}),
        ("/v1/projects", {"facet": "name"}),
        ("/v1/projects", {"sort": "bri"}),
    ],
)
def test_what_an_endpoint_does_not_support_is_refused(
    client: TestClient, assert_problem: Problem, path: str, params: dict[str, str]
) -> None:
    assert_problem(client.get(path, params=params), 422)


# ---------------------------------------------------------------------------- empty ranges


@pytest.mark.parametrize("collection", ["projects", "quotes", "trade-stats", "events"])
def test_year_from_after_year_to_is_an_empty_page(client: TestClient, collection: str) -> None:
    response = client.get(f"/v1/{collection}", params={"year_from": 2024, "year_to": 2020})
    assert response.status_code == 200
    assert response.json()["items"] == [] and response.json()["total"] == 0


def test_vocabulary_filters_follow_the_registry() -> None:
    """A filter on a field the registry says takes a vocabulary declares that vocabulary (so
    its enum and check follow data/vocabularies.yaml), and no other filter declares one."""
    from app.api.params import vocabulary_of
    from app.registry import COLLECTIONS

    declared = 0
    for collection in COLLECTIONS:
        for name in collection.query.model_fields:
            expected = collection.vocabularies.get(name)
            assert vocabulary_of(collection.query, name) == expected, (collection.path, name)
            declared += expected is not None
    assert declared >= 9
