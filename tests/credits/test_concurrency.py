"""Races on PostgreSQL with real threads, each on its own database connection.

The control case turns locking off (`CREDITS_LOCKING_ENABLED=False`) and must observe the
race (oversold units, lost counter updates, or the database backstops firing); otherwise the
locked tests would prove nothing.
"""

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from credits import services
from credits.choices import BlockState, ReservationStatus
from credits.exceptions import (
    CreditsBusy,
    CreditsError,
    InsufficientCredits,
    ReservationNotPending,
)
from credits.models import CreditVintage, Reservation, Sale
from tests.base import build_personas
from tests.credits.factories import make_buyer, make_parcels, make_run
from tests.credits.helpers import buy, today
from tests.credits.invariants import assert_ledger_invariants, block_totals

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 32


class LedgerStub:
    """Just what the helpers need (the `ledger` fixture is not transaction=True)."""

    def __init__(self, available: int) -> None:
        self.personas = build_personas()
        parcels = make_parcels(self.personas.project_a, self.personas.coop_a1, count=2)
        run = make_run(self.personas.project_a, parcels, vintages={2012: (available, 0)})
        services.issue_credits(run_id=run.pk, actor=None)
        self.project_id = self.personas.project_a.pk
        self.buyer, self.buyer_account = make_buyer()


def race(worker: Callable[[int], object], count: int = THREADS) -> list[object]:
    """Run `worker(i)` in `count` threads released together; return results or exceptions."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = worker(i)
        except Exception as exc:  # noqa: BLE001 (collected and asserted by the test)
            results[i] = exc
        finally:
            connections.close_all()  # each thread opened its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _reserve_one_each(stub: LedgerStub, quantity: int) -> Callable[[int], object]:
    expires = timezone.now() + dt.timedelta(minutes=30)

    def worker(_i: int) -> object:
        return services.reserve_credits(
            account_id=stub.buyer_account.pk,
            project_id=stub.project_id,
            vintage=2012,
            unit_type="VER",
            quantity=quantity,
            expires_at=expires,
            actor=None,
        )

    return worker


def test_it_reserves_exactly_the_available_units_under_a_race():
    stub = LedgerStub(available=10)
    results = race(_reserve_one_each(stub, 1))
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"Reservation": 10, "InsufficientCredits": THREADS - 10}, kinds
    assert all(r.available == 0 for r in results if isinstance(r, InsufficientCredits))
    row = CreditVintage.objects.get(project_id=stub.project_id, vintage=2012)
    assert (row.available, row.reserved) == (0, 10)
    assert_ledger_invariants()


def test_the_race_happens_when_locking_is_disabled(settings):
    """Control: the same race without locks must go wrong in a way the test can see."""
    settings.CREDITS_LOCKING_ENABLED = False
    stub = LedgerStub(available=10)
    results = race(_reserve_one_each(stub, 1))
    reserved = Reservation.objects.filter(status=ReservationStatus.PENDING).count()
    backstop_errors = [
        r
        for r in results
        if isinstance(r, DatabaseError | CreditsError) and not isinstance(r, InsufficientCredits)
    ]
    row = CreditVintage.objects.get(project_id=stub.project_id, vintage=2012)
    counters_wrong = block_totals()[(stub.project_id, "VER", 2012)]["reserved"] != row.reserved
    assert backstop_errors or reserved != 10 or counters_wrong, (
        "no race observed without locks: the concurrency tests could not fail"
    )


def test_it_never_oversells_with_racing_multi_unit_reservations():
    stub = LedgerStub(available=100)
    results = race(_reserve_one_each(stub, 7))
    granted = [r for r in results if isinstance(r, Reservation)]
    assert len(granted) == 14  # 14 × 7 = 98 ≤ 100 < 15 × 7
    assert {type(r) for r in results} == {Reservation, InsufficientCredits}
    assert_ledger_invariants()


def test_it_serialises_retire_and_transfer_of_the_same_block():
    stub = LedgerStub(available=50)
    buy(stub, 50)
    other, other_account = make_buyer("Otra Empresa SA")

    def worker(i: int) -> object:
        if i % 2:
            return services.transfer_credits(
                from_account_id=stub.buyer_account.pk,
                to_account_id=other_account.pk,
                project_id=stub.project_id,
                unit_type="VER",
                vintage=2012,
                quantity=30,
                actor=None,
            )
        return services.retire_credits(
            account_id=stub.buyer_account.pk,
            project_id=stub.project_id,
            vintage=2012,
            quantity=30,
            beneficiary="Beneficiaria",
            purpose="Compensación 2024",
            retired_on=today(),
            actor=None,
        )

    results = race(worker, count=8)
    successes = [r for r in results if not isinstance(r, Exception)]
    assert len(successes) == 1, results  # 30 of 50 units: only one of the operations fits
    assert all(isinstance(r, InsufficientCredits) for r in results if isinstance(r, Exception))
    assert_ledger_invariants()


def test_expiry_racing_confirmation_has_exactly_one_winner():
    stub = LedgerStub(available=50)
    for _attempt in range(5):
        reservation = services.reserve_credits(
            account_id=stub.buyer_account.pk,
            project_id=stub.project_id,
            vintage=2012,
            unit_type="VER",
            quantity=5,
            expires_at=timezone.now() + dt.timedelta(seconds=2),
            actor=None,
        )
        after_expiry = reservation.expires_at + dt.timedelta(seconds=1)

        def worker(
            i: int, reservation_id: int = reservation.pk, after_expiry: dt.datetime = after_expiry
        ) -> object:
            if i == 0:
                return services.release_expired_reservations(now=after_expiry)
            return services.confirm_sale(
                reservation_id=reservation_id,
                price_per_tonne=Decimal("10"),
                currency="USD",
                invoice_reference="race",
                actor=None,
            )

        expired, sold = race(worker, count=2)
        reservation.refresh_from_db()
        if reservation.status == ReservationStatus.EXPIRED:
            assert expired == 1 and isinstance(sold, ReservationNotPending), (expired, sold)
        else:
            assert reservation.status == ReservationStatus.CONFIRMED
            assert expired == 0 and isinstance(sold, Sale), (expired, sold)
        assert not reservation.blocks.filter(state=BlockState.RESERVED).exists()
        assert_ledger_invariants()


def test_a_reservation_gives_up_on_a_busy_vintage_after_its_lock_timeout(settings):
    """The guarded UPDATE that locks the vintage waits no longer than LEDGER_VINTAGES allows:
    without the bound it would wait for the holder (10 s) and then succeed."""
    settings.LOCK_TIMEOUTS_MS = {"ledger_vintages": 200}
    stub = LedgerStub(available=10)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                CreditVintage.objects.select_for_update().get(
                    project_id=stub.project_id, vintage=2012
                )
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    try:
        with pytest.raises(CreditsBusy):
            _reserve_one_each(stub, 1)(0)
    finally:
        release.set()
        holder.join()
    row = CreditVintage.objects.get(project_id=stub.project_id, vintage=2012)
    assert (row.available, row.reserved) == (10, 0)
    assert_ledger_invariants()
