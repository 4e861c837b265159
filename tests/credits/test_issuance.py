import pytest

from credits.choices import AccountKind, BlockState, EventKind
from credits.exceptions import AlreadyIssued, RunNotIssuable
from credits.models import CreditVintage, Issuance, IssuanceContribution, LedgerEvent, SerialBlock
from credits.services import issue_credits
from quantification.models import RunKind, RunStatus
from tests.credits.factories import make_parcels, make_run
from tests.credits.invariants import assert_ledger_invariants


def test_it_issues_each_vintage_with_the_buffer_share(ledger):
    row = CreditVintage.objects.get(project_id=ledger.project_id, unit_type="VER", vintage=2012)
    assert (row.issued, row.available, row.buffer, row.next_serial) == (1000, 700, 300, 1001)
    blocks = SerialBlock.objects.filter(project_id=ledger.project_id, vintage=2012)
    spans = sorted((b.account.kind, b.serial_start, b.serial_end) for b in blocks)
    assert spans == [(AccountKind.BUFFER, 701, 1000), (AccountKind.ISSUANCE, 1, 700)]
    assert [i.vintage for i in ledger.issuances] == [2012, 2013]


def test_it_prints_serials_with_the_project_registry_number(ledger):
    block = SerialBlock.objects.get(
        project_id=ledger.project_id, vintage=2012, account=ledger.issuance_account
    )
    assert block.printed_serial == "PCH-PE-001-VER-2012-000000001-000000700"


def test_it_records_contributions_summing_exactly(ledger):
    issuance = ledger.issuances[0]
    rows = IssuanceContribution.objects.filter(issuance=issuance).order_by("parcel_id")
    assert [r.units for r in rows] == [350, 210, 140]
    assert sum(r.buffer_units for r in rows) == issuance.buffer_quantity == 300
    assert [r.smallholder_id for r in rows] == [p.smallholder_id for p in ledger.parcels]


def test_it_appends_one_issue_event_per_vintage(ledger):
    event = LedgerEvent.objects.get(kind=EventKind.ISSUE, vintage=2012)
    assert event.serials == [[1, 700], [701, 1000]]
    assert event.quantity == 1000
    assert event.actor == ledger.personas.manager_a
    assert event.reference["run_id"] == ledger.run.pk


def test_it_refuses_to_issue_a_run_twice(ledger):
    with pytest.raises(AlreadyIssued):
        issue_credits(run_id=ledger.run.pk, actor=None)
    assert Issuance.objects.count() == 2
    assert_ledger_invariants()


@pytest.mark.parametrize("status", [RunStatus.SUCCEEDED, RunStatus.REJECTED, RunStatus.FAILED])
def test_it_refuses_runs_that_are_not_approved(personas, status):
    parcels = make_parcels(personas.project_a, personas.coop_a1, count=1)
    run = make_run(personas.project_a, parcels, vintages={2014: (10, 5)}, status=status)
    with pytest.raises(RunNotIssuable, match="not approved"):
        issue_credits(run_id=run.pk, actor=None)
    assert not SerialBlock.objects.exists()


def test_it_refuses_an_unknown_run(db):
    with pytest.raises(RunNotIssuable, match="does not exist"):
        issue_credits(run_id=999_999, actor=None)


def test_it_refuses_a_run_with_nothing_to_issue(personas):
    parcels = make_parcels(personas.project_a, personas.coop_a1, count=1)
    run = make_run(personas.project_a, parcels, vintages={2014: (0, 0)})
    with pytest.raises(RunNotIssuable, match="nothing to issue"):
        issue_credits(run_id=run.pk, actor=None)


def test_it_issues_ex_ante_runs_as_planned_units(personas):
    parcels = make_parcels(personas.project_a, personas.coop_a1, count=2)
    run = make_run(personas.project_a, parcels, vintages={2020: (80, 20)}, kind=RunKind.EX_ANTE)
    (issuance,) = issue_credits(run_id=run.pk, actor=None)
    assert issuance.unit_type == "PER"
    assert SerialBlock.objects.filter(unit_type="PER", state=BlockState.ACTIVE).count() == 2
    assert_ledger_invariants()


def test_it_continues_serials_across_runs_of_one_vintage(ledger):
    ex_post_2 = make_run(
        ledger.personas.project_a,
        ledger.parcels,
        vintages={2013: (10, 0)},
        weights=[1, 1, 1],
        period=(2016, 2016),
    )
    issue_credits(run_id=ex_post_2.pk, actor=None)
    newest = SerialBlock.objects.filter(vintage=2013).order_by("-serial_start").first()
    assert (newest.serial_start, newest.serial_end) == (101, 110)
    assert_ledger_invariants()
