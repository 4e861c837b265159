"""Clawback from future shares: a reversal on parcels whose families were paid is deducted from
the families' next lines (never below zero, the rest carried over), recorded per reversal and
shown on the statement; the control policy ("never") deducts nothing."""

import json
from decimal import Decimal

import pytest

from benefits import payments, services
from benefits.choices import Clawback
from benefits.models import ClawbackDeduction, DistributionLine
from benefits.reversals import clawbacks_owed
from benefits.statements import statement_facts
from credits.services import record_reversal
from tests.benefits.test_payments import confirmation_csv, good_rows
from tests.benefits.test_statements import pdf_text, statement
from tests.credits.helpers import buy

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


def policy(sold, clawback: str) -> None:
    old = sold.policy
    services.create_policy(
        project=sold.project, actor=sold.ledger.personas.manager_a, clawback=clawback,
        producers_share=old.producers_share, cooperative_share=old.cooperative_share,
        community_fund_share=old.community_fund_share, costs=old.costs,
    )  # fmt: skip


def distribute(sold, sale):
    p = sold.ledger.personas
    d = services.create_distribution(project=sold.project, actor=p.manager_a, sale_ids=[sale.pk])
    d = services.approve_distribution(distribution_id=d.pk, actor=p.verifier)
    payments.import_confirmations(
        distribution_id=d.pk, data=confirmation_csv(good_rows(d)), filename="p.csv", actor=None
    )
    return d


def lose(sold, tonnes: str, *parcels) -> None:
    record_reversal(
        project_id=sold.project.pk, quantity_tco2e=Decimal(tonnes),
        parcel_ids=[p.pk for p in parcels], reason="incendio", actor=None,
    )  # fmt: skip


def line_of(distribution, parcel) -> DistributionLine:
    return distribution.lines.get(smallholder_id=parcel.smallholder_id)


def assert_lines_add_up(distribution) -> None:
    lines = list(distribution.lines.all())
    assert sum(x.share for x in lines) == distribution.producers_pool
    for x in lines:
        assert x.share == x.held_in_trust + x.advance_recovered + x.clawed_back + x.amount
        assert x.amount >= 0 and x.clawed_back >= 0


def test_the_next_line_deducts_the_value_of_the_lost_tonnes(sold):
    policy(sold, Clawback.FUTURE_SHARES)
    parcel = sold.ledger.parcels[1]
    first = distribute(sold, sold.sales[0])
    paid = line_of(first, parcel)
    lose(sold, "3", parcel)
    second = services.create_distribution(
        project=sold.project, actor=None, sale_ids=[sold.sales[1].pk]
    )
    owed = (paid.share * 3 / paid.units).quantize(CENT)  # 3 of its units lost, at its price
    line = line_of(second, parcel)
    assert owed > 0 and line.clawed_back == owed
    assert line.amount == line.share - line.held_in_trust - line.advance_recovered - owed
    (deduction,) = ClawbackDeduction.objects.all()
    assert (deduction.source_line_id, deduction.line_id, deduction.amount) == (
        paid.pk, line.pk, owed,
    )  # fmt: skip
    assert_lines_add_up(second)
    others = second.lines.exclude(pk=line.pk)
    assert all(x.clawed_back == 0 for x in others)  # families whose parcels lost nothing


def test_under_never_nothing_is_deducted(sold):
    parcel = sold.ledger.parcels[1]
    distribute(sold, sold.sales[0])
    lose(sold, "3", parcel)
    second = services.create_distribution(
        project=sold.project, actor=None, sale_ids=[sold.sales[1].pk]
    )
    assert all(x.clawed_back == 0 for x in second.lines.all())
    assert not ClawbackDeduction.objects.exists()


def test_what_the_next_line_cannot_cover_is_carried_to_the_following(sold):
    policy(sold, Clawback.FUTURE_SHARES)
    parcel = sold.ledger.parcels[1]
    first = distribute(sold, sold.sales[0])
    paid = line_of(first, parcel)
    lose(sold, "1000", parcel)  # more than the family's units: all it was paid for
    owed = paid.share
    second = distribute(sold, sold.sales[1])  # half the tonnes: not enough to cover it
    short = line_of(second, parcel)
    assert short.amount == 0 and 0 < short.clawed_back < owed
    assert short.clawed_back == short.share - short.held_in_trust - short.advance_recovered
    (left,) = clawbacks_owed(project_id=sold.project.pk)[parcel.smallholder_id]
    assert left.left == owed - short.clawed_back
    third = services.create_distribution(
        project=sold.project, actor=None, sale_ids=[buy(sold.ledger, 100).pk]
    )
    rest = line_of(third, parcel)
    assert rest.clawed_back == owed - short.clawed_back and rest.amount > 0
    total = sum(d.amount for d in ClawbackDeduction.objects.filter(source_line=paid))
    assert total == owed
    assert not clawbacks_owed(project_id=sold.project.pk)  # settled: nothing left to deduct
    assert_lines_add_up(third)


def test_a_loss_on_two_families_is_split_to_the_centimo(sold):
    policy(sold, Clawback.FUTURE_SHARES)
    a, b = sold.ledger.parcels[1], sold.ledger.parcels[2]
    first = distribute(sold, sold.sales[0])
    lose(sold, "7.3", a, b)
    owed = clawbacks_owed(project_id=sold.project.pk)
    la, lb = line_of(first, a), line_of(first, b)
    value = la.share + lb.share  # each family's units all came from the named parcels
    exact = (value * Decimal("7.3") / (la.units + lb.units)).quantize(CENT)
    parts = [o.amount for s in (a, b) for o in owed[s.smallholder_id]]
    assert len(parts) == 2 and sum(parts) == exact


def test_the_statement_shows_each_deduction_with_its_reversal(sold, tmp_path):
    policy(sold, Clawback.FUTURE_SHARES)
    parcel = sold.ledger.parcels[1]
    first = distribute(sold, sold.sales[0])
    paid = line_of(first, parcel)
    lose(sold, "1000", parcel)
    second = distribute(sold, sold.sales[1])
    short = line_of(second, parcel)
    facts = statement_facts(smallholder=paid.smallholder, project=sold.project, period=None)
    earlier, later = facts["lines"]
    (against,) = earlier.reversals
    assert against.owed == paid.share and against.taken_back == short.clawed_back
    (deduction,) = later.deductions
    assert deduction.reversal_id == against.reversal.reversal_id
    totals = facts["totals"]
    assert totals["clawed_back"] == short.clawed_back == totals["taken_back"]
    assert totals["still_owed"] == paid.share - short.clawed_back
    assert totals["share"] == sum(
        (x.held_in_trust + x.advance_recovered + x.clawed_back + x.amount for x in facts["lines"]),
        Decimal(0),
    )
    data = json.loads(statement(sold, paid.smallholder.dni, "json", tmp_path))
    shown = data["lines"][1]["deductions"][0]
    assert shown["amount"] == str(short.clawed_back) and shown["paid_in_distribution"] == first.pk
    text = pdf_text(statement(sold, paid.smallholder.dni, "pdf", tmp_path), tmp_path)
    reversal = against.reversal.reversal_id
    assert f"Deducted for reversal no. {reversal}" in text
    assert f"Descontado por la reversión n.º {reversal}" in text
