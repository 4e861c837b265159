"""Ex-ante conversion: planned units cancelled against verified units for the same holders."""

import datetime as dt
from collections.abc import Mapping

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credits.choices import AccountKind, BlockState, EventKind, ReservationStatus, UnitType
from credits.exceptions import ConversionBlocked, RunNotIssuable
from credits.models import Account, Conversion, CreditVintage, Issuance, Reservation, SerialBlock
from credits.services._core import (
    VintageKey,
    carve,
    live_blocks,
    lock_vintages,
    ranges_of,
    record_event,
    shift,
    split_off,
)
from credits.services.movements import cancel_taken
from credits.services.operation import ledger_operation
from quantification.models import CalculationRun, RunKind, RunStatus


@ledger_operation
def convert_ex_ante(*, run_id: int, actor: User | None) -> list[Conversion]:
    """Convert the ex-ante units of the vintages an approved, issued ex-post run covers.

    For each vintage, each buyer holding ex-ante units receives verified units from the
    issuance account (up to what is available, lowest holder id first) and its ex-ante units
    are cancelled; the difference is the Conversion's `shortfall`. Unsold ex-ante units (issuance
    and buffer accounts) are cancelled too. Running it again converts nothing more.
    Locks: the ex-ante and verified CreditVintage rows of those vintages (pk order).
    Raises RunNotIssuable (not an approved, issued ex-post run), ConversionBlocked (pending
    reservations of ex-ante units), CreditsBusy. Side effects: Conversion rows, CONVERT events.
    """
    run = CalculationRun.objects.filter(pk=run_id).first()
    if run is None or run.kind != RunKind.EX_POST or run.status != RunStatus.APPROVED:
        raise RunNotIssuable(_("Only an approved ex-post run converts ex-ante units."))
    years = list(
        Issuance.objects.filter(run=run).order_by("vintage").values_list("vintage", flat=True)
    )
    if not years:
        raise RunNotIssuable(_("Issue run #%(run)s before converting.") % {"run": run.pk})
    keys = [VintageKey(run.project_id, t, y) for y in years for t in UnitType.values]
    rows = lock_vintages(keys)
    _refuse_pending(run.project_id, years)
    now = timezone.now()
    conversions = []
    for year in years:
        ex_ante = VintageKey(run.project_id, UnitType.EX_ANTE, year)
        if ex_ante in rows:
            verified = VintageKey(run.project_id, UnitType.VERIFIED, year)
            conversions += _convert_vintage(run, rows, ex_ante, verified, actor=actor, now=now)
    return conversions


def _refuse_pending(project_id: int, years: list[int]) -> None:
    pending = Reservation.objects.filter(
        project_id=project_id,
        unit_type=UnitType.EX_ANTE,
        vintage__in=years,
        status=ReservationStatus.PENDING,
    )
    if pending.exists():
        raise ConversionBlocked(
            _("Ex-ante units of these vintages are reserved (%(ids)s); confirm or release first.")
            % {"ids": ", ".join(f"#{pk}" for pk in pending.values_list("pk", flat=True))}
        )


def _convert_vintage(
    run: CalculationRun,
    rows: dict[VintageKey, CreditVintage],
    ex_ante: VintageKey,
    verified: VintageKey,
    *,
    actor: User | None,
    now: dt.datetime,
) -> list[Conversion]:
    holders = Account.objects.filter(
        pk__in=SerialBlock.objects.filter(
            project_id=ex_ante.project_id,
            unit_type=ex_ante.unit_type,
            vintage=ex_ante.vintage,
            state=BlockState.ACTIVE,
        ).values("account_id")
    ).order_by("pk")
    issuance = Account.objects.get(project_id=ex_ante.project_id, kind=AccountKind.ISSUANCE)
    conversions = []
    for holder in holders:
        blocks = live_blocks(key=ex_ante, account_id=holder.pk, state=BlockState.ACTIVE)
        held = sum(b.quantity for b in blocks)
        reference = {"run_id": run.pk}
        cancel_taken(
            rows[ex_ante],
            ex_ante,
            holder,
            carve(blocks, held),
            kind=EventKind.CONVERT,
            # stored as the msgid (one language in the ledger), shown translated by the admin
            reason=gettext_noop("Ex-ante units replaced by verified units"),
            actor=actor,
            now=now,
            reference=reference,
        )
        if holder.kind == AccountKind.BUYER:
            delivered = _deliver(
                rows.get(verified), verified, issuance, holder, held, actor, now, reference
            )
            conversions.append(
                Conversion.objects.create(
                    run=run,
                    project_id=ex_ante.project_id,
                    vintage=ex_ante.vintage,
                    account=holder,
                    ex_ante_cancelled=held,
                    verified_delivered=delivered,
                    shortfall=held - delivered,
                    created_at=now,
                )
            )
    return conversions


def _deliver(
    row: CreditVintage | None,
    key: VintageKey,
    issuance: Account,
    holder: Account,
    wanted: int,
    actor: User | None,
    now: dt.datetime,
    reference: Mapping[str, object],
) -> int:
    """Move up to `wanted` verified units from the issuance account to the holder."""
    if row is None:
        return 0
    blocks = live_blocks(key=key, account_id=issuance.pk, state=BlockState.ACTIVE)
    quantity = min(wanted, sum(b.quantity for b in blocks))
    if quantity == 0:
        return 0
    taken = carve(blocks, quantity)
    event = record_event(
        kind=EventKind.CONVERT,
        key=key,
        quantity=quantity,
        now=now,
        actor=actor,
        from_account=issuance,
        to_account=holder,
        ranges=ranges_of(taken),
        reference=reference,
    )
    split_off(taken, event=event, account_id=holder.pk)
    shift(row, source="available", target="held", quantity=quantity)
    return quantity
