"""Who sees which lines, and the money figures the back office reads."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from benefits import payments, selectors, services
from benefits.models import DistributionLine
from smallholders.models import Smallholder
from tests.base import make_cooperative
from tests.benefits.test_payments import confirmation_csv, good_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(sold):
    personas = sold.ledger.personas
    d = services.create_distribution(project=sold.project, actor=personas.manager_a)
    return services.approve_distribution(distribution_id=d.pk, actor=personas.verifier)


def test_scopes(approved, sold):
    p = sold.ledger.personas
    line = approved.lines.first()
    assert selectors.lines_for(user=p.staff_a1).count() == 3
    assert selectors.lines_for(user=p.staff_b1).count() == 0
    assert selectors.lines_for(user=p.manager_a).count() == 3
    assert selectors.lines_for(user=p.verifier).count() == 3
    for outsider in (p.buyer, p.nobody, p.staff_b1):
        with pytest.raises(Http404):
            selectors.access_line(user=outsider, line_id=line.pk)
    assert selectors.distributions_for(user=p.buyer).count() == 0


def test_money_summary_and_over_time(approved, sold):
    project = sold.project
    before = selectors.money_summary(project=project)
    assert before.revenue == {"USD": Decimal("2250.00")}
    assert before.paid_pen == 0
    held = sum(line.held_in_trust for line in approved.lines.all())
    assert before.held_pen == held > 0
    assert before.producers_share == Decimal("0.6000")
    payments.import_confirmations(
        distribution_id=approved.pk, data=confirmation_csv(good_rows(approved)),
        filename="p.csv", actor=None,
    )  # fmt: skip
    after = selectors.money_summary(project=project, cooperative=sold.ledger.personas.coop_a1)
    paid = sum(line.amount for line in approved.lines.all())
    assert after.paid_pen == paid
    assert after.revenue == {"USD": Decimal("2250.00")}  # every family is in cooperative a1
    month = timezone.localdate().replace(day=1)
    paid_month = dt.date(2026, 11, 1)  # good_rows pay on 2026-11-30
    expected = {month: ({"USD": Decimal("2250.00")}, Decimal("0.00"))}
    expected[paid_month] = (expected.get(paid_month, ({}, 0))[0], paid)
    assert selectors.money_over_time(project=project) == [
        (m, *expected[m]) for m in sorted(expected)
    ]


def test_a_cooperative_gets_its_part_of_the_revenue(approved, sold):
    other = make_cooperative("a2", sold.project, seed=7)
    line = approved.lines.order_by("smallholder_id").last()
    Smallholder.objects.filter(pk=line.smallholder_id).update(cooperative=other)
    part = line.share / approved.producers_pool
    summary = selectors.money_summary(project=sold.project, cooperative=other)
    assert summary.revenue == {"USD": (Decimal("2250.00") * part).quantize(Decimal("0.01"))}
    assert DistributionLine.objects.count() == 3
