"""Reservations: units held for a buyer until released, expired or confirmed as a sale."""

import datetime as dt
import logging
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from credits.choices import AccountKind, BlockState, EventKind, ReservationStatus
from credits.exceptions import (
    CreditsBusy,
    InsufficientCredits,
    InvalidOperation,
    ReservationExpired,
    ReservationNotPending,
)
from credits.models import Account, CreditVintage, Reservation, Sale, SerialBlock
from credits.services._core import (
    VintageKey,
    bucket_of,
    lock_vintage,
    move_units,
    ranges_of,
    record_event,
    require_positive,
    shift,
    split_off,
    take_lowest,
)
from credits.services.operation import ledger_operation
from pichanaki.locking import LockTimeout, lock_rows

logger = logging.getLogger(__name__)


@ledger_operation
def reserve_credits(
    *,
    account_id: int,
    project_id: int,
    vintage: int,
    unit_type: str,
    quantity: int,
    expires_at: dt.datetime,
    actor: AbstractBaseUser | None,
) -> Reservation:
    """Reserve `quantity` units of the project's issuance account for the buyer `account_id`.

    All or nothing; may span several blocks (lowest serials first).
    Locks: the CreditVintage row. Raises InsufficientCredits (with the available quantity),
    InvalidOperation (not a buyer account, expiry in the past, bad quantity), CreditsBusy.
    Side effects: a Reservation, reserved blocks split off the issuance account's blocks, a
    RESERVE event. Returns the Reservation with its reserved blocks as `live_blocks`.
    """
    require_positive(quantity)
    if expires_at <= timezone.now():
        raise InvalidOperation(_("The reservation's expiry must be in the future."))
    # Before the lock: accounts never change kind or project, and whatever is read under the
    # lock is read in as few statements as possible, since every other writer of the vintage
    # waits meanwhile.
    buyer, source = _buyer_and_issuance_accounts(account_id, project_id)
    key = VintageKey(project_id, unit_type, vintage)
    if source is None:  # a project without an issuance account has issued nothing
        raise InsufficientCredits(requested=quantity, available=0)
    # Lock, re-read, check and count the units as reserved, in one statement under the lock.
    if move_units(key, source="available", target="reserved", quantity=quantity) is None:
        raise InsufficientCredits(requested=quantity, available=bucket_of(key, "available"))
    now = timezone.now()  # after the lock: events are timestamped in the order they commit
    # The blocks hold exactly the counted units (an invariant): carve refuses otherwise.
    taken = take_lowest(key=key, account_id=source.pk, state=BlockState.ACTIVE, quantity=quantity)
    reservation = Reservation.objects.create(
        account=buyer,
        project_id=project_id,
        unit_type=unit_type,
        vintage=vintage,
        quantity=quantity,
        expires_at=expires_at,
        created_at=now,
    )
    event = record_event(
        kind=EventKind.RESERVE,
        key=key,
        quantity=quantity,
        now=now,
        actor=actor,
        from_account=source,
        to_account=buyer,
        ranges=ranges_of(taken),
        reference={"reservation_id": reservation.pk, "expires_at": expires_at.isoformat()},
    )
    moved = split_off(taken, event=event, state=BlockState.RESERVED, reservation_id=reservation.pk)
    # Its live blocks, as a read after the commit would find them (callers need not read back).
    reservation.live_blocks = moved  # type: ignore[attr-defined]  # the read's prefetch to_attr
    return reservation


def _buyer_and_issuance_accounts(
    account_id: int, project_id: int
) -> tuple[Account, Account | None]:
    """The buyer's account `account_id` and the project's issuance account, in one query."""
    found = Account.objects.filter(
        Q(pk=account_id, kind=AccountKind.BUYER)
        | Q(project_id=project_id, kind=AccountKind.ISSUANCE)
    ).order_by("pk")
    by_kind: dict[str, Account] = {}
    for account in found:
        by_kind.setdefault(account.kind, account)
    if AccountKind.BUYER not in by_kind:
        raise InvalidOperation(_("Reservations are made for a buyer's account."))
    return by_kind[AccountKind.BUYER], by_kind.get(AccountKind.ISSUANCE)


def _lock_pending(reservation_id: int) -> tuple[Reservation, CreditVintage]:
    """Lock the reservation's vintage row, then re-read and lock the reservation itself.

    The vintage row comes first, as in every ledger operation, so that confirmation, release
    and expiry of one reservation serialise without deadlocks.
    """
    found = Reservation.objects.filter(pk=reservation_id).first()
    if found is None:
        raise InvalidOperation(_("Reservation #%(id)s does not exist.") % {"id": reservation_id})
    key = VintageKey(found.project_id, found.unit_type, found.vintage)
    row = lock_vintage(key)
    assert row is not None  # the blocks of a reservation were issued into this vintage row
    try:
        reservation = lock_rows(Reservation.objects.filter(pk=reservation_id))[0]
    except LockTimeout as exc:
        raise CreditsBusy() from exc
    if reservation.status != ReservationStatus.PENDING:
        raise ReservationNotPending(
            _("Reservation #%(id)s is %(status)s, no longer pending.")
            % {"id": reservation.pk, "status": reservation.get_status_display()}
        )
    return reservation, row


def _reserved_blocks(reservation: Reservation) -> list[SerialBlock]:
    return list(
        SerialBlock.objects.filter(reservation=reservation, state=BlockState.RESERVED).order_by(
            "serial_start"
        )
    )


