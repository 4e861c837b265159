"""The public transparency page: what each issuance withheld to the buffer pool and why (and
what losses used of it), in Spanish and English, and shares returned from trust."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from benefits import services
from benefits.models import TrustHold
from benefits.transparency import project_transparency
from benefits.trust import sweep_trust_deadlines
from credits.models import ProjectRegistry
from credits.services import record_reversal
from tests.credits.helpers import buy

pytestmark = pytest.mark.django_db


def page(client, sold, language: str) -> str:
    ProjectRegistry.objects.get_or_create(project=sold.project, defaults={"number": 1})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/registry/projects/{sold.project.code}/benefits/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_buffer_withheld_at_each_issuance_is_shown_with_why(sold, client):
    record_reversal(
        project_id=sold.project.pk, quantity_tco2e=Decimal("12.5"),
        parcel_ids=[sold.ledger.parcels[0].pk], reason="fire", actor=None,
    )  # fmt: skip
    english = page(client, sold, "en")
    assert "Withheld to the buffer pool" in english
    assert '<td class="num">300</td><td class="num">30.0</td>' in english  # 2012: 700 + 300
    assert '<td class="num">30</td><td class="num">30.0</td>' in english  # 2013: 70 + 30
    assert "Non-permanence risk buffer" in english
    assert '<td class="num">13</td>' in english  # 12.5 t lost, 13 buffer units cancelled
    spanish = page(client, sold, "es")
    assert "Retenido en el fondo de reserva" in spanish
    assert '<td class="num">30,0</td>' in spanish and "Withheld" not in spanish


def test_a_share_returned_from_trust_is_shown_apart_from_the_floor(sold, client):
    personas = sold.ledger.personas
    d = services.create_distribution(project=sold.project, actor=personas.manager_a)
    services.approve_distribution(distribution_id=d.pk, actor=personas.verifier)
    hold = TrustHold.objects.get()
    sweep_trust_deadlines(today=hold.deadline + dt.timedelta(days=1))
    buy(sold.ledger, 20)
    later = services.create_distribution(project=sold.project, actor=personas.manager_a)
    services.approve_distribution(distribution_id=later.pk, actor=personas.verifier)
    newest = project_transparency(project=sold.project)[0]
    assert newest.returned_total == hold.amount
    assert newest.producers_percent == Decimal("60.0")  # the floor counts the sales only
    assert f"S/ {hold.amount}" in page(client, sold, "en")
