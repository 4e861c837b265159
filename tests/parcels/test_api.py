"""Every persona against every field-data endpoint: list, detail, write; 404 across scopes."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from parcels import services
from parcels.models import Parcel
from tests.parcels.builders import cell, make_parcel, make_smallholder, species

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    """One record of each kind in cooperative A1 (project A) and one in B1 (project B)."""
    records = {}
    for key, project, coop, i, dni in (
        ("a", personas.project_a, personas.coop_a1, 0, "40000001"),
        ("b", personas.project_b, personas.coop_b1, 10, "40000002"),
    ):
        owner = make_smallholder(project, coop, dni=dni, phone="987000111")
        parcel = make_parcel(owner, f"P-{key}", cell(i))
        planting = services.record_planting(
            parcel=parcel, species=species(), planted_on=dt.date(2011, 1, 1), trees_planted=200
        )
        count = services.record_survival_count(
            planting=planting, counted_on=dt.date(2012, 1, 1), trees_alive=150
        )
        plot = services.record_monitoring_plot(
            parcel=parcel,
            code="M1",
            centre=parcel.boundary.centroid,
            measured_on=dt.date(2016, 1, 1),
            radius_m=Decimal("5.64"),
        )
        tree = services.record_tree_measurement(
            plot=plot,
            species=species(),
            tree_tag="T1",
            dbh_cm=Decimal("12.5"),
            height_m=Decimal("8"),
        )
        records[key] = {
            "smallholders": owner.pk,
            "parcels": parcel.pk,
            "plantings": planting.pk,
            "survival-counts": count.pk,
            "plots": plot.pk,
            "tree-measurements": tree.pk,
        }
    return records


ENDPOINTS = [
    "smallholders",
    "parcels",
    "plantings",
    "survival-counts",
    "plots",
    "tree-measurements",
]
#: persona -> which cooperative's records they see ("a", "b"), None for denied (403)
READERS = {
    "superuser": {"a", "b"},
    "manager_a": {"a"},
    "staff_a1": {"a"},
    "staff_b1": {"b"},
    "verifier": {"a", "b"},
    "buyer": None,
    "nobody": None,
}


def client_for(personas, name):
    client = APIClient()
    if name != "anonymous":
        client.force_authenticate(getattr(personas, name))
    return client


def listed_ids(response):
    body = response.json()
    features = body["results"]
    if isinstance(features, dict):  # GeoJSON FeatureCollection inside the page
        features = features["features"]
    return {f["properties"]["id"] if "properties" in f else f["id"] for f in features}


@pytest.mark.parametrize("name", [*READERS, "anonymous"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_scopes_lists_and_details_per_persona(personas, world, name, endpoint):
    client = client_for(personas, name)
    response = client.get(f"/api/v1/{endpoint}/")
    visible = READERS.get(name)
    if visible is None:  # signed in without the right: 403; not signed in: 401
        assert response.status_code == (401 if name == "anonymous" else 403)
        assert "error" in response.json()
        return
    assert response.status_code == 200
    assert listed_ids(response) == {world[k][endpoint] for k in visible}
    for key in ("a", "b"):
        detail = client.get(f"/api/v1/{endpoint}/{world[key][endpoint]}/")
        assert detail.status_code == (200 if key in visible else 404)


@pytest.mark.parametrize(
    "name, status",
    [
        ("staff_a1", 201),
        ("manager_a", 201),
        ("superuser", 201),
        ("staff_b1", 400),
        ("verifier", 403),
        ("buyer", 403),
        ("nobody", 403),
        ("anonymous", 401),
    ],
)
def test_it_lets_only_writers_in_scope_create_plantings(personas, world, name, status):
    response = client_for(personas, name).post(
        "/api/v1/plantings/",
        {
            "parcel": world["a"]["parcels"],
            "species": species().pk,
            "planted_on": "2012-03-01",
            "trees_planted": 50,
            "arrangement": "shade",
        },
        format="json",
    )
    assert response.status_code == status
    if status == 400:  # another cooperative's parcel does not exist for staff_b1
        assert "parcel" in response.json()["error"]["fields"]


@pytest.mark.parametrize("name", ["staff_b1", "verifier", "buyer"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_never_lets_others_change_a_record(personas, world, name, endpoint):
    response = client_for(personas, name).patch(
        f"/api/v1/{endpoint}/{world['a'][endpoint]}/", {"notes": "x"}, format="json"
    )
    assert response.status_code in (403, 404)


@pytest.mark.parametrize(
    "name, sees",
    [
        ("superuser", True),
        ("manager_a", True),
        ("staff_a1", True),
        ("verifier", False),
    ],
)
def test_it_shows_personal_data_only_to_staff_and_managers(personas, world, name, sees):
    body = (
        client_for(personas, name).get(f"/api/v1/smallholders/{world['a']['smallholders']}/").json()
    )
    assert (body["dni"] == "40000001") is sees
    assert (body["phone"] == "987000111") is sees
    if not sees:
        assert body["dni"].endswith("01") and "4000000" not in body["dni"]


def test_it_registers_a_parcel_and_rejects_an_overlap_by_name(personas, world):
    client = client_for(personas, "staff_a1")
    feature = {
        "type": "Feature",
        "geometry": json.loads(cell(1).json),
        "properties": {
            "smallholder": world["a"]["smallholders"],
            "code": "P-new",
            "land_use_before": "coffee",
        },
    }
    created = client.post("/api/v1/parcels/", feature, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["properties"]["area_epsg"] == 32718
    feature["properties"]["code"] = "P-dup"
    feature["geometry"] = json.loads(cell(0).json)
    refused = client.post("/api/v1/parcels/", feature, format="json")
    assert refused.status_code == 400
    assert "P-a" in refused.json()["error"]["fields"]["boundary"][0]


def test_it_runs_the_workflow_through_the_api(personas, world):
    pk = world["a"]["parcels"]
    staff, manager = client_for(personas, "staff_a1"), client_for(personas, "manager_a")
    assert staff.post(f"/api/v1/parcels/{pk}/submit/").status_code == 200
    assert staff.post(f"/api/v1/parcels/{pk}/submit/").status_code == 409
    assert staff.post(f"/api/v1/parcels/{pk}/validate/").status_code == 403
    assert (
        client_for(personas, "verifier").post(f"/api/v1/parcels/{pk}/validate/").status_code == 403
    )
    rejected = manager.post(f"/api/v1/parcels/{pk}/reject/", {"reason": "bosque"}, format="json")
    assert rejected.json()["properties"]["status"] == "rejected"


def test_it_filters_parcels_by_bbox(personas, world):
    client = client_for(personas, "superuser")
    x0, y0, x1, y1 = cell(0).extent
    response = client.get(f"/api/v1/parcels/?in_bbox={x0},{y0},{x1},{y1}")
    assert listed_ids(response) == {world["a"]["parcels"]}


def test_species_are_read_only_for_the_people_of_the_projects(personas):
    staff = client_for(personas, "staff_a1")
    assert staff.get("/api/v1/species/?code=INGAEDU").json()["results"][0]["code"] == "INGAEDU"
    assert staff.post("/api/v1/species/", {}).status_code == 405
    for outsider in ("buyer", "nobody"):
        assert client_for(personas, outsider).get("/api/v1/species/").status_code == 403
    assert client_for(personas, "anonymous").get("/api/v1/species/").status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"type": "Feature", "properties": "x", "geometry": None},
        {"type": "Feature", "properties": ["code"], "geometry": None},
        {"type": "Feature", "properties": None},
    ],
)
def test_a_feature_whose_properties_are_not_an_object_is_a_400(personas, world, body):
    response = client_for(personas, "staff_a1").post("/api/v1/parcels/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["properties"]
    assert Parcel.objects.count() == 2


@pytest.mark.parametrize("method", ["put", "patch"])
def test_multipart_parcel_changes_are_checked_like_json(personas, world, method):
    pk = world["a"]["parcels"]
    client = client_for(personas, "staff_a1")
    send = getattr(client, method)
    response = send(
        f"/api/v1/parcels/{pk}/", {"properties": "x", "geometry": "y"}, format="multipart"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["properties"]
    renamed = send(f"/api/v1/parcels/{pk}/", {"name": "Chacra"}, format="multipart")
    if method == "patch":
        assert renamed.status_code == 200, renamed.json()
        assert Parcel.objects.get(pk=pk).name == "Chacra"
    else:  # a PUT must carry every required field
        assert renamed.status_code == 400
        assert "smallholder" in renamed.json()["error"]["fields"]


def test_a_locked_boundary_changed_through_the_api_is_a_409_and_nothing_changes(personas, world):
    pk = world["a"]["parcels"]
    services.submit_parcel(parcel_id=pk, actor=personas.staff_a1)
    before = Parcel.objects.get(pk=pk).boundary
    client = client_for(personas, "staff_a1")
    moved = json.loads(cell(3).json)
    for body in ({"type": "Feature", "properties": {}, "geometry": moved}, {"geometry": moved}):
        response = client.patch(f"/api/v1/parcels/{pk}/", body, format="json")
        assert response.status_code == 409
        assert "P-a" in response.json()["error"]["message"]
    assert Parcel.objects.get(pk=pk).boundary.equals_exact(before, 1e-9)


def test_it_answers_invalid_measurements_with_field_errors(personas, world):
    response = client_for(personas, "staff_a1").post(
        "/api/v1/tree-measurements/",
        {
            "plot": world["a"]["plots"],
            "species": species().pk,
            "tree_tag": "T9",
            "dbh_cm": "12",
            "height_m": "1.1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["height_m"]
