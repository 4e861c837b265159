"""Malformed bodies to the buyer API: a 400 with the error shape, never a 500, nothing written."""

import pytest

from credits.models import LedgerEvent, Reservation
from pichanaki.parsers import JSON_MAX_DEPTH

pytestmark = pytest.mark.django_db


def post_raw(client, body: str):
    return client.generic("POST", "/api/v1/reservations/", body, content_type="application/json")


def test_a_thousand_nested_brackets_are_a_400_not_a_recursion_error(ledger, buyer_client):
    events = LedgerEvent.objects.count()
    response = post_raw(buyer_client, "[" * 1000)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert str(JSON_MAX_DEPTH) in error["message"]
    assert not Reservation.objects.exists()
    assert LedgerEvent.objects.count() == events


def test_nesting_within_the_limit_reaches_the_usual_validation(ledger, buyer_client):
    nested = "[" * (JSON_MAX_DEPTH - 1) + "]" * (JSON_MAX_DEPTH - 1)
    code = ledger.personas.project_a.code
    body = f'{{"project": "{code}", "vintage": 2012, "quantity": {nested}}}'
    response = post_raw(buyer_client, body)
    assert response.status_code == 400
    assert "quantity" in response.json()["error"]["fields"]
