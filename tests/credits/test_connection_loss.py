"""A database connection killed in the middle of a ledger operation leaves nothing
half-written: the rows written before the kill roll back with the transaction, the ledger's
conservation laws and its hash chain still hold, and the next operation succeeds.

The service runs in a thread and is held just before it appends its event (after it has
written other rows); the test kills that thread's PostgreSQL backend from its own connection
with `pg_terminate_backend`, as a crash or a failover would, and lets the service go on
(`tests.pichanaki.backend_kill`; the payment ledger's twin is tests/benefits/).
"""

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.utils import timezone

from credits import services
from credits.chain import verify_chain
from credits.models import (
    CreditVintage,
    Issuance,
    IssuanceContribution,
    LedgerChainHead,
    LedgerEvent,
    Reservation,
    SerialBlock,
)
from credits.services import _core
from tests.base import build_personas
from tests.credits.factories import make_parcels, make_run
from tests.credits.invariants import assert_ledger_invariants
from tests.pichanaki.backend_kill import kill_at_call

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _state() -> dict:
    """Everything a ledger operation writes."""
    return {
        "events": list(LedgerEvent.objects.order_by("pk").values_list("pk", "chain_hash")),
        "heads": list(LedgerChainHead.objects.values_list("project_id", "length", "head_hash")),
        "blocks": list(SerialBlock.objects.order_by("pk").values_list("pk", "state")),
        "vintages": list(CreditVintage.objects.order_by("pk").values()),
        "reservations": Reservation.objects.count(),
        "issuances": Issuance.objects.count(),
        "contributions": IssuanceContribution.objects.count(),
    }


def _kill_at_append(monkeypatch, operation: Callable[[], object], *, at_call: int) -> object:
    """Run `operation`; when it is about to append its `at_call`-th event, kill its database
    backend, then let it continue. Returns what the operation raised or returned."""
    return kill_at_call(monkeypatch, _core, "append_event", operation, at_call=at_call)


@pytest.fixture
def project():
    personas = build_personas()
    parcels = make_parcels(personas.project_a, personas.coop_a1, count=2)
    return personas, parcels


def test_a_reservation_killed_before_its_event_leaves_nothing(monkeypatch, project):
    personas, parcels = project
    run = make_run(personas.project_a, parcels, vintages={2012: (700, 300)})
    services.issue_credits(run_id=run.pk, actor=None)
    buyer = services.create_buyer_organisation(name="Comprador", country="DE")
    before = _state()

    def reserve() -> Reservation:
        return services.reserve_credits(
            account_id=buyer.account.pk,
            project_id=personas.project_a.pk,
            vintage=2012,
            unit_type="VER",
            quantity=40,
            expires_at=timezone.now() + dt.timedelta(hours=1),
            actor=None,
        )

    # The reservation row is written, then the service stops before its event.
    result = _kill_at_append(monkeypatch, reserve, at_call=1)

    assert isinstance(result, DatabaseError), result
    assert _state() == before
    assert_ledger_invariants()
    assert verify_chain(personas.project_a.pk) is None
    monkeypatch.undo()
    assert reserve().quantity == 40  # the ledger works on
    assert_ledger_invariants()
    call_command("verify_ledger")


def test_an_issuance_killed_between_two_vintages_leaves_nothing(monkeypatch, project):
    personas, parcels = project
    run = make_run(personas.project_a, parcels, vintages={2012: (700, 300), 2013: (70, 30)})
    before = _state()

    # Vintage 2012 is written (event, blocks, counters, contributions); the connection dies
    # before the 2013 event.
    result = _kill_at_append(
        monkeypatch, lambda: services.issue_credits(run_id=run.pk, actor=None), at_call=2
    )

    assert isinstance(result, DatabaseError), result
    assert _state() == before
    assert_ledger_invariants()
    assert verify_chain(personas.project_a.pk) is None
    monkeypatch.undo()
    assert len(services.issue_credits(run_id=run.pk, actor=None)) == 2
    assert_ledger_invariants()
    call_command("verify_ledger")
