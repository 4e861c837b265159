"""Keys, ownership and roles: who may call what."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from credits.api.keys import create_api_key, revoke_api_key
from credits.models import ApiKey, BuyerOrganisation
from tests.credits.api.conftest import key_client
from tests.credits.api.helpers import reserve
from tests.credits.factories import make_buyer

pytestmark = pytest.mark.django_db


def test_it_answers_availability_anonymously_without_personal_data(ledger):
    response = APIClient().get("/api/v1/availability/", {"vintage": 2012, "unit_type": "VER"})
    assert response.status_code == 200
    project = response.json()["results"][0]["project"]
    assert project["code"] == ledger.personas.project_a.code
    assert project["location"]["type"] == "Point"
    assert set(project) >= {"area_ha", "trees_planted", "species", "standard"}
    text = response.content.decode()
    for parcel in ledger.parcels:
        assert parcel.smallholder.dni not in text and parcel.smallholder.last_name not in text


def test_it_refuses_unknown_filters(ledger):
    response = APIClient().get("/api/v1/availability/", {"vintag": 2012})
    assert response.status_code == 400
    assert "vintag" in response.json()["error"]["fields"]


@pytest.mark.parametrize("header", ["Api-Key nonsense", "Api-Key pch_00000000_forged", "Api-Key "])
def test_it_refuses_bad_keys_with_401(ledger, header):
    response = APIClient().get("/api/v1/holdings/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Api-Key"


def test_it_refuses_expired_and_revoked_keys(ledger):
    expired, raw_expired = create_api_key(name="old", organisation=ledger.buyer)
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    revoked, raw_revoked = create_api_key(name="gone", organisation=ledger.buyer)
    revoke_api_key(api_key=revoked)
    for raw in (raw_expired, raw_revoked):
        assert key_client(raw).get("/api/v1/holdings/").status_code == 401


def test_it_asks_for_a_key_on_buyer_endpoints(ledger):
    response = APIClient().get("/api/v1/holdings/")
    assert response.status_code == 401


def test_it_shows_buyers_only_their_own_reservations(ledger, buyer_client):
    mine = reserve(buyer_client, ledger, 10)
    other, _account = make_buyer("Otra Empresa SA")
    _key, raw = create_api_key(name="other", organisation=other)
    other_client = key_client(raw)
    assert other_client.get(f"/api/v1/reservations/{mine['id']}/").status_code == 404
    assert other_client.delete(f"/api/v1/reservations/{mine['id']}/").status_code == 404
    assert other_client.get("/api/v1/reservations/").json()["count"] == 0
    assert other_client.get("/api/v1/holdings/").json()["count"] == 0
    assert buyer_client.get(f"/api/v1/reservations/{mine['id']}/").status_code == 200


def test_it_lets_buyers_release_their_reservation(ledger, buyer_client):
    mine = reserve(buyer_client, ledger, 10)
    released = buyer_client.delete(f"/api/v1/reservations/{mine['id']}/")
    assert released.status_code == 200 and released.json()["status"] == "released"
    again = buyer_client.delete(f"/api/v1/reservations/{mine['id']}/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "reservation_not_pending"


def test_it_lets_only_managers_confirm(ledger, buyer_client):
    mine = reserve(buyer_client, ledger, 10)
    body = {"price_per_tonne": "9.00", "currency": "USD"}
    url = f"/api/v1/reservations/{mine['id']}/confirm/"
    assert buyer_client.post(url, body, format="json").status_code == 403
    staff = APIClient()
    staff.force_login(ledger.personas.staff_a1)
    assert staff.post(url, body, format="json").status_code == 404
    manager = APIClient()
    manager.force_login(ledger.personas.manager_a)
    assert manager.post(url, body, format="json").status_code == 200


def test_it_refuses_reservations_when_credits_run_short(ledger, buyer_client):
    response = buyer_client.post(
        "/api/v1/reservations/",
        {
            "project": ledger.personas.project_a.code,
            "vintage": 2013,
            "unit_type": "VER",
            "quantity": 71,
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "insufficient_credits"
    assert buyer_client.get("/api/v1/reservations/").json()["count"] == 0


def test_it_accepts_personal_keys_of_staff(ledger):
    _key, raw = create_api_key(name="mine", user=ledger.personas.manager_a)
    response = key_client(raw).get("/api/v1/reservations/")
    assert response.status_code == 200


def test_it_creates_buyers_and_keys_from_the_command_line(db, personas, capsys):
    call_command("create_buyer", "Kaffee Rösterei GmbH", "--country", "de", "--expires-days", "30")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    organisation = BuyerOrganisation.objects.get(name="Kaffee Rösterei GmbH")
    assert organisation.account.kind == "buyer" and organisation.country == "DE"
    assert raw not in {k.key_hash for k in ApiKey.objects.all()}
    assert key_client(raw).get("/api/v1/holdings/").status_code == 200
    call_command("create_api_key", "manager_a")
    personal = capsys.readouterr().out.strip().splitlines()[-1]
    assert key_client(personal).get("/api/v1/reservations/").status_code == 200


def test_it_lets_members_of_a_buyer_organisation_use_their_session(ledger):
    ledger.buyer.members.add(ledger.personas.buyer)
    member = APIClient()
    member.force_login(ledger.personas.buyer)
    reserved = reserve(member, ledger, 5)
    assert member.get(f"/api/v1/reservations/{reserved['id']}/").status_code == 200
    outsider = APIClient()
    outsider.force_login(ledger.personas.nobody)
    assert outsider.get("/api/v1/holdings/").status_code == 403
