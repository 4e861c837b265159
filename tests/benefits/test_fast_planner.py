"""The set-wise planner and the batch writes give exactly what the planner before issue 11's
speed-up gave (tests/benefits/reference_planning.py, frozen): same lines, same amounts, same
hash; on a project with several sales of two vintages at several prices, a family with two
parcels, shares held in trust and advances, under every split method."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from benefits import services
from benefits.models import AdvanceRecovery, TrustHold
from benefits.planning import plan_distribution
from credits import services as credits
from credits.models import Account
from credits.services import issue_credits
from parcels.models import Parcel
from tests.benefits import reference_planning
from tests.benefits.conftest import RATE, monitor
from tests.credits.factories import make_buyer, make_parcels, make_run

pytestmark = pytest.mark.django_db

SALES = [(2012, 100, "15.00"), (2012, 37, "12.37"), (2013, 13, "18.10"), (2012, 211, "9.99"),
         (2013, 29, "15.00")]  # fmt: skip
METHODS = [("contribution", {}), ("trees", {}), ("area", {}), ("equal", {}),
           ("mix", {"contribution": "0.7", "trees": "0.2", "equal": "0.1"})]  # fmt: skip


@pytest.fixture
def project(personas):
    """Five parcels, the last two of one family; parcels 0 and 4 under target, parcel 2 never
    monitored; two advances; five sales of vintages 2012 and 2013 at four prices."""
    project = personas.project_a
    parcels = make_parcels(project, personas.coop_a1, count=5)
    Parcel.objects.filter(pk=parcels[4].pk).update(smallholder=parcels[3].smallholder)
    run = make_run(project, parcels, vintages={2012: (700, 300), 2013: (70, 30)},
                   weights=[5, 3, 2, 7, 1])  # fmt: skip
    issue_credits(run_id=run.pk, actor=personas.manager_a)
    recent = timezone.localdate() - dt.timedelta(days=200)
    for i, (planted, alive) in {0: (100, 50), 1: (120, 100), 3: (90, 80), 4: (60, 20)}.items():
        monitor(parcels[i], planted=planted, alive=alive, on=recent)
    _org, account = make_buyer()
    for vintage, quantity, price in SALES:
        _sell(personas, account, vintage, quantity, Decimal(price))
    for holder, amount in ((parcels[1].smallholder, "50.00"), (parcels[3].smallholder, "9000")):
        services.record_advance(project=project, smallholder_id=holder.pk,
                                amount=Decimal(amount), paid_on=dt.date(2011, 3, 1),
                                reason="S/ 2 por árbol")  # fmt: skip
    services.record_exchange_rate(currency="USD", rate_to_pen=RATE, source="SBS venta",
                                  rate_date=timezone.localdate())  # fmt: skip
    return project


def _sell(personas, account: Account, vintage: int, quantity: int, price: Decimal) -> None:
    reservation = credits.reserve_credits(
        account_id=account.pk, project_id=personas.project_a.pk, vintage=vintage,
        unit_type="VER", quantity=quantity,
        expires_at=timezone.now() + dt.timedelta(minutes=30), actor=personas.manager_a,
    )  # fmt: skip
    credits.confirm_sale(reservation_id=reservation.pk, price_per_tonne=price, currency="USD",
                         invoice_reference="F001-9", actor=personas.manager_a)  # fmt: skip


def _family(f) -> tuple:
    """Everything a planned family carries, amounts as text (so that 1.0 and 1.00 differ)."""
    text = {k: str(v) for k, v in f.held.items()}
    return (f.smallholder_id, f.dni, f.units, str(f.weight), str(f.share), text,
            [(a, str(x)) for a, x in f.recoveries], f.provenance,
            [(r, line, str(x)) for r, line, x in f.clawbacks], str(f.held_in_trust),
            str(f.advance_recovered), str(f.clawed_back), str(f.amount))  # fmt: skip


@pytest.mark.parametrize(("method", "mix"), METHODS)
def test_fast_planner_and_batch_writes_match_the_frozen_planner(project, personas, method, mix):
    services.create_policy(project=project, actor=personas.manager_a,
                           producers_share=Decimal("0.65"), split_method=method, mix=mix,
                           survival_threshold=Decimal("0.7"))  # fmt: skip
    today = timezone.localdate()
    reference = reference_planning.plan_distribution(project=project, today=today)
    plan = plan_distribution(project=project, today=today)

    assert [_family(f) for f in plan.families] == [_family(f) for f in reference.families]
    assert plan.hash == reference.hash
    assert plan.as_json() == reference.as_json()
    assert any(f.held for f in plan.families)  # the fixture holds shares in trust
    assert any(f.recoveries for f in plan.families)  # and recovers advances
    assert any(len({p["parcel"] for p in f.provenance}) == 2 for f in plan.families)

    distribution = services.create_distribution(project=project, actor=personas.manager_a)
    assert distribution.inputs_hash == reference.hash
    lines = {line.smallholder_id: line for line in distribution.lines.all()}
    assert len(lines) == len(reference.families)
    for f in reference.families:
        line = lines[f.smallholder_id]
        assert (line.units, line.weight, line.share, line.held_in_trust, line.advance_recovered,
                line.clawed_back, line.amount, line.provenance) == (
            f.units, f.weight.quantize(Decimal("0.00000001")), f.share, f.held_in_trust,
            f.advance_recovered, f.clawed_back, f.amount, f.provenance)  # fmt: skip
    holds = TrustHold.objects.filter(line__distribution=distribution)
    assert {(h.line.smallholder_id, h.parcel_id, h.amount, h.reason, h.status) for h in holds} == {
        (f.smallholder_id, parcel, amount, reason, "held")
        for f in reference.families
        for parcel, (amount, reason) in f.held.items()
    }
    recoveries = AdvanceRecovery.objects.filter(line__distribution=distribution)
    assert {(r.line.smallholder_id, r.advance_id, r.amount) for r in recoveries} == {
        (f.smallholder_id, advance, amount)
        for f in reference.families
        for advance, amount in f.recoveries
    }
    assert sorted(distribution.sales.values_list("sale_id", "gross", "units")) == sorted(
        reference.sales
    )
