"""Issuance: units created from an approved calculation run, with the parcels behind them."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _

from credits.apportion import apportion
from credits.choices import BlockState, EventKind, UnitType
from credits.exceptions import AlreadyIssued, RunNotIssuable
from credits.models import (
    Account,
    CreditVintage,
    Issuance,
    IssuanceContribution,
    LedgerEvent,
    SerialBlock,
)
from credits.services._core import VintageKey, lock_vintage, lock_vintages, record_event
from credits.services.accounts import ensure_project_accounts, ensure_project_registry
from credits.services.operation import ledger_operation
from credits.signals import announce_credits_issued
from parcels.models import Parcel
from pichanaki.locking import lock_rows
from quantification.models import CalculationRun, ParcelResult, ParcelVintage, RunKind, RunStatus

UNIT_TYPE_OF_RUN: dict[str, UnitType] = {
    RunKind.EX_ANTE: UnitType.EX_ANTE,
    RunKind.EX_POST: UnitType.VERIFIED,
}


@ledger_operation
def issue_credits(*, run_id: int, actor: User | None) -> list[Issuance]:
    """Issue every vintage of an approved run: issuable units to the project's issuance
    account, the buffer share to its buffer account, each as one serial block.

    Preconditions: the run is APPROVED and was never issued (else RunNotIssuable/AlreadyIssued).
    Locks: the run row (two issuances of one run serialise here), then the run's CreditVintage
    rows, then (with the first event) the project's chain head.
    Side effects: per vintage one Issuance, its blocks, IssuanceContribution rows (largest
    remainder over the run's per-parcel vintages, summing exactly) and an ISSUE event.
    """
    run = _lock_run(run_id)
    unit_type = UNIT_TYPE_OF_RUN[run.kind]
    vintages = [v for v in run.vintages.order_by("year") if v.issuable_tco2e + v.buffer_tco2e > 0]
    if not vintages:
        raise RunNotIssuable(_("Run #%(run)s has nothing to issue.") % {"run": run.pk})
    ensure_project_registry(project=run.project)
    issuance_account, buffer_account = ensure_project_accounts(project=run.project)
    _lock_all_vintages(run.project_id, unit_type, [v.year for v in vintages])
    now = timezone.now()
    # After the commit: the back-office's per-cooperative credit figures read the new rows.
    announce_credits_issued(project_id=run.project_id)
    return [
        _issue_vintage(
            run=run,
            unit_type=unit_type,
            year=v.year,
            quantity=int(v.issuable_tco2e),
            buffer_quantity=int(v.buffer_tco2e),
            accounts=(issuance_account, buffer_account),
            actor=actor,
            now=now,
        )
        for v in vintages
    ]


def _lock_run(run_id: int) -> CalculationRun:
    runs = lock_rows(CalculationRun.objects.select_related("project").filter(pk=run_id))
    if not runs:
        raise RunNotIssuable(_("Calculation run #%(run)s does not exist.") % {"run": run_id})
    run = runs[0]
    if run.status != RunStatus.APPROVED:
        raise RunNotIssuable(
            _("Run #%(run)s is not approved (status: %(status)s); only approved runs are issued.")
            % {"run": run.pk, "status": run.get_status_display()}
        )
    if Issuance.objects.filter(run=run).exists():
        raise AlreadyIssued(_("Run #%(run)s was already issued.") % {"run": run.pk})
    return run


def _lock_all_vintages(project_id: int, unit_type: str, years: list[int]) -> None:
    # Every vintage row is locked before the first event: appending an event locks the
    # project's chain head, and no operation may wait for a vintage while holding the head.
    for year in years:
        CreditVintage.objects.get_or_create(
            project_id=project_id, unit_type=unit_type, vintage=year
        )
    lock_vintages([VintageKey(project_id, unit_type, year) for year in years])


def _issue_vintage(
    *,
    run: CalculationRun,
    unit_type: str,
    year: int,
    quantity: int,
    buffer_quantity: int,
    accounts: tuple[Account, Account],
    actor: User | None,
    now: dt.datetime,
) -> Issuance:
    key = VintageKey(run.project_id, unit_type, year)
    row = lock_vintage(key)  # already locked by this transaction: re-read the serial counter
    assert row is not None  # issue_credits created the vintage row before issuing into it
    first = row.next_serial
    pieces = [
        (account, start, size)
        for account, start, size in (
            (accounts[0], first, quantity),
            (accounts[1], first + quantity, buffer_quantity),
        )
        if size > 0
    ]
    event = record_event(
        kind=EventKind.ISSUE,
        key=key,
        quantity=quantity + buffer_quantity,
        now=now,
        actor=actor,
        to_account=accounts[0],
        ranges=[(start, start + size - 1) for _, start, size in pieces],
        reference={"run_id": run.pk, "quantity": quantity, "buffer_quantity": buffer_quantity},
    )
    issuance = Issuance.objects.create(
        run=run,
        project_id=key.project_id,
        unit_type=unit_type,
        vintage=year,
        quantity=quantity,
        buffer_quantity=buffer_quantity,
        event=event,
        issued_at=now,
    )
    for account, start, size in pieces:
        _new_block(issuance, account, start, size, event)
    _update_counters(row, quantity=quantity, buffer_quantity=buffer_quantity)
    _record_contributions(issuance, run=run, year=year)
    return issuance


def _new_block(
    issuance: Issuance, account: Account, start: int, size: int, event: LedgerEvent
) -> SerialBlock:
    return SerialBlock.objects.create(
        project_id=issuance.project_id,
        unit_type=issuance.unit_type,
        vintage=issuance.vintage,
        serial_start=start,
        serial_end=start + size - 1,
        quantity=size,
        account=account,
        state=BlockState.ACTIVE,
        issuance=issuance,
        created_event=event,
        created_at=event.created_at,
    )


def _update_counters(row: CreditVintage, *, quantity: int, buffer_quantity: int) -> None:
    total = quantity + buffer_quantity
    row.next_serial += total
    row.issued += total
    row.available += quantity
    row.buffer += buffer_quantity
    row.save(update_fields=["next_serial", "issued", "available", "buffer"])


def _record_contributions(issuance: Issuance, *, run: CalculationRun, year: int) -> None:
    parcel_ids, weights = _parcel_weights(run=run, year=year)
    units = apportion(issuance.quantity, weights)
    buffer_units = apportion(issuance.buffer_quantity, weights)
    smallholders = dict(Parcel.objects.filter(pk__in=parcel_ids).values_list("pk", "smallholder"))
    IssuanceContribution.objects.bulk_create(
        IssuanceContribution(
            issuance=issuance,
            parcel_id=pid,
            smallholder_id=smallholders[pid],
            units=u,
            buffer_units=b,
        )
        for pid, u, b in zip(parcel_ids, units, buffer_units, strict=True)
        if u or b
    )


def _parcel_weights(*, run: CalculationRun, year: int) -> tuple[list[int], list[int | Decimal]]:
    """Per-parcel weights: the run's issuable tonnes per parcel and vintage, else its net
    per-parcel contributions. Refuses a run with neither (issuance must be traceable)."""
    rows: list[tuple[int, int | Decimal]] = list(
        ParcelVintage.objects.filter(run=run, year=year, issuable_tco2e__gt=0)
        .order_by("parcel_id")
        .values_list("parcel_id", "issuable_tco2e")
    )
    if not rows:
        rows = list(
            ParcelResult.objects.filter(run=run, net_tco2e__gt=0)
            .order_by("parcel_id")
            .values_list("parcel_id", "net_tco2e")
        )
    if not rows:
        raise RunNotIssuable(
            _("Run #%(run)s has no per-parcel results for %(year)s: issuance must be traceable.")
            % {"run": run.pk, "year": year}
        )
    return [r[0] for r in rows], [r[1] for r in rows]
