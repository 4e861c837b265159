import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from credits import services
from credits.choices import BlockState, EventKind, ReservationStatus
from credits.exceptions import (
    InsufficientCredits,
    InvalidOperation,
    ReservationExpired,
    ReservationNotPending,
)
from credits.models import CreditVintage, LedgerEvent, SerialBlock
from credits.services._core import FEW_BLOCKS
from tests.credits.helpers import reserve
from tests.credits.invariants import assert_ledger_invariants


def _row(ledger, vintage=2012):
    return CreditVintage.objects.get(project_id=ledger.project_id, unit_type="VER", vintage=vintage)


def test_it_reserves_the_lowest_serials_and_splits_the_block(ledger):
    reservation = reserve(ledger, 250)
    blocks = list(reservation.blocks.filter(state=BlockState.RESERVED))
    assert [(b.serial_start, b.serial_end) for b in blocks] == [(1, 250)]
    remainder = SerialBlock.objects.get(
        account=ledger.issuance_account, vintage=2012, state=BlockState.ACTIVE
    )
    assert (remainder.serial_start, remainder.serial_end) == (251, 700)
    assert remainder.parent_id == blocks[0].parent_id
    assert (_row(ledger).available, _row(ledger).reserved) == (450, 250)
    assert_ledger_invariants()


def test_it_spans_several_blocks(ledger):
    first = reserve(ledger, 100)
    reserve(ledger, 100)
    services.release_reservation(reservation_id=first.pk, actor=None)
    spanning = reserve(ledger, 150)
    spans = sorted((b.serial_start, b.serial_end) for b in spanning.blocks.all())
    assert spans == [(1, 100), (201, 250)]
    assert_ledger_invariants()


def test_it_spans_more_blocks_than_it_reads_at_first(ledger):
    # 24 reservations of 10 units, every other one released: the issuance account's lowest
    # serials are 12 blocks of 10 units, more than the few blocks read at first.
    reservations = [reserve(ledger, 10) for _i in range(24)]
    for reservation in reservations[::2]:
        services.release_reservation(reservation_id=reservation.pk, actor=None)
    assert FEW_BLOCKS < 12
    spanning = reserve(ledger, 130)
    spans = sorted((b.serial_start, b.serial_end) for b in spanning.blocks.all())
    assert spans == [(start, start + 9) for start in range(1, 240, 20)] + [(241, 250)]
    assert (_row(ledger).available, _row(ledger).reserved) == (450, 250)
    assert_ledger_invariants()


def test_it_refuses_more_than_available_and_changes_nothing(ledger):
    with pytest.raises(InsufficientCredits) as error:
        reserve(ledger, 701)
    assert (error.value.requested, error.value.available) == (701, 700)
    assert "700" in error.value.message
    assert not LedgerEvent.objects.filter(kind=EventKind.RESERVE).exists()
    assert_ledger_invariants()


def test_it_refuses_an_unknown_vintage(ledger):
    with pytest.raises(InsufficientCredits):
        reserve(ledger, 1, vintage=1999)


@pytest.mark.parametrize("quantity", [0, -5, 1.5, True])
def test_it_refuses_bad_quantities(ledger, quantity):
    with pytest.raises(InvalidOperation):
        reserve(ledger, quantity)


def test_it_refuses_an_expiry_in_the_past(ledger):
    with pytest.raises(InvalidOperation, match="future"):
        reserve(ledger, 1, minutes=-1)


def test_it_reserves_only_for_buyer_accounts(ledger):
    with pytest.raises(InvalidOperation, match="buyer"):
        reserve(ledger, 1, account=ledger.issuance_account)


def test_it_releases_a_reservation(ledger):
    reservation = reserve(ledger, 30)
    released = services.release_reservation(reservation_id=reservation.pk, actor=None, reason="x")
    assert released.status == ReservationStatus.RELEASED
    assert (_row(ledger).available, _row(ledger).reserved) == (700, 0)
    assert LedgerEvent.objects.filter(kind=EventKind.RELEASE, quantity=30).exists()
    assert_ledger_invariants()
    with pytest.raises(ReservationNotPending):
        services.release_reservation(reservation_id=reservation.pk, actor=None)


def test_it_confirms_a_sale_and_moves_the_blocks_to_the_buyer(ledger):
    reservation = reserve(ledger, 40)
    sale = services.confirm_sale(
        reservation_id=reservation.pk,
        price_per_tonne=Decimal("12.50"),
        currency="usd",
        invoice_reference="F001-7",
        actor=ledger.personas.manager_a,
    )
    assert (sale.currency, sale.quantity, sale.total) == ("USD", 40, Decimal("500.00"))
    held = SerialBlock.objects.get(account=ledger.buyer_account, state=BlockState.ACTIVE)
    assert (held.serial_start, held.serial_end) == (1, 40)
    assert (_row(ledger).reserved, _row(ledger).held) == (0, 40)
    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.CONFIRMED
    assert_ledger_invariants()
    with pytest.raises(ReservationNotPending):
        services.confirm_sale(
            reservation_id=reservation.pk,
            price_per_tonne=Decimal(1),
            currency="USD",
            invoice_reference="",
            actor=None,
        )


@pytest.mark.parametrize(
    ("price", "currency"),
    [
        (Decimal("-1"), "USD"),
        (Decimal("NaN"), "USD"),
        (10, "USD"),
        (Decimal(1), "US"),
        (Decimal(1), "U$D"),
    ],
)
def test_it_refuses_bad_prices_and_currencies(ledger, price, currency):
    reservation = reserve(ledger, 1)
    with pytest.raises(InvalidOperation):
        services.confirm_sale(
            reservation_id=reservation.pk,
            price_per_tonne=price,
            currency=currency,
            invoice_reference="",
            actor=None,
        )


def test_it_refuses_to_confirm_an_expired_reservation(ledger):
    reservation = reserve(ledger, 5)
    type(reservation).objects.filter(pk=reservation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(ReservationExpired):
        services.confirm_sale(
            reservation_id=reservation.pk,
            price_per_tonne=Decimal(1),
            currency="USD",
            invoice_reference="",
            actor=None,
        )
    assert_ledger_invariants()


def test_it_expires_due_reservations_only(ledger):
    due = reserve(ledger, 5, minutes=10)
    later = reserve(ledger, 7, minutes=60)
    count = services.release_expired_reservations(now=due.expires_at + dt.timedelta(seconds=1))
    assert count == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (ReservationStatus.EXPIRED, ReservationStatus.PENDING)
    assert LedgerEvent.objects.get(kind=EventKind.EXPIRE).actor_label == "system"
    assert (_row(ledger).available, _row(ledger).reserved) == (693, 7)
    assert_ledger_invariants()


def test_it_refuses_unknown_reservations(ledger):
    with pytest.raises(InvalidOperation):
        services.release_reservation(reservation_id=123456, actor=None)
