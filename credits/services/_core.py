"""Building blocks shared by the ledger services (not called from outside `credits.services`).

Every public service follows lock → re-read → check → write → event: `lock_vintages` locks the
`CreditVintage` rows first (pk order; all of them before the first event, whose append locks
the project's chain head: one lock order, no deadlock), then blocks are re-read and split with
`carve`, old blocks are superseded with a compare-and-set and their successors created.
A reservation locks its one vintage with `move_units` instead: the lock, re-read, check and
counter write in one guarded UPDATE, the same lock order.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import OperationalError, connection
from django.db.models import Q
from django.utils.translation import gettext as _

from credits.chain import append_event
from credits.choices import AccountKind, BlockState
from credits.exceptions import CreditsBusy, InsufficientCredits, InvalidOperation
from credits.models import Account, CreditVintage, LedgerEvent, SerialBlock
from pichanaki.locking import (
    LEDGER_VINTAGES,
    LockTimeout,
    bounded_wait_condition,
    is_lock_timeout,
    lock_rows,
    locking_enabled,
)

SYSTEM_ACTOR = "system"
FEW_BLOCKS = 10  # read under the vintage lock at first by `take_lowest`

# Which CreditVintage bucket counts the active blocks of each kind of account.
BUCKET: dict[str, str] = {
    AccountKind.ISSUANCE: "available",
    AccountKind.BUYER: "held",
    AccountKind.BUFFER: "buffer",
}


@dataclass(frozen=True)
class VintageKey:
    project_id: int
    unit_type: str
    vintage: int


def lock_vintages(keys: Iterable[VintageKey]) -> dict[VintageKey, CreditVintage]:
    """Lock the CreditVintage rows of `keys` (pk order) and return those that exist.

    The LEDGER_VINTAGES purpose of pichanaki.locking: row locks with its timeout; a busy
    vintage is CreditsBusy (409 `credits_busy`).
    """
    query = Q(pk__in=[])
    for key in keys:
        query |= Q(project_id=key.project_id, unit_type=key.unit_type, vintage=key.vintage)
    try:
        # The vintage rows are the lock: every operation on their units serialises here.
        rows = lock_rows(CreditVintage.objects.filter(query), purpose=LEDGER_VINTAGES)
    except LockTimeout as exc:
        raise CreditsBusy() from exc
    return {VintageKey(r.project_id, r.unit_type, r.vintage): r for r in rows}


def lock_vintage(key: VintageKey) -> CreditVintage | None:
    return lock_vintages([key]).get(key)


def actor_label(actor: AbstractBaseUser | None) -> str:
    return actor.get_username() if actor is not None else SYSTEM_ACTOR


def record_event(
    *,
    kind: str,
    key: VintageKey,
    quantity: int,
    now: dt.datetime,
    actor: AbstractBaseUser | None,
    from_account: Account | None = None,
    to_account: Account | None = None,
    ranges: Sequence[tuple[int, int]] = (),
    reason: str = "",
    reference: Mapping[str, object] | None = None,
) -> LedgerEvent:
    """Append the event to the project's hash chain (locks the chain head: call it after the
    operation's CreditVintage locks)."""
    return append_event(
        kind=kind,
        project_id=key.project_id,
        unit_type=key.unit_type,
        vintage=key.vintage,
        quantity=quantity,
        from_account_id=from_account.pk if from_account else None,
        to_account_id=to_account.pk if to_account else None,
        serials=[[start, end] for start, end in ranges],
        actor_id=actor.pk if actor else None,
        actor_label=actor_label(actor),
        reason=reason,
        reference=reference or {},
        created_at=now,
    )


def live_blocks(*, key: VintageKey, account_id: int, state: str) -> list[SerialBlock]:
    return list(
        SerialBlock.objects.filter(
            project_id=key.project_id,
            unit_type=key.unit_type,
            vintage=key.vintage,
            account_id=account_id,
            state=state,
        ).order_by("serial_start")
    )


def take_lowest(
    *, key: VintageKey, account_id: int, state: str, quantity: int
) -> list[tuple[SerialBlock, int]]:
    """`carve(live_blocks(...), quantity)`, reading only the lowest few blocks when they hold
    enough (the common case: an order spans one or two blocks), all of them otherwise."""
    blocks = SerialBlock.objects.filter(
        project_id=key.project_id,
        unit_type=key.unit_type,
        vintage=key.vintage,
        account_id=account_id,
        state=state,
    ).order_by("serial_start")
    lowest = list(blocks[:FEW_BLOCKS])
    if len(lowest) == FEW_BLOCKS and sum(b.quantity for b in lowest) < quantity:
        lowest = list(blocks)
    return carve(lowest, quantity)


def carve(blocks: Sequence[SerialBlock], quantity: int) -> list[tuple[SerialBlock, int]]:
    """Take `quantity` units from the lowest serials of `blocks`: [(block, units taken)].

    All or nothing: raises InsufficientCredits when the blocks hold fewer units.
    """
    available = sum(b.quantity for b in blocks)
    if quantity > available:
        raise InsufficientCredits(requested=quantity, available=available)
    taken: list[tuple[SerialBlock, int]] = []
    remaining = quantity
    for block in blocks:
        if remaining == 0:
            break
        units = min(block.quantity, remaining)
        taken.append((block, units))
        remaining -= units
    return taken


def ranges_of(taken: Sequence[tuple[SerialBlock, int]]) -> list[tuple[int, int]]:
    """The serial ranges `carve` takes (the heads of the blocks), for the event."""
    return [(block.serial_start, block.serial_start + units - 1) for block, units in taken]


