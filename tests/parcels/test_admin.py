"""The admin in Spanish: pages render for staff, saves go through the field-data checks."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from parcels import services
from parcels.models import MonitoringPlot, Parcel, TreeMeasurement
from smallholders.models import Smallholder
from tests.base import PASSWORD
from tests.parcels.builders import cell, make_parcel, make_smallholder, species

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def owner(personas):
    return make_smallholder(personas.project_a, personas.coop_a1)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/smallholders/smallholder/",
        "/admin/smallholders/smallholder/add/",
        "/admin/parcels/parcel/",
        "/admin/parcels/parcel/add/",
        "/admin/parcels/planting/",
        "/admin/parcels/monitoringplot/add/",
        "/admin/parcels/treemeasurement/",
        "/admin/parcels/species/",
        "/admin/parcels/stratum/",
    ],
)
def test_admin_pages_render_in_spanish_for_staff(personas, owner, url):
    make_parcel(owner)
    response = login(personas.staff_a1).get(url)
    assert response.status_code == 200
    assert 'lang="es"' in response.content.decode()


def test_the_parcel_map_loads_openlayers_from_our_static_files(personas, owner):
    page = login(personas.staff_a1).get("/admin/parcels/parcel/add/").content.decode()
    assert "vendor/ol/ol.js" in page
    assert "cdn.jsdelivr" not in page


def test_staff_change_pages_show_their_smallholders_and_404_for_others(personas, owner):
    other = make_smallholder(personas.project_b, personas.coop_b1, dni="40999999")
    client = login(personas.staff_a1)
    page = client.get(f"/admin/smallholders/smallholder/{owner.pk}/change/")
    assert page.status_code == 200 and "40123456" in page.content.decode()
    missing = client.get(f"/admin/smallholders/smallholder/{other.pk}/change/")
    assert missing.status_code in (302, 404)  # the admin redirects "not found" to the index
    assert Smallholder.objects.get(pk=other.pk).dni == "40999999"


def test_verifiers_see_masked_personal_data(personas, owner):
    page = login(personas.verifier).get(f"/admin/smallholders/smallholder/{owner.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "40123456" not in html and "••••••56" in html
    listing = login(personas.verifier).get("/admin/smallholders/smallholder/").content.decode()
    assert "40123456" not in listing


def test_staff_add_a_smallholder_through_the_admin(personas):
    response = login(personas.staff_a1).post(
        "/admin/smallholders/smallholder/add/",
        {
            "project": personas.project_a.pk,
            "cooperative": personas.coop_a1.pk,
            "dni": "41234567",
            "first_name": "Rosa",
            "last_name": "Huamán",
            "gender": "female",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "parcels-TOTAL_FORMS": "0",
            "parcels-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Smallholder.objects.get(dni="41234567")
    assert created.memberships.count() == 1


def parcel_form(owner, code: str, boundary) -> dict:
    return {
        "smallholder": owner.pk,
        "code": code,
        "boundary": boundary.ewkt,
        "land_use_before": "coffee",
        "plantings-TOTAL_FORMS": "0",
        "plantings-INITIAL_FORMS": "0",
    }


def test_the_admin_refuses_an_overlapping_parcel_in_spanish(personas, owner):
    make_parcel(owner, "PCH-1", cell(0))
    client = login(personas.staff_a1)
    response = client.post("/admin/parcels/parcel/add/", parcel_form(owner, "PCH-2", cell(0)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "se superpone a otras parcelas" in html and "PCH-1" in html
    saved = client.post("/admin/parcels/parcel/add/", parcel_form(owner, "PCH-2", cell(1)))
    assert saved.status_code == 302
    assert Parcel.objects.get(code="PCH-2").area_epsg == 32718


def test_admin_actions_move_parcels_through_the_workflow(personas, owner):
    parcel = make_parcel(owner)
    staff, manager = login(personas.staff_a1), login(personas.manager_a)
    changelist = "/admin/parcels/parcel/"
    staff.post(changelist, {"action": "submit", "_selected_action": [parcel.pk]})
    parcel.refresh_from_db()
    assert parcel.status == "submitted"
    staff.post(changelist, {"action": "validate", "_selected_action": [parcel.pk]})
    parcel.refresh_from_db()
    assert parcel.status == "submitted"  # staff do not validate
    manager.post(
        changelist, {"action": "reject", "_selected_action": [parcel.pk], "reason": "bosque"}
    )
    parcel.refresh_from_db()
    assert (parcel.status, parcel.rejection_reason) == ("rejected", "bosque")


def test_the_csv_action_exports_the_selection_with_spanish_headers(personas, owner):
    parcel = make_parcel(owner)
    response = login(personas.staff_a1).post(
        "/admin/parcels/parcel/", {"action": "export_csv_action", "_selected_action": [parcel.pk]}
    )
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert "código" in header and "superficie (ha)" in header


def test_the_plot_admin_derives_the_area_from_the_radius(personas, owner):
    parcel = make_parcel(owner)
    centre = parcel.boundary.centroid
    response = login(personas.staff_a1).post(
        "/admin/parcels/monitoringplot/add/",
        {
            "parcel": parcel.pk,
            "code": "M1",
            "centre": centre.ewkt,
            "radius_m": "5.64",
            "measured_on": dt.date(2016, 1, 1).strftime("%d/%m/%Y"),
            "permanent": "on",
            "trees-TOTAL_FORMS": "0",
            "trees-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert str(parcel.plots.get().area_m2) == "99.93"


def test_a_locked_boundary_changed_in_the_admin_is_a_form_error_in_spanish(personas, owner):
    parcel = make_parcel(owner, "PCH-1", cell(0))
    services.submit_parcel(parcel_id=parcel.pk, actor=personas.staff_a1)
    client = login(personas.staff_a1)
    url = f"/admin/parcels/parcel/{parcel.pk}/change/"
    response = client.post(url, parcel_form(owner, "PCH-1", cell(1)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "PCH-1" in html and "recházala antes de editar su límite" in html
    assert Parcel.objects.get(pk=parcel.pk).boundary.equals_exact(cell(0), 1e-9)
    renamed = client.post(url, {**parcel_form(owner, "PCH-1", cell(0)), "name": "Chacra"})
    assert renamed.status_code == 302
    assert Parcel.objects.get(pk=parcel.pk).name == "Chacra"


def test_the_plot_admin_checks_as_the_door_and_saves_its_trees_through_it(personas, owner):
    """The plot's form runs record_monitoring_plots' checks (a centre outside the parcel is a
    form error, not a plot); the plot and its inline trees are written by the bulk services,
    their history by the person."""
    parcel = make_parcel(owner)
    inga = species()
    client, url = login(personas.staff_a1), "/admin/parcels/monitoringplot/add/"
    plot = {
        "parcel": parcel.pk,
        "code": "M1",
        "centre": Point(-74.5, -10.5, srid=4326).ewkt,
        "radius_m": "5.64",
        "measured_on": dt.date(2016, 1, 1).strftime("%d/%m/%Y"),
        "trees-TOTAL_FORMS": "1",
        "trees-INITIAL_FORMS": "0",
        "trees-0-tree_tag": "T1",
        "trees-0-stem": "1",
        "trees-0-species": inga.pk,
        "trees-0-dbh_cm": "12.5",
        "trees-0-status": "alive",
        "trees-0-origin": "planted",
    }
    refused = client.post(url, plot)
    assert refused.status_code == 200
    assert f"queda fuera de la parcela {parcel.code}" in refused.content.decode()
    assert not MonitoringPlot.objects.exists()
    saved = client.post(url, {**plot, "centre": parcel.boundary.centroid.ewkt})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    tree = TreeMeasurement.objects.get(plot__parcel=parcel)
    assert tree.history.get().history_user == personas.staff_a1
    assert tree.plot.history.get().history_user == personas.staff_a1
