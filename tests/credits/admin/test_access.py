"""Who may not run the admin's ledger operations (403/404), and another project's manager sees
and operates on their own ledger only."""

import pytest
from django.urls import reverse

from credits.models import (
    CreditVintage,
    Reservation,
)
from tests.credits.admin.helpers import counters, login, op_url, reserve_form, snapshot
from tests.credits.factories import make_parcels, make_run
from tests.credits.helpers import reserve
from tests.credits.invariants import assert_ledger_invariants

pytestmark = pytest.mark.django_db


FORM_OPERATIONS = ["issue", "reserve", "transfer", "retire", "cancel", "reversal", "convert"]


@pytest.mark.parametrize("persona", ["staff_a1", "verifier", "nobody"])
@pytest.mark.parametrize("name", FORM_OPERATIONS + ["release", "confirm"])
def test_only_managers_run_operations(ledger, persona, name):
    reservation = reserve(ledger, 10)
    url = op_url(name, reservation.pk if name in ("release", "confirm") else None)
    client = login(getattr(ledger.personas, persona))
    before = snapshot()
    assert client.get(url).status_code == 403
    assert client.post(url, reserve_form(ledger, 10)).status_code == 403
    assert snapshot() == before


def test_buyers_are_sent_to_the_admin_login(ledger):
    client = login(ledger.personas.buyer)
    response = client.post(op_url("reserve"), reserve_form(ledger, 10))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Reservation.objects.exists()


@pytest.mark.parametrize("name", ["release", "confirm"])
def test_another_projects_manager_gets_404_for_its_reservations(ledger, manager_b, name):
    reservation = reserve(ledger, 10)
    client = login(manager_b)
    before = snapshot()
    assert client.get(op_url(name, reservation.pk)).status_code == 404
    post = {"price_per_tonne": "1", "currency": "USD", "invoice_reference": "x", "reason": ""}
    assert client.post(op_url(name, reservation.pk), post).status_code == 404
    assert snapshot() == before


def test_another_projects_manager_cannot_choose_this_project(ledger, manager_b):
    client = login(manager_b)
    run = make_run(ledger.personas.project_a, ledger.parcels, vintages={2014: (90, 10)})
    before = snapshot()
    assert f'value="{run.pk}"' not in client.get(op_url("issue")).content.decode()
    refused = client.post(op_url("issue"), {"run_choice": run.pk})
    assert refused.status_code == 200 and refused.context["form"].errors
    refused = client.post(op_url("reserve"), reserve_form(ledger, 10))
    assert refused.status_code == 200 and "project" in refused.context["form"].errors
    assert snapshot() == before


def test_another_projects_manager_sees_none_of_this_projects_ledger(ledger, manager_b):
    reservation = reserve(ledger, 10)
    client = login(manager_b)
    listing = client.get(reverse("admin:credits_reservation_changelist"))
    assert listing.context["cl"].result_count == 0
    blocks = client.get(reverse("admin:credits_serialblock_changelist"))
    assert blocks.context["cl"].result_count == 0
    change = client.get(reverse("admin:credits_reservation_change", args=[reservation.pk]))
    assert change.status_code == 404  # out of scope is "not found"


def test_another_projects_manager_operates_on_their_own_ledger_only(ledger, manager_b):
    """Project B's ledger: its manager issues there; project A's counters do not move."""
    parcels = make_parcels(ledger.personas.project_b, ledger.personas.coop_b1, count=2)
    run = make_run(ledger.personas.project_b, parcels, vintages={2012: (50, 5)})
    before = counters()
    response = login(manager_b).post(op_url("issue"), {"run_choice": run.pk})
    assert response.status_code == 302
    assert counters() == before
    assert CreditVintage.objects.get(project=ledger.personas.project_b).issued == 55
    assert_ledger_invariants()
