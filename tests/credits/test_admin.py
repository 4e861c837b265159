"""The credit registry admin in Spanish: every ledger operation as a manager, its refusals shown
as admin messages with nothing changed, and the people who may not run it (403/404)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from credits import services
from credits.choices import BlockState, ReservationStatus
from credits.models import (
    Conversion,
    CreditVintage,
    Issuance,
    LedgerEvent,
    Reservation,
    Retirement,
    Reversal,
    Sale,
    SerialBlock,
)
from quantification.models import RunKind
from smallholders.choices import Role
from tests.base import PASSWORD, make_user
from tests.credits.factories import make_parcels, make_run
from tests.credits.helpers import buy, reserve
from tests.credits.invariants import assert_ledger_invariants

pytestmark = pytest.mark.django_db

VER_2012 = {"unit_type": "VER", "vintage": 2012}


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def op_url(name: str, reservation_id: int | None = None) -> str:
    args = [reservation_id] if reservation_id is not None else []
    return reverse(f"admin:credits_operation_{name}", args=args)


def counters(unit_type: str = "VER", vintage: int = 2012) -> dict[str, int]:
    row = CreditVintage.objects.get(project__code="pa", unit_type=unit_type, vintage=vintage)
    names = ("issued", "available", "reserved", "held", "buffer", "retired", "cancelled")
    return {name: getattr(row, name) for name in names}


def snapshot() -> tuple:
    """Everything an operation could change."""
    return (
        sorted(
            CreditVintage.objects.values_list(
                "pk", "issued", "available", "reserved", "held", "buffer", "retired", "cancelled"
            )
        ),
        sorted(SerialBlock.objects.values_list("pk", "state", "account_id")),
        LedgerEvent.objects.count(),
        sorted(Reservation.objects.values_list("pk", "status")),
        Issuance.objects.count(),
        Sale.objects.count(),
        Retirement.objects.count(),
        Reversal.objects.count(),
        Conversion.objects.count(),
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def assert_refused(response, before: tuple, text: str) -> None:
    """The service's message is shown on the re-rendered form and the ledger is unchanged."""
    assert response.status_code == 200
    assert any(text in m for m in messages_of(response)), messages_of(response)
    assert text in response.content.decode()
    assert snapshot() == before
    assert_ledger_invariants()


def reserve_form(ledger, quantity: int, **overrides) -> dict:
    expires = timezone.localtime() + dt.timedelta(days=3)
    return {
        "organisation": ledger.buyer.pk,
        "project": ledger.project_id,
        "unit_type": "VER",
        "vintage": 2012,
        "quantity": quantity,
        "expires_at": expires.strftime("%Y-%m-%dT%H:%M"),
        **overrides,
    }


@pytest.fixture
def manager(ledger) -> Client:
    return login(ledger.personas.manager_a)


@pytest.fixture
def manager_b(ledger):
    return make_user("manager_b", Role.MANAGER, projects=(ledger.personas.project_b,))


# Pages -----------------------------------------------------------------------------------------

CHANGELISTS = [
    "projectregistry",
    "buyerorganisation",
    "account",
    "creditvintage",
    "serialblock",
    "ledgerevent",
    "issuance",
    "reservation",
    "sale",
    "retirement",
    "reversal",
    "conversion",
]


@pytest.mark.parametrize("model", CHANGELISTS)
def test_it_renders_every_credits_changelist_in_spanish(ledger, manager, model):
    buy(ledger, 10)
    response = manager.get(reverse(f"admin:credits_{model}_changelist"))
    assert response.status_code == 200
    assert 'lang="es"' in response.content.decode()


@pytest.mark.parametrize(
    "name", ["issue", "reserve", "transfer", "retire", "cancel", "reversal", "convert"]
)
def test_it_renders_each_operation_form_in_spanish(ledger, manager, name):
    page = manager.get(op_url(name)).content.decode()
    assert 'lang="es"' in page and 'type="submit"' in page


def test_it_links_the_operations_from_the_index_and_the_changelists(ledger, manager):
    index = manager.get(reverse("admin:index")).content.decode()
    assert reverse("admin:credits_operations") in index
    assert "Operaciones del registro de créditos" in index
    operations = manager.get(reverse("admin:credits_operations")).content.decode()
    for name in ("issue", "reserve", "transfer", "retire", "cancel", "reversal", "convert"):
        assert op_url(name) in operations
    reservations = manager.get(reverse("admin:credits_reservation_changelist")).content.decode()
    assert op_url("reserve") in reservations and "Reservar créditos" in reservations


def test_it_shows_the_balances_blocks_and_contributions(ledger, manager):
    sale = buy(ledger, 120)
    account = manager.get(
        reverse("admin:credits_account_change", args=[ledger.buyer_account.pk])
    ).content.decode()
    assert "120" in account and "2012" in account
    block = SerialBlock.objects.get(account=ledger.buyer_account, state=BlockState.ACTIVE)
    page = manager.get(reverse("admin:credits_serialblock_change", args=[block.pk]))
    html = page.content.decode()
    assert block.printed_serial in html
    assert reverse("admin:credits_serialblock_change", args=[block.parent_id]) in html
    issuance = ledger.issuances[0]
    inline = manager.get(reverse("admin:credits_issuance_change", args=[issuance.pk]))
    assert str(ledger.parcels[0]) in inline.content.decode()
    vintages = manager.get(reverse("admin:credits_creditvintage_changelist")).content.decode()
    assert str(sale.quantity) in vintages


def test_it_finds_the_block_of_one_printed_serial(ledger, manager):
    buy(ledger, 100)  # the first 100 serials move to the buyer; 101..700 stay
    block = SerialBlock.objects.get(
        account=ledger.issuance_account, state=BlockState.ACTIVE, vintage=2012
    )
    serial = block.printed_serial.rsplit("-", 1)[0]  # one serial: 000000101
    page = manager.get(reverse("admin:credits_serialblock_changelist"), {"q": serial})
    assert page.context["cl"].result_count >= 1
    assert block in list(page.context["cl"].queryset)
    assert all(b.serial_start <= 101 <= b.serial_end for b in page.context["cl"].queryset)


def test_nobody_can_add_change_or_delete_ledger_events(ledger):
    event = LedgerEvent.objects.first()
    root = login(ledger.personas.superuser)
    change = reverse("admin:credits_ledgerevent_change", args=[event.pk])
    assert "Grabar" not in root.get(change).content.decode()
    assert root.post(change, {"reason": "editado"}).status_code == 403
    assert root.get(reverse("admin:credits_ledgerevent_add")).status_code == 403
    assert (
        root.post(
            reverse("admin:credits_ledgerevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    event.refresh_from_db()
    assert event.reason == ""


# Operations ------------------------------------------------------------------------------------


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


@pytest.fixture
def ex_ante(ledger):
    """Ex-ante 2014 issued (100 + 25 buffer), 80 sold; the verified 2014 run issued (60 + 20)."""
    planned = make_run(
        ledger.personas.project_a, ledger.parcels, vintages={2014: (100, 25)}, kind=RunKind.EX_ANTE
    )
    services.issue_credits(run_id=planned.pk, actor=None)
    buy(ledger, 80, vintage=2014, unit_type="PER")
    verified = make_run(ledger.personas.project_a, ledger.parcels, vintages={2014: (60, 20)})
    services.issue_credits(run_id=verified.pk, actor=None)
    return verified


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


# Who may not -----------------------------------------------------------------------------------

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
