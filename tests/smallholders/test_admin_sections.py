"""Each role sees the admin sections and filter choices it can use (issue 8)."""

from django.test import Client

from tests.base import PASSWORD, make_cooperative, make_project
from tests.parcels.builders import make_parcel, make_smallholder


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def sections(client: Client) -> set[str]:
    response = client.get("/admin/")
    assert response.status_code == 200
    return {m["object_name"] for app in response.context["app_list"] for m in app["models"]}


def test_technicians_see_their_field_data_sections_only(personas) -> None:
    """Their field data and their families' benefit sharing (issue 11), nothing of the registry."""
    assert sections(login("staff_a1")) == {
        "Cooperative",
        "Smallholder",
        "Parcel",
        "Planting",
        "MonitoringPlot",
        "TreeMeasurement",
        "DistributionLine",
        "Grievance",
        "StatementBatch",
    }


def test_technicians_cannot_open_the_registrys_sections(personas) -> None:
    client = login("staff_a1")
    for url in (
        "/admin/quantification/parameterset/",
        "/admin/credits/serialblock/",
        "/admin/credits/ledgerevent/",
        "/admin/credits/apikey/",
        "/admin/credits/",
        "/admin/benefits/distribution/",
        "/admin/benefits/sharingpolicy/",
        "/admin/benefits/trusthold/",
    ):
        assert client.get(url).status_code in (403, 404), url


def test_technicians_still_find_species_through_autocomplete(personas) -> None:
    url = "/admin/autocomplete/?app_label=parcels&model_name=planting&field_name=species&term=inga"
    response = login("staff_a1").get(url)
    assert response.status_code == 200
    assert response.json()["results"]


def test_managers_and_verifiers_see_the_registry(personas) -> None:
    for username in ("manager_a", "verifier"):
        shown = sections(login(username))
        assert {"ParameterSet", "CalculationRun", "SerialBlock", "ApiKey"} <= shown, username
        assert "User" not in shown


def filter_choices(response, field_path: str) -> list[str]:
    specs = [s for s in response.context["cl"].filter_specs if s.field_path == field_path]
    return [text for spec in specs for _pk, text in spec.lookup_choices]


def test_the_cooperative_filter_lists_only_cooperatives_in_scope(personas) -> None:
    make_cooperative("a2", personas.project_a, seed=3)
    make_cooperative("b2", personas.project_b, seed=4)
    make_parcel(make_smallholder(personas.project_a, personas.coop_a1), code="A-1")
    response = login("manager_a").get("/admin/parcels/parcel/")
    assert filter_choices(response, "smallholder__cooperative") == [
        "Cooperativa a1",
        "Cooperativa a2",
    ]
    assert "Cooperativa b1" not in response.content.decode()


def test_a_technician_gets_no_cooperative_filter_to_choose_from(personas) -> None:
    make_cooperative("a2", personas.project_a, seed=3)
    response = login("staff_a1").get("/admin/smallholders/smallholder/")
    assert filter_choices(response, "cooperative") == []  # one choice: no filter shown
    html = response.content.decode()
    assert "Cooperativa b1" not in html and "Cooperativa a2" not in html


def test_the_project_filter_lists_only_the_managers_projects(personas) -> None:
    make_project("pc")
    personas.manager_a.profile.projects.add(make_project("pd"))
    response = login("manager_a").get("/admin/smallholders/smallholder/")
    assert filter_choices(response, "project") == ["Proyecto pa", "Proyecto pd"]
