"""The admin enforces roles and scopes and keeps an audit trail."""

import pytest
from django.test import Client

from smallholders.models import Cooperative
from tests.base import PASSWORD


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD)
    return client


def test_staff_see_only_their_cooperative(client: Client, personas) -> None:
    login(client, "staff_a1")
    response = client.get("/admin/smallholders/cooperative/")
    assert response.status_code == 200
    assert "Cooperativa a1" in response.text
    assert "Cooperativa b1" not in response.text


def test_another_cooperatives_page_is_not_found_for_staff(client: Client, personas) -> None:
    login(client, "staff_a1")
    response = client.get(f"/admin/smallholders/cooperative/{personas.coop_b1.pk}/change/")
    assert response.status_code == 404  # out of scope is "not found", as in the API


def test_verifiers_read_but_cannot_change(client: Client, personas) -> None:
    login(client, "verifier")
    url = f"/admin/smallholders/cooperative/{personas.coop_a1.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Renamed"})
    assert response.status_code == 403


def test_buyers_cannot_use_the_admin(client: Client, personas) -> None:
    response = client.post("/admin/login/", {"username": "buyer", "password": PASSWORD})
    assert response.status_code == 200  # stays on the login form
    assert client.get("/admin/").status_code == 302


def test_edits_are_recorded_with_who_and_what(client: Client, personas) -> None:
    login(client, "manager_a")
    url = f"/admin/smallholders/cooperative/{personas.coop_a1.pk}/change/"
    form = {
        "code": "a1",
        "name": "Cooperativa Agraria a1",
        "ruc": personas.coop_a1.ruc,
        "region": "Junín",
        "address": "",
        "contact_name": "Rosa",
        "contact_phone": "",
        "contact_email": "",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.text[:2000]
    latest = Cooperative.history.filter(id=personas.coop_a1.pk).latest("history_date")
    assert latest.history_user == personas.manager_a
    assert latest.name == "Cooperativa Agraria a1"
    delta = latest.diff_against(latest.prev_record)
    assert {change.field for change in delta.changes} == {"name", "contact_name"}
    history_page = client.get(f"{url.removesuffix('change/')}history/")
    assert history_page.status_code == 200
    assert "manager_a" in history_page.text


@pytest.mark.parametrize("ruc", ["20123", "30123456789", "20123456780"])
def test_invalid_rucs_are_refused_with_a_reason(ruc: str) -> None:
    from django.core.exceptions import ValidationError

    from smallholders.validators import validate_ruc

    with pytest.raises(ValidationError):
        validate_ruc(ruc)
