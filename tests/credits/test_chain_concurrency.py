"""Concurrent operations on different vintages of one project (no shared CreditVintage lock)
still append to the project's hash chain one at a time: no fork, no gap, no lost head."""

import pytest
from django.db import DatabaseError

from credits import services
from credits.chain import verify_chain
from credits.models import LedgerChainHead, LedgerEvent
from tests.base import build_personas
from tests.credits.factories import make_buyer, make_parcels, make_run
from tests.credits.invariants import assert_ledger_invariants
from tests.credits.test_concurrency import race

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 16
VINTAGES = (2012, 2013, 2014, 2015)


def _setup():
    personas = build_personas()
    parcels = make_parcels(personas.project_a, personas.coop_a1, count=2)
    run = make_run(personas.project_a, parcels, vintages={v: (100, 0) for v in VINTAGES})
    services.issue_credits(run_id=run.pk, actor=None)
    _buyer, account = make_buyer()
    issuance = LedgerEvent.objects.filter(project=personas.project_a).first().to_account_id

    def worker(i: int) -> object:
        # Four vintages: four CreditVintage locks, so only the chain head serialises them.
        return services.transfer_credits(
            from_account_id=issuance,
            to_account_id=account.pk,
            project_id=personas.project_a.pk,
            unit_type="VER",
            vintage=VINTAGES[i % len(VINTAGES)],
            quantity=1,
            actor=None,
        )

    return personas.project_a.pk, worker


def test_concurrent_appends_form_one_chain():
    project_id, worker = _setup()
    results = race(worker, THREADS)
    assert not [r for r in results if isinstance(r, Exception)], results
    head = LedgerChainHead.objects.get(project_id=project_id)
    assert head.length == len(VINTAGES) + THREADS
    sequences = list(
        LedgerEvent.objects.filter(project_id=project_id)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, head.length + 1))
    assert verify_chain(project_id) is None
    assert_ledger_invariants()


def test_without_the_lock_the_chain_would_fork(settings):
    """Control: without locks, concurrent appends read the same head and collide."""
    settings.CREDITS_LOCKING_ENABLED = False
    project_id, worker = _setup()
    results = race(worker, THREADS)
    collisions = [r for r in results if isinstance(r, DatabaseError)]
    broken = verify_chain(project_id) is not None
    assert collisions or broken, "no fork observed without the lock: the test above proves nothing"
