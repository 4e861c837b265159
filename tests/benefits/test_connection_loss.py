"""A database connection killed in the middle of a payment operation leaves nothing
half-written: the distribution, lines and holds it changed roll back with the transaction, the
payment chain still verifies, and the operation then succeeds when run again.

Each operation runs in a thread and its backend is killed with `pg_terminate_backend`
(`tests.pichanaki.backend_kill`) at the point between its own write and the chained append of
its events: approving a distribution (the distribution is marked approved, then its events are
appended), releasing a trust hold (the hold is marked released, then its event), and importing
bank confirmations (the PAID events are appended, then the lines are marked paid).
"""

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from benefits import payments, services
from benefits.chain import verify_payment_chain
from benefits.choices import LineStatus, TrustStatus
from benefits.models import (
    Distribution,
    DistributionLine,
    PaymentChainHead,
    PaymentEvent,
    TrustHold,
)
from tests.benefits.test_payments import confirmation_csv, good_rows
from tests.pichanaki.backend_kill import kill_at_call

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _state() -> dict:
    """Everything a payment operation writes."""
    return {
        "events": list(PaymentEvent.objects.order_by("pk").values_list("pk", "chain_hash")),
        "heads": list(PaymentChainHead.objects.values_list("project_id", "length", "head_hash")),
        "distributions": list(
            Distribution.objects.order_by("pk").values_list("pk", "status", "approved_by_id")
        ),
        "lines": list(DistributionLine.objects.order_by("pk").values_list("pk", "status")),
        "holds": list(TrustHold.objects.order_by("pk").values_list("pk", "status", "resolved_at")),
    }


def _killed(monkeypatch, owner: object, operation: Callable[[], object], **where) -> None:
    """Kill the operation's backend at its payment-chain append; nothing may remain of it."""
    before = _state()
    result = kill_at_call(monkeypatch, owner, "append_payment_events", operation, **where)
    assert isinstance(result, DatabaseError), result
    assert _state() == before
    monkeypatch.undo()


def _assert_chain_intact(project_id: int) -> None:
    assert verify_payment_chain(project_id) is None
    call_command("verify_ledger")


@pytest.fixture
def preview(sold) -> Distribution:
    return services.create_distribution(project=sold.project, actor=sold.ledger.personas.manager_a)


def test_an_approval_killed_before_its_events_leaves_nothing(monkeypatch, sold, preview):
    verifier = sold.ledger.personas.verifier

    def approve() -> Distribution:
        return services.approve_distribution(distribution_id=preview.pk, actor=verifier)

    # The distribution is saved as approved, then the connection dies before its events.
    _killed(monkeypatch, services, approve)

    _assert_chain_intact(sold.project.pk)
    assert approve().status == "approved"  # the ledger works on
    assert PaymentEvent.objects.filter(line__distribution=preview).exists()
    _assert_chain_intact(sold.project.pk)


def test_a_trust_release_killed_before_its_event_leaves_nothing(monkeypatch, sold, preview):
    services.approve_distribution(distribution_id=preview.pk, actor=sold.ledger.personas.verifier)
    hold = TrustHold.objects.get(line__distribution=preview)

    def release() -> TrustHold:
        return payments.release_trust(hold_id=hold.pk, actor=None, reason="survival met")

    # The hold is saved as released, then the connection dies before its APPROVED event.
    _killed(monkeypatch, payments, release)

    _assert_chain_intact(sold.project.pk)
    assert release().status == TrustStatus.RELEASED
    _assert_chain_intact(sold.project.pk)


def test_confirmations_killed_after_their_events_leave_nothing(monkeypatch, sold, preview):
    approved = services.approve_distribution(
        distribution_id=preview.pk, actor=sold.ledger.personas.verifier
    )
    data = confirmation_csv(good_rows(approved))

    def confirm() -> int:
        return payments.import_confirmations(
            distribution_id=approved.pk, data=data, filename="pagos.csv", actor=None
        )

    # The PAID events are appended (and the head moved), then the connection dies before the
    # lines are marked paid.
    _killed(monkeypatch, payments, confirm, after=True)

    _assert_chain_intact(sold.project.pk)
    assert confirm() == 2  # nothing was paid: the whole file is accepted again
    assert approved.lines.filter(status=LineStatus.PAID).count() == 2
    _assert_chain_intact(sold.project.pk)
