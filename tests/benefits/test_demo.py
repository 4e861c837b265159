"""The demo's benefit sharing: a 60%-of-gross policy; most families paid, one parcel held in
trust for low survival, one advance recovered, one grievance; a second run changes nothing."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from benefits.models import (
    AdvanceRecovery,
    Distribution,
    Grievance,
    SharingPolicy,
    TrustHold,
)

pytestmark = pytest.mark.django_db


def test_the_demo_distributes_its_sales():
    call_command("seed_demo", scale=0.1, stdout=StringIO())
    policy = SharingPolicy.objects.get()
    assert policy.producers_share == Decimal("0.60") and policy.basis == "gross"
    distribution = Distribution.objects.get()
    assert distribution.status == "approved" and distribution.sales.count() == 2
    lines = distribution.lines.all()
    assert sum(line.share for line in lines) == distribution.producers_pool
    paid = lines.filter(status="paid").count()
    assert paid >= 0.8 * lines.count()
    hold = TrustHold.objects.get()
    assert "supervivencia" in hold.reason or "survival" in hold.reason
    assert AdvanceRecovery.objects.count() == 1 and Grievance.objects.count() == 1
    call_command("seed_demo", scale=0.1, stdout=StringIO())
    assert Distribution.objects.count() == 1
