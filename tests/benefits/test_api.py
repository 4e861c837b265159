"""The manager API: create, approve, export, confirm; scoping; the OpenAPI schema."""

import csv
import io

import pytest
from django.test import Client

from benefits.models import Distribution
from tests.base import PASSWORD

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_manager_creates_verifier_approves_then_export_and_confirm(sold):
    p = sold.ledger.personas
    manager, verifier = client_for(p.manager_a), client_for(p.verifier)
    created = manager.post("/api/v1/distributions/", {"project": sold.project.code},
                           content_type="application/json")  # fmt: skip
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    again = manager.post("/api/v1/distributions/", {"project": sold.project.code},
                         content_type="application/json")  # fmt: skip
    assert (
        again.status_code == 409
        and "No quedan ventas confirmadas" in again.json()["error"]["message"]
    )
    assert manager.post(f"/api/v1/distributions/{pk}/approve/").status_code == 409
    assert client_for(p.staff_a1).post(f"/api/v1/distributions/{pk}/approve/").status_code == 403
    assert verifier.post(f"/api/v1/distributions/{pk}/approve/").json()["status"] == "approved"
    exported = manager.get(f"/api/v1/distributions/{pk}/payments/")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "dni", "amount", "currency", "method", "reference", "paid_on"])
    for r in rows:
        writer.writerow([r["line"], r["dni"], r["amount"], "PEN", "bank", "OP1", "2026-12-01"])
    bad = io.BytesIO(out.getvalue().replace("PEN", "EUR").encode())
    bad.name = "c.csv"
    refused = manager.post(f"/api/v1/distributions/{pk}/confirmations/", {"file": bad})
    assert refused.status_code == 400 and "moneda EUR, se esperaba PEN" in str(refused.json())
    good = io.BytesIO(out.getvalue().encode())
    good.name = "c.csv"
    done = manager.post(f"/api/v1/distributions/{pk}/confirmations/", {"file": good})
    assert done.json() == {"paid": len(rows)}
    events = manager.get("/api/v1/payment-events/", {"status": "paid"}).json()
    assert events["count"] == len(rows)


def test_scoping_of_lines(sold):
    p = sold.ledger.personas
    from benefits.services import create_distribution

    d = create_distribution(project=sold.project, actor=p.manager_a)
    line = d.lines.first()
    assert client_for(p.staff_a1).get("/api/v1/distribution-lines/").json()["count"] == 3
    assert client_for(p.staff_b1).get(f"/api/v1/distribution-lines/{line.pk}/").status_code == 404
    assert client_for(p.buyer).get("/api/v1/distribution-lines/").status_code == 403
    assert Client().get("/api/v1/distributions/").status_code in (401, 403)
    assert Distribution.objects.count() == 1


def test_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/distributions/", "/api/v1/distributions/{id}/approve/",
                 "/api/v1/distributions/{id}/confirmations/", "/api/v1/distribution-lines/",
                 "/api/v1/payment-events/"):  # fmt: skip
        assert path in schema
