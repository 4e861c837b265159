"""Distributions of one project approved at once (each under its own distribution lock) still
append to the project's payment chain one at a time: no fork, no gap, no lost head."""

import pytest
from django.db import DatabaseError

from benefits import services
from benefits.chain import verify_payment_chain
from benefits.models import PaymentChainHead, PaymentEvent
from tests.benefits.test_concurrency import Stub
from tests.credits.test_concurrency import race

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _setup():
    """One preview distribution per sale (five), approved by the verifier in five threads."""
    stub = Stub()
    project = stub.personas.project_a
    ids = [
        services.create_distribution(project=project, actor=stub.managers[0], sale_ids=[s.pk]).pk
        for s in stub.sales
    ]

    def worker(i: int) -> object:
        return services.approve_distribution(distribution_id=ids[i], actor=stub.personas.verifier)

    return project.pk, worker, len(ids)


def test_concurrent_approvals_form_one_chain():
    project_id, worker, count = _setup()
    results = race(worker, count)
    assert not [r for r in results if isinstance(r, Exception)], results
    head = PaymentChainHead.objects.get(project_id=project_id)
    sequences = list(
        PaymentEvent.objects.filter(project_id=project_id)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    )
    assert head.length == len(sequences) > count
    assert sequences == list(range(1, head.length + 1))
    assert verify_payment_chain(project_id) is None


def test_without_the_lock_the_chain_would_fork(settings):
    """Control: without locks, concurrent appends read the same head and collide."""
    settings.CREDITS_LOCKING_ENABLED = False
    project_id, worker, count = _setup()
    results = race(worker, count)
    collisions = [r for r in results if isinstance(r, DatabaseError)]
    broken = verify_payment_chain(project_id) is not None
    assert collisions or broken, "no fork observed without the lock: the test above proves nothing"
