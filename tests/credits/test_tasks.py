"""The beat task that expires reservations: eagerly in-process, and through a real worker."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from credits.choices import EventKind, ReservationStatus
from credits.models import CreditVintage, LedgerEvent, Reservation
from credits.tasks import release_expired_reservations_task
from tests.credits.helpers import reserve
from tests.credits.invariants import assert_ledger_invariants


def make_due(ledger, quantity: int) -> Reservation:
    """A pending reservation whose expiry has just passed (reserving needs a future expiry)."""
    reservation = reserve(ledger, quantity)
    Reservation.objects.filter(pk=reservation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    return reservation


def available_2012(ledger) -> int:
    return CreditVintage.objects.get(project_id=ledger.project_id, vintage=2012).available


@pytest.mark.django_db
def test_the_task_expires_due_reservations_and_leaves_live_ones(ledger):
    due = make_due(ledger, 40)
    live = reserve(ledger, 10)
    assert release_expired_reservations_task.apply().get() == 1
    due.refresh_from_db()
    live.refresh_from_db()
    assert (due.status, live.status) == (ReservationStatus.EXPIRED, ReservationStatus.PENDING)
    assert available_2012(ledger) == 690
    event = LedgerEvent.objects.get(kind=EventKind.EXPIRE)
    assert (event.quantity, event.actor_label) == (40, "system")
    assert_ledger_invariants()
    assert release_expired_reservations_task.apply().get() == 0  # nothing left to expire


def test_the_beat_schedule_runs_the_task_every_minute():
    from pichanaki.celery import app

    entries = [
        entry
        for entry in app.conf.beat_schedule.values()
        if entry["task"] == release_expired_reservations_task.name
    ]
    assert [entry["schedule"] for entry in entries] == [60.0]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_expires_a_due_reservation(ledger, celery_worker_on_redis):
    due = make_due(ledger, 25)
    release_expired_reservations_task.delay()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        due.refresh_from_db()
        if due.status != ReservationStatus.PENDING:
            break
        time.sleep(0.1)
    assert due.status == ReservationStatus.EXPIRED
    assert available_2012(ledger) == 700
    assert_ledger_invariants()
