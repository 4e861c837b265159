"""Shares held in trust past their deadline: returned by the beat task, then taken in (once) by
the project's next distribution, into the pool the policy names."""

import datetime as dt
from decimal import Decimal

import pytest

from benefits import services
from benefits.choices import LineStatus, TrustStatus
from benefits.models import Distribution, PaymentEvent, SharingPolicy, TrustHold
from benefits.tasks import sweep_trust_deadlines_task
from benefits.trust import sweep_trust_deadlines
from tests.credits.helpers import buy

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(sold):
    personas = sold.ledger.personas
    d = services.create_distribution(project=sold.project, actor=personas.manager_a)
    return services.approve_distribution(distribution_id=d.pk, actor=personas.verifier)


def test_nothing_is_returned_before_the_deadline(approved):
    hold = TrustHold.objects.get(line__distribution=approved)
    assert sweep_trust_deadlines(today=hold.deadline) == 0
    assert sweep_trust_deadlines_task.apply().get() == 0  # today, long before the deadline
    hold.refresh_from_db()
    assert hold.status == TrustStatus.HELD


def test_after_the_deadline_the_hold_is_returned_with_an_event_once(approved):
    hold = TrustHold.objects.get(line__distribution=approved)
    after = hold.deadline + dt.timedelta(days=1)
    assert sweep_trust_deadlines(today=after) == 1
    hold.refresh_from_db()
    assert hold.status == TrustStatus.RETURNED and hold.resolved_at is not None
    event = PaymentEvent.objects.get(line=hold.line, status=LineStatus.CANCELLED)
    assert event.amount == hold.amount
    assert hold.deadline.isoformat() in event.reason and "pool" in event.reason
    hold.line.refresh_from_db()
    assert hold.line.status == LineStatus.CANCELLED  # it was only withheld: nothing to pay now
    assert sweep_trust_deadlines(today=after) == 0  # swept once
    assert PaymentEvent.objects.filter(status=LineStatus.CANCELLED).count() == 1


def test_a_released_hold_is_not_returned(approved):
    from benefits.payments import release_trust

    hold = TrustHold.objects.get(line__distribution=approved)
    release_trust(hold_id=hold.pk, actor=None, reason="survival 75%")
    assert sweep_trust_deadlines(today=hold.deadline + dt.timedelta(days=1)) == 0


def next_distribution(sold, approved) -> tuple[TrustHold, Distribution]:
    hold = TrustHold.objects.get(line__distribution=approved)
    sweep_trust_deadlines(today=hold.deadline + dt.timedelta(days=1))
    buy(sold.ledger, 20)
    later = services.create_distribution(project=sold.project, actor=sold.ledger.personas.manager_a)
    hold.refresh_from_db()
    return hold, later


def test_the_next_distribution_takes_the_returned_share_into_the_producers_pool(sold, approved):
    hold, later = next_distribution(sold, approved)
    assert hold.returned_to == later
    from_sales = Decimal(later.pools["producers"])
    assert later.producers_pool == from_sales + hold.amount
    assert later.pools["returned_from_trust"] == {
        "producers": str(hold.amount), "community_fund": "0.00",
    }  # fmt: skip
    assert sum(line.share for line in later.lines.all()) == later.producers_pool
    # Taken in once: a discarded preview gives it back, the next one takes it again.
    services.discard_distribution(distribution_id=later.pk, actor=sold.ledger.personas.manager_a)
    hold.refresh_from_db()
    assert hold.returned_to is None
    again = services.create_distribution(project=sold.project, actor=None)
    assert again.producers_pool == from_sales + hold.amount
    hold.refresh_from_db()
    assert hold.returned_to == again


def test_a_community_fund_policy_sends_the_returned_share_to_the_fund(sold):
    SharingPolicy.objects.filter(pk=sold.policy.pk).update(after_deadline="community_fund")
    personas = sold.ledger.personas
    d = services.create_distribution(project=sold.project, actor=personas.manager_a)
    approved = services.approve_distribution(distribution_id=d.pk, actor=personas.verifier)
    hold, later = next_distribution(sold, approved)
    assert later.producers_pool == Decimal(later.pools["producers"])
    assert later.pools["returned_from_trust"]["community_fund"] == str(hold.amount)
    assert sum(line.share for line in later.lines.all()) == later.producers_pool
