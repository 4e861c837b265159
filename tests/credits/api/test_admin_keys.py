"""Managers create keys in the admin (shown once) and revoke them."""

import re

import pytest

from credits.models import ApiKey
from tests.credits.api.conftest import key_client

pytestmark = pytest.mark.django_db


def test_it_lets_managers_create_and_revoke_keys_in_the_admin(ledger, client):
    client.force_login(ledger.personas.manager_a)
    response = client.post(
        "/admin/credits/apikey/add/",
        {
            "name": "ERP del comprador",
            "organisation": ledger.buyer.pk,
            "user": "",
            "expires_at_0": "",
            "expires_at_1": "",
            "revoked_at_0": "",
            "revoked_at_1": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    shown = re.search(r"pch_[0-9a-f]{8}_[A-Za-z0-9_-]+", response.content.decode())
    assert shown is not None
    raw = shown.group(0)
    assert key_client(raw).get("/api/v1/holdings/").status_code == 200
    api_key = ApiKey.objects.get(name="ERP del comprador")
    assert raw not in (api_key.key_hash, api_key.prefix)
    changelist = client.get("/admin/credits/apikey/")
    assert raw not in changelist.content.decode()
    client.post(
        "/admin/credits/apikey/",
        {"action": "revoke", "_selected_action": [api_key.pk]},
    )
    assert key_client(raw).get("/api/v1/holdings/").status_code == 401


def test_it_hides_keys_from_cooperative_staff(ledger, client):
    client.force_login(ledger.personas.staff_a1)
    assert client.get("/admin/credits/apikey/").status_code == 403
