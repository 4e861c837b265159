"""Transfers, retirements and cancellations of active units held in an account."""

import datetime as dt
from collections.abc import Mapping

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _

from credits.choices import AccountKind, BlockState, EventKind, UnitType
from credits.exceptions import InsufficientCredits, InvalidOperation, NotRetirable
from credits.models import Account, CreditVintage, Retirement, SerialBlock
from credits.services._core import (
    BUCKET,
    VintageKey,
    lock_vintage,
    ranges_of,
    record_event,
    require_positive,
    shift,
    split_off,
    take_lowest,
)
from credits.services.operation import ledger_operation


def _account(account_id: int) -> Account:
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        raise InvalidOperation(_("Account #%(id)s does not exist.") % {"id": account_id})
    return account


def _take(
    key: VintageKey, account: Account, quantity: int
) -> tuple[CreditVintage, list[tuple[SerialBlock, int]]]:
    """Lock the vintage, then re-read the account's active blocks and carve `quantity`."""
    row = lock_vintage(key)
    if row is None:
        raise InsufficientCredits(requested=quantity, available=0)
    return row, take_lowest(
        key=key, account_id=account.pk, state=BlockState.ACTIVE, quantity=quantity
    )


@ledger_operation
def transfer_credits(
    *,
    from_account_id: int,
    to_account_id: int,
    project_id: int,
    unit_type: str,
    vintage: int,
    quantity: int,
    actor: User | None,
    reason: str = "",
) -> list[SerialBlock]:
    """Move `quantity` active units (lowest serials first) between issuance/buyer accounts.

    Locks: the CreditVintage row. Raises InsufficientCredits, InvalidOperation (same account,
    buffer account, bad quantity), CreditsBusy. Side effects: blocks split, a TRANSFER event.
    Returns the blocks now held by the receiving account.
    """
    require_positive(quantity)
    source, target = _account(from_account_id), _account(to_account_id)
    if source.pk == target.pk:
        raise InvalidOperation(_("Source and destination accounts are the same."))
    if AccountKind.BUFFER in (source.kind, target.kind):
        raise InvalidOperation(_("Buffer units move only by issuance or reversal."))
    for account in (source, target):
        if account.project_id not in (None, project_id):
            raise InvalidOperation(_("That account belongs to another project."))
    key = VintageKey(project_id, unit_type, vintage)
    row, taken = _take(key, source, quantity)
    now = timezone.now()  # after the lock: events are timestamped in the order they commit
    event = record_event(
        kind=EventKind.TRANSFER,
        key=key,
        quantity=quantity,
        now=now,
        actor=actor,
        from_account=source,
        to_account=target,
        ranges=ranges_of(taken),
        reason=reason,
    )
    moved = split_off(taken, event=event, account_id=target.pk)
    if BUCKET[source.kind] != BUCKET[target.kind]:
        shift(row, source=BUCKET[source.kind], target=BUCKET[target.kind], quantity=quantity)
    return moved


@ledger_operation
def retire_credits(
    *,
    account_id: int,
    project_id: int,
    vintage: int,
    quantity: int,
    beneficiary: str,
    purpose: str,
    retired_on: dt.date,
    actor: User | None,
    unit_type: str = UnitType.VERIFIED,
) -> Retirement:
    """Retire verified units held in an account for `beneficiary` (permanent).

    Preconditions: verified units only (NotRetirable otherwise); beneficiary and purpose given;
    retired_on not in the future. Locks: the CreditVintage row. Raises InsufficientCredits,
    NotRetirable, InvalidOperation, CreditsBusy. Side effects: a Retirement with a public
    verification code, blocks in state `retired`, a RETIRE event.
    """
    require_positive(quantity)
    if unit_type != UnitType.VERIFIED:
        raise NotRetirable(_("Ex-ante units cannot be retired; only verified units can."))
    beneficiary, purpose = beneficiary.strip(), purpose.strip()
    if not beneficiary or not purpose:
        raise InvalidOperation(_("A retirement needs a beneficiary and a purpose."))
    if retired_on > timezone.localdate():
        raise InvalidOperation(_("The retirement date cannot be in the future."))
    account = _account(account_id)
    if account.kind == AccountKind.BUFFER:
        raise InvalidOperation(_("Buffer units cannot be retired."))
    key = VintageKey(project_id, unit_type, vintage)
    row, taken = _take(key, account, quantity)
    now = timezone.now()
    event = record_event(
        kind=EventKind.RETIRE,
        key=key,
        quantity=quantity,
        now=now,
        actor=actor,
        from_account=account,
        ranges=ranges_of(taken),
        reason=purpose,
        reference={"beneficiary": beneficiary, "retired_on": retired_on.isoformat()},
    )
    retirement = Retirement.objects.create(
        account=account,
        project_id=project_id,
        unit_type=unit_type,
        vintage=vintage,
        quantity=quantity,
        beneficiary=beneficiary,
        purpose=purpose,
        retired_on=retired_on,
        event=event,
        created_at=now,
    )
    split_off(taken, event=event, state=BlockState.RETIRED, retirement_id=retirement.pk)
    shift(row, source=BUCKET[account.kind], target="retired", quantity=quantity)
    return retirement


@ledger_operation
def cancel_credits(
    *,
    account_id: int,
    project_id: int,
    unit_type: str,
    vintage: int,
    quantity: int,
    reason: str,
    actor: User | None,
) -> list[SerialBlock]:
    """Cancel active units of an account (e.g. re-registration elsewhere, error correction).

    Preconditions: a reason. Locks: the CreditVintage row. Raises InsufficientCredits,
    InvalidOperation, CreditsBusy. Side effects: blocks in state `cancelled`, a CANCEL event.
    """
    require_positive(quantity)
    if not reason.strip():
        raise InvalidOperation(_("A cancellation needs a reason."))
    account = _account(account_id)
    key = VintageKey(project_id, unit_type, vintage)
    row, taken = _take(key, account, quantity)
    return cancel_taken(
        row,
        key,
        account,
        taken,
        kind=EventKind.CANCEL,
        reason=reason,
        actor=actor,
        now=timezone.now(),
    )


def cancel_taken(
    row: CreditVintage,
    key: VintageKey,
    account: Account,
    taken: list[tuple[SerialBlock, int]],
    *,
    kind: str,
    reason: str,
    actor: User | None,
    now: dt.datetime,
    reference: Mapping[str, object] | None = None,
) -> list[SerialBlock]:
    """Cancel carved units under an already locked vintage row (shared with reversal/conversion)."""
    quantity = sum(units for _block, units in taken)
    event = record_event(
        kind=kind,
        key=key,
        quantity=quantity,
        now=now,
        actor=actor,
        from_account=account,
        ranges=ranges_of(taken),
        reason=reason,
        reference=reference,
    )
    cancelled = split_off(taken, event=event, state=BlockState.CANCELLED)
    shift(row, source=BUCKET[account.kind], target="cancelled", quantity=quantity)
    return cancelled
