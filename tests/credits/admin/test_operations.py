"""Every ledger operation run by a manager from the admin, and its refusals shown as admin
messages with nothing changed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from credits import services
from credits.choices import ReservationStatus
from credits.models import (
    Conversion,
    LedgerEvent,
    Reservation,
    Retirement,
    Reversal,
    Sale,
)
from tests.credits.admin.helpers import (
    VER_2012,
    assert_refused,
    counters,
    login,
    messages_of,
    op_url,
    reserve_form,
    snapshot,
)
from tests.credits.factories import make_run
from tests.credits.helpers import buy, reserve
from tests.credits.invariants import assert_ledger_invariants

pytestmark = pytest.mark.django_db


def test_a_manager_creates_a_buyer_organisation_with_its_account(ledger, manager):
    response = manager.post(
        reverse("admin:credits_buyerorganisation_add"),
        {"name": "Tostadores Unidos", "country": "pe", "contact_name": "", "contact_email": ""},
    )
    assert response.status_code == 302
    organisation = ledger.buyer.__class__.objects.get(name="Tostadores Unidos")
    assert organisation.account.kind == "buyer" and organisation.country == "PE"


def test_a_manager_issues_an_approved_run(ledger, manager):
    run = make_run(ledger.personas.project_a, ledger.parcels, vintages={2014: (90, 10)})
    assert f'value="{run.pk}"' in manager.get(op_url("issue")).content.decode()
    response = manager.post(op_url("issue"), {"run_choice": run.pk}, follow=True)
    assert "Se emitieron 100 unidades" in " ".join(messages_of(response))
    assert counters(vintage=2014) | {} == {
        "issued": 100,
        "available": 90,
        "reserved": 0,
        "held": 0,
        "buffer": 10,
        "retired": 0,
        "cancelled": 0,
    }
    assert_ledger_invariants()
    assert f'value="{run.pk}"' not in manager.get(op_url("issue")).content.decode()


def test_issuing_a_run_with_nothing_to_issue_shows_why(ledger, manager):
    run = make_run(ledger.personas.project_a, ledger.parcels, vintages={2014: (0, 0)})
    before = snapshot()
    response = manager.post(op_url("issue"), {"run_choice": run.pk})
    assert_refused(response, before, f"El cálculo #{run.pk} no tiene nada que emitir.")


def test_a_manager_reserves_for_a_buyer(ledger, manager):
    response = manager.post(op_url("reserve"), reserve_form(ledger, 150))
    assert response.status_code == 302
    reservation = Reservation.objects.get()
    assert (reservation.account, reservation.quantity) == (ledger.buyer_account, 150)
    assert counters()["reserved"] == 150 and counters()["available"] == 550
    assert_ledger_invariants()


def test_reserving_more_than_available_shows_the_message_and_changes_nothing(ledger, manager):
    before = snapshot()
    response = manager.post(op_url("reserve"), reserve_form(ledger, 5000))
    assert_refused(
        response, before, "No hay suficientes créditos: 5000 solicitados, 700 disponibles."
    )


def test_a_manager_releases_a_reservation(ledger, manager):
    reservation = reserve(ledger, 40)
    change = manager.get(reverse("admin:credits_reservation_change", args=[reservation.pk]))
    assert op_url("release", reservation.pk) in change.content.decode()
    response = manager.post(op_url("release", reservation.pk), {"reason": "El cliente desistió"})
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.RELEASED
    assert counters()["available"] == 700
    assert LedgerEvent.objects.get(kind="release").reason == "El cliente desistió"
    assert_ledger_invariants()


def test_releasing_a_reservation_twice_shows_it_is_no_longer_pending(ledger, manager):
    reservation = reserve(ledger, 40)
    services.release_reservation(reservation_id=reservation.pk, actor=None)
    before = snapshot()
    response = manager.post(op_url("release", reservation.pk), {"reason": ""})
    assert_refused(response, before, "ya no está pendiente")


def test_a_manager_confirms_a_sale(ledger, manager):
    reservation = reserve(ledger, 60)
    response = manager.post(
        op_url("confirm", reservation.pk),
        {"price_per_tonne": "18.50", "currency": "eur", "invoice_reference": "F001-77"},
    )
    assert response.status_code == 302
    sale = Sale.objects.get()
    assert (sale.price_per_tonne, sale.currency, sale.invoice_reference) == (
        Decimal("18.50"),
        "EUR",
        "F001-77",
    )
    assert counters()["held"] == 60 and counters()["reserved"] == 0
    assert_ledger_invariants()


def test_confirming_an_expired_reservation_shows_why(ledger, manager):
    reservation = reserve(ledger, 60)
    Reservation.objects.filter(pk=reservation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    before = snapshot()
    response = manager.post(
        op_url("confirm", reservation.pk),
        {"price_per_tonne": "18.50", "currency": "USD", "invoice_reference": "F001-78"},
    )
    assert_refused(response, before, f"La reserva #{reservation.pk} venció")


def test_a_manager_transfers_credits(ledger, manager):
    response = manager.post(
        op_url("transfer"),
        {
            "from_account": ledger.issuance_account.pk,
            "to_account": ledger.buyer_account.pk,
            "project": ledger.project_id,
            **VER_2012,
            "quantity": 50,
            "reason": "Entrega directa",
        },
    )
    assert response.status_code == 302
    assert counters()["held"] == 50 and counters()["available"] == 650
    assert_ledger_invariants()


def test_transferring_more_than_held_shows_the_message(ledger, manager):
    before = snapshot()
    response = manager.post(
        op_url("transfer"),
        {
            "from_account": ledger.buyer_account.pk,
            "to_account": ledger.issuance_account.pk,
            "project": ledger.project_id,
            **VER_2012,
            "quantity": 5,
            "reason": "",
        },
    )
    assert_refused(response, before, "5 solicitados, 0 disponibles")


def test_a_manager_retires_credits_with_a_certificate_link(ledger, manager):
    buy(ledger, 100)
    response = manager.post(
        op_url("retire"),
        {
            "account": ledger.buyer_account.pk,
            "project": ledger.project_id,
            **VER_2012,
            "quantity": 40,
            "beneficiary": "Café Comprador SAC",
            "purpose": "Compensación 2024",
            "retired_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    retirement = Retirement.objects.get()
    assert retirement.blocks.get().quantity == 40
    assert counters()["retired"] == 40 and counters()["held"] == 60
    assert_ledger_invariants()
    listing = manager.get(reverse("admin:credits_retirement_changelist")).content.decode()
    assert reverse("credits:certificate", args=[retirement.verification_code]) in listing


def test_retiring_ex_ante_units_shows_why(ledger, manager):
    before = snapshot()
    response = manager.post(
        op_url("retire"),
        {
            "account": ledger.issuance_account.pk,
            "project": ledger.project_id,
            "unit_type": "PER",
            "vintage": 2012,
            "quantity": 1,
            "beneficiary": "X",
            "purpose": "Y",
            "retired_on": timezone.localdate().isoformat(),
        },
    )
    assert_refused(response, before, "Las unidades ex ante no se pueden retirar")


def test_a_manager_cancels_credits(ledger, manager):
    response = manager.post(
        op_url("cancel"),
        {
            "account": ledger.issuance_account.pk,
            "project": ledger.project_id,
            **VER_2012,
            "quantity": 25,
            "reason": "Registrado por error",
        },
    )
    assert response.status_code == 302
    assert counters()["cancelled"] == 25 and counters()["available"] == 675
    assert_ledger_invariants()


def test_cancelling_more_than_held_shows_the_message(ledger, manager):
    before = snapshot()
    response = manager.post(
        op_url("cancel"),
        {
            "account": ledger.buffer_account.pk,
            "project": ledger.project_id,
            **VER_2012,
            "quantity": 301,
            "reason": "x",
        },
    )
    assert_refused(response, before, "301 solicitados, 300 disponibles")


def test_a_manager_records_a_reversal(ledger, manager):
    response = manager.post(
        op_url("reversal"),
        {
            "project": ledger.project_id,
            "quantity_tco2e": "12.5",
            "parcels": [ledger.parcels[0].pk],
            "reason": "Incendio",
        },
    )
    assert response.status_code == 302
    reversal = Reversal.objects.get()
    assert (reversal.units_cancelled, reversal.shortfall) == (13, 0)
    assert list(reversal.parcels.all()) == [ledger.parcels[0]]
    assert counters()["buffer"] == 287
    assert_ledger_invariants()


def test_a_reversal_with_another_projects_parcels_shows_why(ledger):
    before = snapshot()
    response = login(ledger.personas.superuser).post(
        op_url("reversal"),
        {
            "project": ledger.personas.project_b.pk,
            "quantity_tco2e": "1",
            "parcels": [ledger.parcels[0].pk],
            "reason": "Incendio",
        },
    )
    assert_refused(response, before, "pertenecen a otro proyecto")


def test_a_manager_converts_ex_ante_units_after_a_verified_run(ledger, manager, ex_ante):
    response = manager.post(op_url("convert"), {"run_choice": ex_ante.pk}, follow=True)
    assert "faltante 20" in " ".join(messages_of(response))
    conversion = Conversion.objects.get()
    assert (conversion.ex_ante_cancelled, conversion.verified_delivered) == (80, 60)
    assert_ledger_invariants()


def test_converting_while_ex_ante_units_are_reserved_shows_why(ledger, manager, ex_ante):
    reserve(ledger, 5, vintage=2014, unit_type="PER")
    before = snapshot()
    response = manager.post(op_url("convert"), {"run_choice": ex_ante.pk})
    assert_refused(response, before, "están reservadas")
