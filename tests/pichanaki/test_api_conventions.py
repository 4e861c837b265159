"""API conventions (`pichanaki.api`, `pichanaki.parsers`): JSON depth, strict pagination."""

import pytest
from rest_framework.test import APIClient

from pichanaki.parsers import json_depth_exceeds

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "limit", "exceeds"),
    [
        ("[[[]]]", 3, False),
        ("[[[[]]]]", 3, True),
        ('{"a": {"b": [1, {"c": 2}]}}', 4, False),
        ('{"a": {"b": [1, {"c": 2}]}}', 3, True),
        ('["[[[[[[", "{{{{\\"[[[["]', 1, False),  # brackets inside strings do not count
        ("[" * 1000, 32, True),
    ],
)
def test_it_measures_json_depth_outside_strings(raw: str, limit: int, exceeds: bool) -> None:
    assert json_depth_exceeds(raw, limit) is exceeds


def signed_in(personas) -> APIClient:
    client = APIClient()
    client.force_authenticate(personas.manager_a)
    return client


@pytest.mark.parametrize(
    "query",
    [
        "page_size=null",
        "page_size=",
        "page_size=0",
        "page_size=-5",
        "page_size=1.5",
        "page=abc",
        "page=0",
        "page=",
        "page=%C2%B2",
    ],
)
def test_malformed_pages_are_refused_with_the_parameter_named(personas, query: str) -> None:
    response = signed_in(personas).get(f"/api/v1/projects/?{query}")
    assert response.status_code == 400, response.content
    name = query.partition("=")[0]
    assert list(response.json()["error"]["fields"]) == [name]


def test_pages_keep_working_as_before(personas) -> None:
    client = signed_in(personas)
    assert client.get("/api/v1/projects/?page_size=1").json()["count"] == 1
    assert len(client.get("/api/v1/projects/?page_size=100000").json()["results"]) == 1
    assert client.get("/api/v1/projects/?page=last").status_code == 200
    assert client.get("/api/v1/projects/?page=7").status_code == 404


def test_the_schema_documents_pages_from_one() -> None:
    schema = APIClient().get("/api/schema/?format=json").json()
    parameters = schema["paths"]["/api/v1/projects/"]["get"]["parameters"]
    pages = {p["name"]: p["schema"] for p in parameters if p["name"] in ("page", "page_size")}
    assert pages == {
        "page": {"type": "integer", "minimum": 1},
        "page_size": {"type": "integer", "minimum": 1},
    }


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/plantings/?planted_before=", "planted_before"),
        ("/api/v1/survival-counts/?counted_on=", "counted_on"),
        ("/api/v1/species/?native_to_peru=null", "native_to_peru"),
        ("/api/v1/plots/?permanent=yes", "permanent"),
        ("/api/v1/cooperatives/?projects=190135748330790944768", "projects"),
        ("/api/v1/availability/?unit_type=", "unit_type"),
    ],
)
def test_malformed_filters_are_refused_with_the_filter_named(personas, url: str, name: str):
    response = signed_in(personas).get(url)
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [name]


def test_well_formed_filters_still_filter(personas) -> None:
    client = signed_in(personas)
    assert client.get("/api/v1/species/?native_to_peru=true").json()["count"] > 0
    assert client.get("/api/v1/species/?native_to_peru=false").status_code == 200
    projects = client.get(f"/api/v1/cooperatives/?projects={personas.project_a.pk}").json()
    assert [row["code"] for row in projects["results"]] == ["a1"]


@pytest.mark.parametrize(
    "path", ["/api/v1/parcels/0.5/", "/api/v1/reservations/1e5/confirm/", "/api/v1/nothing/"]
)
def test_paths_no_endpoint_matches_get_the_json_404(personas, path: str) -> None:
    response = (
        signed_in(personas).post(path) if "confirm" in path else signed_in(personas).get(path)
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
