"""Idempotency-Key replays, conflicts and races; throttling; the OpenAPI schema."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from credits.models import IdempotencyRecord, Reservation
from tests.credits.invariants import assert_ledger_invariants

RESERVE = "/api/v1/reservations/"


def _body(ledger, quantity):
    return {
        "project": ledger.personas.project_a.code,
        "vintage": 2012,
        "unit_type": "VER",
        "quantity": quantity,
    }


@pytest.mark.django_db
def test_it_replays_the_first_response_for_a_repeated_key(ledger, buyer_client):
    first = buyer_client.post(RESERVE, _body(ledger, 20), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    second = buyer_client.post(RESERVE, _body(ledger, 20), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Reservation.objects.count() == 1


@pytest.mark.django_db
def test_it_rejects_a_key_reused_with_another_body(ledger, buyer_client):
    buyer_client.post(RESERVE, _body(ledger, 20), format="json", HTTP_IDEMPOTENCY_KEY="k2")
    other = buyer_client.post(RESERVE, _body(ledger, 21), format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Reservation.objects.count() == 1


@pytest.mark.django_db
def test_it_forgets_failed_requests_so_they_can_be_retried(ledger, buyer_client):
    failed = buyer_client.post(
        RESERVE, _body(ledger, 10**6), format="json", HTTP_IDEMPOTENCY_KEY="k3"
    )
    assert failed.status_code == 409
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_creates_one_reservation_for_racing_twins(ledger, buyer_client):
    barrier = threading.Barrier(8)
    statuses = []

    def submit():
        barrier.wait()
        try:
            response = buyer_client.post(
                RESERVE, _body(ledger, 30), format="json", HTTP_IDEMPOTENCY_KEY="twin"
            )
            statuses.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {status for status, _id in statuses} == {201}
    assert len({reservation_id for _status, reservation_id in statuses}) == 1
    assert Reservation.objects.count() == 1
    assert_ledger_invariants()


@pytest.mark.django_db
def test_it_throttles_buyers(ledger, buyer_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "anonymous": "100/min",
            "buyer": "3/min",
            "buyer_write": "1/min",
        },
    }
    codes = [buyer_client.get("/api/v1/holdings/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert buyer_client.get("/api/v1/holdings/").json()["error"]["code"] == "throttled"


def test_it_publishes_a_valid_openapi_schema(db, tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--file", str(out))
    schema = out.read_text()
    for path in (
        "/api/v1/availability/",
        "/api/v1/reservations/{id}/confirm/",
        "/api/v1/serials/{serial}/",
        "/api/v1/retirements/",
        "/api/v1/holdings/",
    ):
        assert path in schema
    assert "Idempotency-Key" in schema and "ApiKey" in schema
