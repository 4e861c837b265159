"""The audit trail ("Historial") and its revert form keep every scope and role rule (issue 9)."""

import datetime as dt

from django.test import Client

from smallholders.models import ProjectCooperative, Smallholder
from tests.base import PASSWORD
from tests.parcels.builders import make_smallholder
from tests.pichanaki.matrix_checks import form_payload


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def history_urls(holder: Smallholder) -> tuple[str, str]:
    version = holder.history.order_by("history_id").first()
    base = f"/admin/smallholders/smallholder/{holder.pk}/history/"
    return base, f"{base}{version.history_id}/"


def test_another_cooperatives_history_is_not_found(personas) -> None:
    holder = make_smallholder(personas.project_b, personas.coop_b1, phone="987654321")
    listing, version = history_urls(holder)
    client = login("staff_a1")
    assert client.get(listing).status_code == 404
    assert client.get(version).status_code == 404
    shown = login("root").get(version)
    response = client.post(version, form_payload(shown) | {"first_name": "Robado"})
    assert response.status_code == 404
    holder.refresh_from_db()
    assert holder.first_name == "Juana"


def test_the_verifier_reads_the_history_but_cannot_revert(personas) -> None:
    holder = make_smallholder(personas.project_a, personas.coop_a1)
    listing, version = history_urls(holder)
    client = login("verifier")
    assert client.get(listing).status_code == 200
    shown = client.get(version)
    assert shown.status_code == 200
    response = client.post(version, form_payload(shown) | {"first_name": "Cambiado"})
    assert response.status_code == 403
    holder.refresh_from_db()
    assert holder.first_name == "Juana"


def test_staff_revert_their_own_smallholder_through_the_change_form(personas) -> None:
    holder = make_smallholder(personas.project_a, personas.coop_a1, community="Alto Pichanaki")
    Smallholder.objects.filter(pk=holder.pk).update(community="Bajo")
    _listing, version = history_urls(holder)
    client = login("staff_a1")
    shown = client.get(version)
    response = client.post(version, form_payload(shown))
    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.community == "Alto Pichanaki"


def test_a_revert_never_restores_what_the_form_does_not_edit(personas) -> None:
    """The cooperative is read-only on the change form: an old version that lay in another
    cooperative does not move the smallholder back there (nor out of the person's scope)."""
    ProjectCooperative.objects.create(
        project=personas.project_a, cooperative=personas.coop_b1, joined_on=dt.date(2010, 1, 1)
    )
    holder = make_smallholder(personas.project_a, personas.coop_b1)
    holder.cooperative = personas.coop_a1
    holder.save()  # moved into cooperative A1 (second version)
    _listing, version = history_urls(holder)  # the first version: cooperative B1
    client = login("staff_a1")
    shown = client.get(version)
    assert shown.status_code == 200
    client.post(version, form_payload(shown))
    holder.refresh_from_db()
    assert holder.cooperative_id == personas.coop_a1.pk


def test_the_history_hides_personal_changes_from_the_verifier(personas) -> None:
    holder = make_smallholder(personas.project_a, personas.coop_a1, phone="911111111")
    holder.phone = "922222222"
    holder.save()
    listing, _version = history_urls(holder)
    assert "922222222" not in login("verifier").get(listing).content.decode()
    assert "922222222" in login("manager_a").get(listing).content.decode()


def test_an_invalid_revert_writes_nothing_and_names_the_field(personas) -> None:
    holder = make_smallholder(personas.project_a, personas.coop_a1)
    _listing, version = history_urls(holder)
    client = login("staff_a1")
    shown = client.get(version)
    response = client.post(version, form_payload(shown) | {"birth_year": "mil"}, follow=True)
    assert response.redirect_chain[0] == (version, 302)
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.lower().startswith("año de nacimiento:") for m in messages), messages
    holder.refresh_from_db()
    assert holder.birth_year is None