def supersede(blocks: Sequence[SerialBlock], event: LedgerEvent) -> None:
    """End live blocks; compare-and-set on each block's state, so that a concurrent change is
    never overwritten (one UPDATE per state)."""
    by_state: dict[str, list[int]] = {}
    for block in blocks:
        by_state.setdefault(block.state, []).append(block.pk)
    updated = sum(
        SerialBlock.objects.filter(pk__in=pks, state=state).update(
            state=BlockState.SUPERSEDED, superseded_event=event
        )
        for state, pks in by_state.items()
    )
    if updated != len(blocks):
        raise CreditsBusy()
    for block in blocks:
        block.state = BlockState.SUPERSEDED
        block.superseded_event = event


def successor(
    block: SerialBlock, *, start: int, end: int, event: LedgerEvent, fields: dict[str, object]
) -> SerialBlock:
    """A new live block (unsaved) for `start..end` of the superseded `block`, with `fields`
    (holder...)."""
    return SerialBlock(
        project_id=block.project_id,
        unit_type=block.unit_type,
        vintage=block.vintage,
        serial_start=start,
        serial_end=end,
        quantity=end - start + 1,
        issuance_id=block.issuance_id,
        parent=block,
        created_event=event,
        created_at=event.created_at,
        **fields,
    )


def split_off(
    taken: Sequence[tuple[SerialBlock, int]], *, event: LedgerEvent, **moved_fields: object
) -> list[SerialBlock]:
    """Supersede each taken block: its head gets `moved_fields`, its tail stays as it was.

    Returns the moved (head) blocks. One UPDATE and one INSERT for all the blocks: the row
    locks of the operation are held meanwhile, so every statement saved is time saved for
    every other writer of the vintage.
    """
    moved, created = [], []
    for block, units in taken:
        original = {
            "account_id": block.account_id,
            "state": block.state,
            "reservation_id": block.reservation_id,
            "retirement_id": block.retirement_id,
        }
        head_end = block.serial_start + units - 1
        fields = {**original, **moved_fields}
        head = successor(block, start=block.serial_start, end=head_end, event=event, fields=fields)
        moved.append(head)
        created.append(head)
        if head_end < block.serial_end:
            tail_end = block.serial_end
            tail = successor(block, start=head_end + 1, end=tail_end, event=event, fields=original)
            created.append(tail)
    supersede([block for block, _units in taken], event)
    SerialBlock.objects.bulk_create(created)
    return moved


def shift(row: CreditVintage, *, source: str, target: str, quantity: int) -> None:
    """Move `quantity` between two buckets of a locked CreditVintage row and save it."""
    if getattr(row, source) < quantity:
        raise InsufficientCredits(requested=quantity, available=getattr(row, source))
    setattr(row, source, getattr(row, source) - quantity)
    setattr(row, target, getattr(row, target) + quantity)
    row.save(update_fields=[source, target])


def move_units(key: VintageKey, *, source: str, target: str, quantity: int) -> CreditVintage | None:
    """Lock the CreditVintage row of `key` and move `quantity` units from its bucket `source`
    to `target` if `source` holds them. Returns the row after the move, or None (no such row,
    or too few units: nothing changed).

    On PostgreSQL one guarded UPDATE ... RETURNING is the lock, the re-read, the check and the
    write: it waits for the row lock (LEDGER_VINTAGES timeout, else CreditsBusy), re-checks the
    condition on the row's latest version and writes, so the other writers of the vintage wait
    one statement less. On SQLite, and in the tests' control case without locks, it is
    `lock_vintage`, check, then `shift`.
    """
    if connection.vendor != "postgresql" or not locking_enabled():
        row = lock_vintage(key)
        if row is None or getattr(row, source) < quantity:
            return None
        shift(row, source=source, target=target, quantity=quantity)
        return row
    sql, params = _guarded_move_sql(key, source=source, target=target, quantity=quantity)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchone()
    except OperationalError as exc:
        if is_lock_timeout(exc):
            raise CreditsBusy() from exc
        raise
    names = [field.attname for field in CreditVintage._meta.concrete_fields]
    return CreditVintage.from_db(connection.alias, names, found) if found else None


def _guarded_move_sql(
    key: VintageKey, *, source: str, target: str, quantity: int
) -> tuple[str, list[Any]]:
    meta, quote = CreditVintage._meta, connection.ops.quote_name
    column = {field.name: quote(field.column) for field in meta.concrete_fields}
    returned = ", ".join(quote(field.column) for field in meta.concrete_fields)
    bounded = bounded_wait_condition(LEDGER_VINTAGES.timeout())
    sql = (
        f"UPDATE {quote(meta.db_table)} "  # noqa: S608 (names from the model, values as params)
        f"SET {column[source]} = {column[source]} - %s, {column[target]} = {column[target]} + %s "
        f"WHERE {column['project']} = %s AND {column['unit_type']} = %s "
        f"AND {column['vintage']} = %s AND {column[source]} >= %s "
        f"AND {bounded.sql} RETURNING {returned}"
    )
    params = [quantity, quantity, key.project_id, key.unit_type, key.vintage, quantity]
    return sql, [*params, *bounded.params]


def bucket_of(key: VintageKey, bucket: str) -> int:
    """The units in a bucket of the vintage (0 if there is no row), read without a lock."""
    row = CreditVintage.objects.filter(
        project_id=key.project_id, unit_type=key.unit_type, vintage=key.vintage
    ).values_list(bucket, flat=True)
    return row.first() or 0


def require_positive(quantity: int) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise InvalidOperation(_("The quantity must be a whole number of tonnes above zero."))
