"""The whole buyer journey through the API, down to the certificate and the public lookup."""

import subprocess

import pytest

from credits.models import Reservation
from tests.credits.api.helpers import buy_and_retire
from tests.credits.invariants import assert_ledger_invariants

pytestmark = pytest.mark.django_db


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_it_runs_the_whole_buyer_journey(ledger, buyer_client, manager_client, client, tmp_path):
    code = ledger.personas.project_a.code
    available = buyer_client.get("/api/v1/availability/", {"project": code}).json()
    lines = {
        (a["unit_type"], a["vintage"]): a["available"]
        for a in available["results"][0]["availability"]
    }
    assert lines == {("VER", 2012): 700, ("VER", 2013): 70}

    reserved = buyer_client.post(
        "/api/v1/reservations/",
        {"project": code, "vintage": 2012, "unit_type": "VER", "quantity": 250},
        format="json",
    )
    assert reserved.status_code == 201, reserved.content
    body = reserved.json()
    assert body["status"] == "pending" and body["expires_at"]
    assert [b["serial"] for b in body["blocks"]] == ["PCH-PE-001-VER-2012-000000001-000000250"]

    confirmed = manager_client.post(
        f"/api/v1/reservations/{body['id']}/confirm/",
        {"price_per_tonne": "12.50", "currency": "usd", "invoice_reference": "F001-77"},
        format="json",
    )
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["sale"]["currency"] == "USD"

    holdings = buyer_client.get("/api/v1/holdings/").json()
    assert [(h["serial"], h["state"]) for h in holdings["results"]] == [
        ("PCH-PE-001-VER-2012-000000001-000000250", "active")
    ]

    retired = buyer_client.post(
        "/api/v1/retirements/",
        {
            "project": code,
            "vintage": 2012,
            "quantity": 100,
            "beneficiary": "Tostadora Ñandú GmbH",
            "purpose": "Compensación 2024 / offset 2024",
        },
        format="json",
    )
    assert retired.status_code == 201, retired.content
    retirement = retired.json()
    serial = "PCH-PE-001-VER-2012-000000001-000000100"
    assert [b["serial"] for b in retirement["blocks"]] == [serial]
    assert retirement["certificate_url"].startswith("http")
    assert_ledger_invariants()

    path = retirement["certificate_url"].split("://", 1)[1].split("/", 1)[1]
    pdf = client.get("/" + path)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = _pdf_text(pdf.content, tmp_path)
    assert "Tostadora Ñandú GmbH" in text and serial in text
    assert "Certificado de retiro" in text and "Retirement certificate" in text
    assert "Cooperativa a1" in text
    assert retirement["verification_url"] in text.replace("\n", "")

    looked_up = client.get(f"/api/v1/serials/{serial[:-10]}/").json()  # one serial: ...-000000001
    assert looked_up["block"]["state"] == "retired"
    assert looked_up["retirement"]["beneficiary"] == "Tostadora Ñandú GmbH"
    assert [e["kind"] for e in looked_up["history"]] == ["issue", "reserve", "sell", "retire"]
    assert Reservation.objects.get(pk=body["id"]).status == "confirmed"


def test_it_serves_the_certificate_in_one_language_on_request(
    ledger, buyer_client, client, tmp_path
):
    retirement = buy_and_retire(ledger, buyer_client, quantity=5)
    code = retirement["verification_code"]
    english = _pdf_text(
        client.get(f"/registry/retirements/{code}/certificate.pdf?lang=en").content, tmp_path
    )
    assert "Retirement certificate" in english and "Certificado de retiro" not in english


@pytest.mark.parametrize("idempotency_key", [None, "answer-1"])
def test_a_new_reservations_answer_is_what_reading_it_gives(ledger, buyer_client, idempotency_key):
    """The 201 is built from what the service returns, not read back: it must be the same."""
    code = ledger.personas.project_a.code
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    first = buyer_client.post(
        "/api/v1/reservations/",
        {"project": code, "vintage": 2012, "unit_type": "VER", "quantity": 3},
        format="json",
    )
    assert first.status_code == 201, first.content
    released = buyer_client.delete(f"/api/v1/reservations/{first.json()['id']}/")
    assert released.status_code == 200, released.content
    # Serials 1-3 came back as a block of their own: the next reservation spans two blocks.
    created = buyer_client.post(
        "/api/v1/reservations/",
        {"project": code, "vintage": 2012, "unit_type": "VER", "quantity": 400},
        format="json",
        **headers,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert len(body["blocks"]) > 1 and body["sale"] is None
    assert buyer_client.get(f"/api/v1/reservations/{body['id']}/").json() == body
    assert_ledger_invariants()
