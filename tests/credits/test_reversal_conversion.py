from decimal import Decimal

import pytest

from credits import services
from credits.choices import BlockState, EventKind
from credits.exceptions import ConversionBlocked, InvalidOperation, RunNotIssuable
from credits.models import CreditVintage, LedgerEvent, SerialBlock
from quantification.models import RunKind
from tests.credits.factories import make_run
from tests.credits.helpers import buy, reserve
from tests.credits.invariants import assert_ledger_invariants


def test_it_cancels_buffer_units_for_a_reversal_oldest_vintage_first(ledger):
    reversal = services.record_reversal(
        project_id=ledger.project_id,
        quantity_tco2e=Decimal("300.2"),
        parcel_ids=[ledger.parcels[0].pk],
        reason="Incendio en la parcela",
        actor=None,
    )
    assert (reversal.units_cancelled, reversal.shortfall) == (301, 0)
    rows = {r.vintage: r for r in CreditVintage.objects.filter(unit_type="VER")}
    assert (rows[2012].buffer, rows[2012].cancelled, rows[2013].cancelled) == (0, 300, 1)
    assert list(reversal.parcels.all()) == [ledger.parcels[0]]
    assert LedgerEvent.objects.filter(kind=EventKind.REVERSAL).count() == 2
    assert_ledger_invariants()


def test_it_records_the_shortfall_the_buffer_cannot_cover(ledger):
    reversal = services.record_reversal(
        project_id=ledger.project_id,
        quantity_tco2e=Decimal("400"),
        parcel_ids=[],
        reason="Sequía",
        actor=None,
    )
    assert (reversal.units_cancelled, reversal.shortfall) == (330, 70)
    assert_ledger_invariants()


@pytest.mark.parametrize(
    ("quantity", "reason"), [(Decimal(0), "x"), (Decimal(-1), "x"), (5, "x"), (Decimal(1), " ")]
)
def test_it_refuses_bad_reversals(ledger, quantity, reason):
    with pytest.raises(InvalidOperation):
        services.record_reversal(
            project_id=ledger.project_id,
            quantity_tco2e=quantity,
            parcel_ids=[],
            reason=reason,
            actor=None,
        )


def test_it_refuses_parcels_of_another_project(ledger):
    with pytest.raises(InvalidOperation, match="another project"):
        services.record_reversal(
            project_id=ledger.personas.project_b.pk,
            quantity_tco2e=Decimal(1),
            parcel_ids=[ledger.parcels[0].pk],
            reason="x",
            actor=None,
        )


@pytest.fixture
def ex_ante(ledger):
    """Ex-ante 2014: 100 + 25 buffer issued; the buyer bought 80 of them."""
    run = make_run(
        ledger.personas.project_a,
        ledger.parcels,
        vintages={2014: (100, 25)},
        kind=RunKind.EX_ANTE,
    )
    services.issue_credits(run_id=run.pk, actor=None)
    buy(ledger, 80, vintage=2014, unit_type="PER")
    return run


def test_it_converts_ex_ante_units_with_the_shortfall_shown(ledger, ex_ante):
    verified = make_run(ledger.personas.project_a, ledger.parcels, vintages={2014: (60, 20)})
    services.issue_credits(run_id=verified.pk, actor=None)
    (conversion,) = services.convert_ex_ante(run_id=verified.pk, actor=None)
    assert (conversion.ex_ante_cancelled, conversion.verified_delivered) == (80, 60)
    assert conversion.shortfall == 20
    held = SerialBlock.objects.filter(
        account=ledger.buyer_account, vintage=2014, state=BlockState.ACTIVE
    )
    assert {b.unit_type for b in held} == {"VER"}
    assert sum(b.quantity for b in held) == 60
    planned = CreditVintage.objects.get(unit_type="PER", vintage=2014)
    assert (planned.held, planned.available, planned.buffer, planned.cancelled) == (0, 0, 0, 125)
    assert_ledger_invariants()
    assert services.convert_ex_ante(run_id=verified.pk, actor=None) == []


def test_it_refuses_conversion_while_ex_ante_units_are_reserved(ledger, ex_ante):
    reserve(ledger, 5, vintage=2014, unit_type="PER")
    verified = make_run(ledger.personas.project_a, ledger.parcels, vintages={2014: (60, 20)})
    services.issue_credits(run_id=verified.pk, actor=None)
    with pytest.raises(ConversionBlocked):
        services.convert_ex_ante(run_id=verified.pk, actor=None)


def test_it_converts_only_from_issued_ex_post_runs(ledger, ex_ante):
    with pytest.raises(RunNotIssuable):
        services.convert_ex_ante(run_id=ex_ante.pk, actor=None)
    verified = make_run(ledger.personas.project_a, ledger.parcels, vintages={2014: (60, 20)})
    with pytest.raises(RunNotIssuable, match="before converting"):
        services.convert_ex_ante(run_id=verified.pk, actor=None)
