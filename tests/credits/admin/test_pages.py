"""The credit registry admin's pages in Spanish: changelists, operation forms, links, balances,
the serial search, and no add/change/delete of ledger events."""

import pytest
from django.urls import reverse

from credits.choices import BlockState
from credits.models import (
    LedgerEvent,
    SerialBlock,
)
from tests.credits.admin.helpers import login, op_url
from tests.credits.helpers import buy

pytestmark = pytest.mark.django_db


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
