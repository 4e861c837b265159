"""Distributions end to end on the database: preview, approval, immutability, trust, advances."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from benefits import services
from benefits.choices import DistributionStatus, LineStatus
from benefits.exceptions import (
    AlreadyDistributed,
    NotApprovable,
    NothingToDistribute,
    PolicyRefused,
)
from benefits.models import (
    Distribution,
    DistributionSale,
    ImmutableError,
    PaymentEvent,
    TrustHold,
)
from benefits.planning import plan_distribution
from tests.benefits.conftest import RATE

pytestmark = pytest.mark.django_db


def test_preview_splits_the_gross_and_holds_the_low_survival_parcel(sold):
    d = services.create_distribution(project=sold.project, actor=sold.ledger.personas.manager_a)
    gross_pen = (Decimal("150") * Decimal("15.00") * RATE).quantize(Decimal("0.01"))
    assert d.gross == Decimal("2250.00") and d.gross_pen == gross_pen
    assert d.producers_pool == (gross_pen * Decimal("0.60")).quantize(Decimal("0.01"))
    lines = list(d.lines.order_by("smallholder_id"))
    assert sum(line.share for line in lines) == d.producers_pool
    assert sum(line.units for line in lines) == 150
    first = lines[0]  # parcel 0: survival 50% < 70%
    assert first.held_in_trust == first.share and first.amount == 0
    assert "survival 50% under the 70% target" in TrustHold.objects.get(line=first).reason
    assert all(line.held_in_trust == 0 for line in lines[1:])
    assert {p["issuance"] for p in first.provenance} == {sold.ledger.issuances[0].pk}
    assert first.provenance[0]["parcel"] == sold.ledger.parcels[0].code
    assert DistributionSale.objects.filter(distribution=d).count() == 2


def test_a_sale_is_distributed_once_and_the_database_backs_it(sold):
    manager = sold.ledger.personas.manager_a
    d = services.create_distribution(project=sold.project, actor=manager)
    with pytest.raises(NothingToDistribute):
        services.create_distribution(project=sold.project, actor=manager)
    with pytest.raises(AlreadyDistributed, match=f"Sale\\(s\\) {sold.sales[0].pk}"):
        services.create_distribution(
            project=sold.project, actor=manager, sale_ids=[sold.sales[0].pk]
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DistributionSale.objects.create(
            distribution=d, sale=sold.sales[0], gross=Decimal(1), units=1
        )


def test_approval_needs_another_person_and_makes_it_immutable(sold):
    personas = sold.ledger.personas
    d = services.create_distribution(project=sold.project, actor=personas.manager_a)
    with pytest.raises(NotApprovable, match="Another person"):
        services.approve_distribution(distribution_id=d.pk, actor=personas.manager_a)
    with pytest.raises(NotApprovable, match="verifier or a manager"):
        services.approve_distribution(distribution_id=d.pk, actor=personas.staff_a1)
    services.approve_distribution(distribution_id=d.pk, actor=personas.verifier)
    d.refresh_from_db()
    assert d.status == DistributionStatus.APPROVED and d.approved_by == personas.verifier
    with pytest.raises(NotApprovable, match="already approved"):
        services.approve_distribution(distribution_id=d.pk, actor=personas.superuser)
    d.gross = Decimal("1.00")
    with pytest.raises(ImmutableError):
        d.save()
    with pytest.raises(ImmutableError):
        Distribution.objects.get(pk=d.pk).delete()
    statuses = set(d.lines.values_list("status", flat=True))
    assert statuses == {LineStatus.APPROVED, LineStatus.WITHHELD}
    event = PaymentEvent.objects.filter(line__distribution=d).first()
    with pytest.raises(Exception, match="append-only"):
        event.save()


def test_same_inputs_same_hash(sold):
    a = plan_distribution(project=sold.project, today=timezone.localdate())
    b = plan_distribution(project=sold.project, today=timezone.localdate())
    assert a.hash == b.hash and a.as_json() == b.as_json()


def test_policy_under_the_floor_is_refused_and_a_used_policy_is_immutable(sold):
    with pytest.raises(PolicyRefused, match="under the floor of 60%"):
        services.create_policy(
            project=sold.project, actor=None, basis="net", producers_share=Decimal("0.62"),
            costs=[{"name": "verification", "fraction": "0.10"}],
        )  # fmt: skip
    services.create_distribution(project=sold.project, actor=None)
    sold.policy.producers_share = Decimal("0.9")
    with pytest.raises(ImmutableError):
        sold.policy.save()
    v2 = services.create_policy(project=sold.project, actor=None, producers_share=Decimal("0.8"))
    assert v2.version == 2


def test_advance_recovered_at_the_rate_and_the_rest_carries_over(sold):
    holder = sold.ledger.parcels[1].smallholder
    services.record_advance(
        project=sold.project, smallholder_id=holder.pk, amount=Decimal("100000.00"),
        paid_on=dt.date(2011, 3, 1), reason="S/ 2 per tree at planting",
    )  # fmt: skip
    d = services.create_distribution(project=sold.project, actor=None)
    line = d.lines.get(smallholder=holder)
    assert line.advance_recovered == (line.share * Decimal("0.50")).quantize(
        Decimal("0.01"), "ROUND_FLOOR"
    )
    assert line.amount == line.share - line.advance_recovered > 0
