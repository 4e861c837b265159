import datetime as dt

import pytest

from credits import services
from credits.choices import BlockState, EventKind
from credits.exceptions import InsufficientCredits, InvalidOperation, NotRetirable
from credits.models import CreditVintage, LedgerEvent, SerialBlock
from tests.credits.factories import make_buyer
from tests.credits.helpers import buy, today
from tests.credits.invariants import assert_ledger_invariants


def _row(ledger):
    return CreditVintage.objects.get(project_id=ledger.project_id, unit_type="VER", vintage=2012)


def _retire(ledger, quantity, **overrides):
    arguments = {
        "account_id": ledger.buyer_account.pk,
        "project_id": ledger.project_id,
        "vintage": 2012,
        "quantity": quantity,
        "beneficiary": "Kaffeerösterei GmbH",
        "purpose": "Compensación 2024",
        "retired_on": today(),
        "actor": ledger.personas.buyer,
        **overrides,
    }
    return services.retire_credits(**arguments)


def test_it_transfers_the_head_of_a_block_and_keeps_the_tail(ledger):
    buy(ledger, 100)
    _other, other_account = make_buyer("Otra Empresa SA")
    moved = services.transfer_credits(
        from_account_id=ledger.buyer_account.pk,
        to_account_id=other_account.pk,
        project_id=ledger.project_id,
        unit_type="VER",
        vintage=2012,
        quantity=30,
        actor=None,
    )
    assert [(b.serial_start, b.serial_end, b.account_id) for b in moved] == [
        (1, 30, other_account.pk)
    ]
    tail = SerialBlock.objects.get(account=ledger.buyer_account, state=BlockState.ACTIVE)
    assert (tail.serial_start, tail.serial_end) == (31, 100)
    assert LedgerEvent.objects.get(kind=EventKind.TRANSFER).serials == [[1, 30]]
    assert _row(ledger).held == 100
    assert_ledger_invariants()


def test_it_transfers_from_the_issuance_account_to_a_buyer(ledger):
    services.transfer_credits(
        from_account_id=ledger.issuance_account.pk,
        to_account_id=ledger.buyer_account.pk,
        project_id=ledger.project_id,
        unit_type="VER",
        vintage=2012,
        quantity=10,
        actor=None,
    )
    assert (_row(ledger).available, _row(ledger).held) == (690, 10)
    assert_ledger_invariants()


def test_it_refuses_transfers_beyond_the_holding_or_touching_the_buffer(ledger):
    buy(ledger, 5)
    with pytest.raises(InsufficientCredits):
        services.transfer_credits(
            from_account_id=ledger.buyer_account.pk,
            to_account_id=ledger.issuance_account.pk,
            project_id=ledger.project_id,
            unit_type="VER",
            vintage=2012,
            quantity=6,
            actor=None,
        )
    for source, target in [
        (ledger.buffer_account, ledger.buyer_account),
        (ledger.buyer_account, ledger.buyer_account),
    ]:
        with pytest.raises(InvalidOperation):
            services.transfer_credits(
                from_account_id=source.pk,
                to_account_id=target.pk,
                project_id=ledger.project_id,
                unit_type="VER",
                vintage=2012,
                quantity=1,
                actor=None,
            )
    assert_ledger_invariants()


def test_it_retires_with_a_verification_code_and_keeps_the_serials_live(ledger):
    buy(ledger, 100)
    retirement = _retire(ledger, 60)
    blocks = list(retirement.blocks.all())
    assert [(b.serial_start, b.serial_end, b.state) for b in blocks] == [
        (1, 60, BlockState.RETIRED)
    ]
    assert retirement.verification_code
    assert (_row(ledger).held, _row(ledger).retired) == (40, 60)
    assert_ledger_invariants()
    with pytest.raises(InsufficientCredits) as error:
        _retire(ledger, 41)  # retired units can never be retired again
    assert error.value.available == 40


def test_it_never_retires_ex_ante_units(ledger):
    with pytest.raises(NotRetirable):
        _retire(ledger, 1, unit_type="PER")


@pytest.mark.parametrize(
    "overrides",
    [{"beneficiary": " "}, {"purpose": ""}, {"retired_on": today() + dt.timedelta(days=2)}],
)
def test_it_refuses_incomplete_retirements(ledger, overrides):
    buy(ledger, 1)
    with pytest.raises(InvalidOperation):
        _retire(ledger, 1, **overrides)
    assert_ledger_invariants()


def test_it_refuses_to_retire_buffer_units(ledger):
    with pytest.raises(InvalidOperation):
        _retire(ledger, 1, account_id=ledger.buffer_account.pk)


def test_it_cancels_units_with_a_reason(ledger):
    cancelled = services.cancel_credits(
        account_id=ledger.issuance_account.pk,
        project_id=ledger.project_id,
        unit_type="VER",
        vintage=2012,
        quantity=15,
        reason="Registrado en otro registro",
        actor=None,
    )
    assert [b.state for b in cancelled] == [BlockState.CANCELLED]
    assert (_row(ledger).available, _row(ledger).cancelled) == (685, 15)
    assert_ledger_invariants()
    with pytest.raises(InvalidOperation):
        services.cancel_credits(
            account_id=ledger.issuance_account.pk,
            project_id=ledger.project_id,
            unit_type="VER",
            vintage=2012,
            quantity=1,
            reason=" ",
            actor=None,
        )
