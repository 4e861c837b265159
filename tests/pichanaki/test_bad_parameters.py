"""Issue 9, no 500 from bad input, outside the API's bodies: a NUL character in a query or form
parameter (PostgreSQL text cannot hold one: psycopg raised DataError, a 500, wherever a value
reached a query unvalidated: panel search, admin filters, autocomplete, action selections)."""

import pytest
from django.test import Client

from tests.base import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/panel/{project}/families/?q=%00",
        "/panel/{project}/?cooperative=%00",
        "/panel/{project}/map/parcels.geojson?bbox=-76,-12,-74,-10&cooperative=a%00",
        "/admin/parcels/parcel/?status=%00",
        "/admin/parcels/parcel/?status%00=draft",
        "/admin/autocomplete/?app_label=parcels&model_name=parcel&field_name=smallholder&term=%00",
    ],
)
def test_a_nul_character_in_the_query_is_a_400(personas, url) -> None:
    response = signed_in("manager_a").get(url.format(project=personas.project_a.code))
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_character_in_a_form_post_is_a_400(personas) -> None:
    data = {"action": "export_csv_action", "_selected_action": ["\x00"], "index": "0"}
    response = signed_in("manager_a").post("/admin/parcels/parcel/", data)
    assert response.status_code == 400


def test_the_api_answers_in_its_error_shape(personas) -> None:
    client = signed_in("manager_a")
    response = client.get("/api/v1/parcels/?code=%00")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_binary_files_still_upload(personas) -> None:
    """Only text parameters are checked: a file may hold NUL bytes (an XLSX, a KMZ)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("socios.csv", b"dni;nombres\x00;apellidos\n")
    response = signed_in("staff_a1").post(
        "/admin/import/",
        {"kind": "smallholders", "project": personas.project_a.pk, "file": upload},
    )
    assert response.status_code in (200, 302)


# The admin's own parameters (every ScopedAdmin): ids and lookups that are not what they name.


@pytest.mark.parametrize(
    "url",
    [
        "/admin/parcels/parcel/?created_at__year=0",
        "/admin/parcels/parcel/?created_at__year=99999999999999",
    ],
)
def test_a_date_lookup_out_of_range_is_the_admins_invalid_filter_answer(personas, url) -> None:
    """Django answers a lookup it cannot use with a redirect to `?e=1` ("invalid filter")."""
    response = signed_in("manager_a").get(url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("?e=1")


@pytest.mark.parametrize("version", ["abc", "1.5"])
def test_a_past_version_that_is_no_number_is_not_found(personas, version) -> None:
    smallholder = personas.coop_a1.smallholders.first() or _smallholder(personas)
    url = f"/admin/smallholders/smallholder/{smallholder.pk}/history/{version}/"
    client = signed_in("staff_a1")
    assert client.get(url).status_code == 404
    assert client.post(url, {"first_name": "X"}).status_code == 404


@pytest.mark.parametrize("selected", ["abc", "1.5"])
def test_an_action_on_a_selection_that_is_no_id_is_a_400(personas, selected) -> None:
    data = {"action": "export_csv_action", "_selected_action": [selected], "index": "0"}
    response = signed_in("manager_a").post("/admin/smallholders/smallholder/", data)
    assert response.status_code == 400


def _smallholder(personas):
    from smallholders.models import Smallholder

    return Smallholder.objects.create(
        project=personas.project_a,
        cooperative=personas.coop_a1,
        dni="40999999",
        first_name="Ana",
        last_name="Paz",
    )