def _close(
    reservation: Reservation,
    row: CreditVintage,
    *,
    status: str,
    kind: str,
    now: dt.datetime,
    actor: AbstractBaseUser | None,
    reason: str = "",
) -> Reservation:
    """Return a pending reservation's blocks to the issuance account (release or expiry)."""
    blocks = _reserved_blocks(reservation)
    key = VintageKey(reservation.project_id, reservation.unit_type, reservation.vintage)
    source = blocks[0].account if blocks else None
    event = record_event(
        kind=kind,
        key=key,
        quantity=reservation.quantity,
        now=now,
        actor=actor,
        from_account=reservation.account,
        to_account=source,
        ranges=[(b.serial_start, b.serial_end) for b in blocks],
        reason=reason,
        reference={"reservation_id": reservation.pk},
    )
    split_off(
        [(b, b.quantity) for b in blocks],
        event=event,
        state=BlockState.ACTIVE,
        reservation_id=None,
    )
    shift(row, source="reserved", target="available", quantity=reservation.quantity)
    reservation.status, reservation.closed_at = status, now
    reservation.save(update_fields=["status", "closed_at"])
    return reservation


@ledger_operation
def release_reservation(
    *, reservation_id: int, actor: AbstractBaseUser | None, reason: str = ""
) -> Reservation:
    """Give a pending reservation's units back to the issuance account.

    Locks: CreditVintage row, then the reservation. Raises ReservationNotPending, CreditsBusy.
    Side effects: blocks returned (split lineage kept), a RELEASE event.
    """
    reservation, row = _lock_pending(reservation_id)
    return _close(
        reservation,
        row,
        status=ReservationStatus.RELEASED,
        kind=EventKind.RELEASE,
        now=timezone.now(),
        actor=actor,
        reason=reason,
    )


@ledger_operation
def confirm_sale(
    *,
    reservation_id: int,
    price_per_tonne: Decimal,
    currency: str,
    invoice_reference: str,
    actor: AbstractBaseUser | None,
) -> Sale:
    """Confirm a pending, unexpired reservation as a sale: its blocks move to the buyer.

    Locks: CreditVintage row, then the reservation (so it races safely with expiry).
    Raises ReservationNotPending, ReservationExpired, InvalidOperation (price, currency).
    Side effects: a Sale, blocks transferred to the buyer's account, a SELL event.
    """
    currency = _check_price(price_per_tonne, currency)
    reservation, row = _lock_pending(reservation_id)
    now = timezone.now()
    if reservation.expires_at <= now:
        raise ReservationExpired(
            _("Reservation #%(id)s expired at %(when)s.")
            % {"id": reservation.pk, "when": reservation.expires_at.isoformat()}
        )
    blocks = _reserved_blocks(reservation)
    key = VintageKey(reservation.project_id, reservation.unit_type, reservation.vintage)
    event = record_event(
        kind=EventKind.SELL,
        key=key,
        quantity=reservation.quantity,
        now=now,
        actor=actor,
        from_account=blocks[0].account,
        to_account=reservation.account,
        ranges=[(b.serial_start, b.serial_end) for b in blocks],
        reference={
            "reservation_id": reservation.pk,
            "price_per_tonne": str(price_per_tonne),
            "currency": currency,
            "invoice_reference": invoice_reference,
        },
    )
    split_off(
        [(b, b.quantity) for b in blocks],
        event=event,
        state=BlockState.ACTIVE,
        account_id=reservation.account_id,
    )
    shift(row, source="reserved", target="held", quantity=reservation.quantity)
    reservation.status, reservation.closed_at = ReservationStatus.CONFIRMED, now
    reservation.save(update_fields=["status", "closed_at"])
    return Sale.objects.create(
        reservation=reservation,
        account_id=reservation.account_id,
        quantity=reservation.quantity,
        price_per_tonne=price_per_tonne,
        currency=currency,
        invoice_reference=invoice_reference,
        event=event,
        sold_at=now,
    )


def _check_price(price_per_tonne: Decimal, currency: str) -> str:
    if not isinstance(price_per_tonne, Decimal) or not price_per_tonne.is_finite():
        raise InvalidOperation(_("The price must be a decimal number."))
    if price_per_tonne < 0:
        raise InvalidOperation(_("The price cannot be negative."))
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise InvalidOperation(_("The currency must be a three-letter ISO 4217 code."))
    return code


def release_expired_reservations(*, now: dt.datetime | None = None) -> int:
    """Expire every pending reservation whose expiry has passed; returns how many.

    Each reservation is closed in its own transaction under the same locks as confirm_sale,
    and re-checked after locking: a reservation confirmed meanwhile is left alone. Busy ones
    are skipped and retried on the next beat.
    """
    now = now or timezone.now()
    due = Reservation.objects.filter(status=ReservationStatus.PENDING, expires_at__lte=now)
    expired = 0
    for reservation_id in due.order_by("expires_at").values_list("pk", flat=True):
        try:
            expired += _expire_one(reservation_id, now=now)
        except (ReservationNotPending, CreditsBusy) as exc:
            logger.info("reservation %s not expired: %s", reservation_id, exc)
    return expired


@ledger_operation
def _expire_one(reservation_id: int, *, now: dt.datetime) -> int:
    reservation, row = _lock_pending(reservation_id)
    if reservation.expires_at > now:
        return 0
    _close(
        reservation,
        row,
        status=ReservationStatus.EXPIRED,
        kind=EventKind.EXPIRE,
        now=timezone.now(),
        actor=None,
        reason="expired",
    )
    return 1
