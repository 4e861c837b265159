"""The scheduled ledger check covers the payment ledger too: both chains of a project are
recorded, and an edited payment event is logged and recorded naming the payment ledger."""

import pytest

from benefits.models import PaymentChainHead, PaymentEvent
from credits.choices import ChainProblem
from credits.models import LedgerCheck
from credits.tasks import check_ledgers_task
from tests.benefits.test_chain import _pay, approved  # noqa: F401 (fixture)
from tests.credits.test_chain import superuser_bypass

pytestmark = pytest.mark.django_db


def test_both_ledgers_are_checked_and_a_payment_break_is_named(approved, caplog):  # noqa: F811
    _pay(approved)
    assert check_ledgers_task.apply().get() == 0
    checks = LedgerCheck.objects.filter(project_id=approved.project_id)
    assert sorted(checks.values_list("ledger", flat=True)) == ["credits", "payments"]
    head = PaymentChainHead.objects.get(project_id=approved.project_id)
    payments = checks.get(ledger="payments")
    assert (payments.length, payments.head_hash, payments.intact) == (
        head.length,
        head.head_hash,
        True,
    )
    event = PaymentEvent.objects.filter(project_id=approved.project_id).order_by("sequence")[2]
    with superuser_bypass():
        PaymentEvent.objects.filter(pk=event.pk).update(reference="edited")
        assert check_ledgers_task.apply().get() == 1
        broken = LedgerCheck.objects.filter(ledger="payments").first()
        assert (broken.problem, broken.event_id) == (ChainProblem.CONTENT, event.pk)
        assert LedgerCheck.objects.filter(ledger="credits").first().intact
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [
        f"ledger check: payments, {approved.project.code}: broken: event #{event.pk} "
        "(position 3): its content does not match its hash (edited)"
    ]
