"""The payment round trip: export what is payable, import the confirmations back; trust.

A line's payable amount is what its APPROVED events granted minus what its PAID events paid:
the append-only events are the record, `DistributionLine.status` their running summary.
"""

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from benefits.chain import append_payment_events
from benefits.choices import LineStatus, PaymentMethod, TrustStatus
from benefits.exceptions import BenefitsBusy, ConfirmationRefused, NotApprovable
from benefits.models import Distribution, DistributionLine, PaymentEvent, TrustHold
from benefits.signals import announce_money_changed
from pichanaki.exports import csv_text, xlsx_bytes
from pichanaki.locking import LockTimeout, lock_rows

EXPORT_HEADERS = ["line", "dni", "name", "amount", "currency", "method", "bank", "account",
                  "cci", "wallet_phone"]  # fmt: skip
IMPORT_HEADERS = ["line", "dni", "amount", "currency", "method", "reference", "paid_on"]


def payable_by_line(line_ids) -> dict[int, Decimal]:
    """Approved minus paid, per line (only lines with something left to pay)."""
    rows = (
        PaymentEvent.objects.filter(line_id__in=line_ids)
        .values("line_id")
        .annotate(
            approved=Sum("amount", filter=Q(status=LineStatus.APPROVED)),
            paid=Sum("amount", filter=Q(status=LineStatus.PAID)),
        )
    )
    out = {}
    for row in rows:
        left = (row["approved"] or Decimal(0)) - (row["paid"] or Decimal(0))
        if left > 0:
            out[row["line_id"]] = left
    return out


def payment_rows(*, distribution_id: int) -> list[list[object]]:
    lines = DistributionLine.objects.filter(distribution_id=distribution_id).select_related(
        "smallholder"
    )
    payable = payable_by_line(lines.values("pk"))
    rows = []
    for line in lines.filter(pk__in=list(payable)).order_by("pk"):
        holder = line.smallholder
        rows.append([line.pk, holder.dni, f"{holder.first_name} {holder.last_name}",
                     str(payable[line.pk]), "PEN", holder.payment_method, holder.bank_name,
                     holder.bank_account, holder.cci, holder.wallet_phone])  # fmt: skip
    return rows


def export_payments(*, distribution_id: int, fmt: str) -> bytes:
    """The payable lines as a bank/wallet file: CSV (UTF-8 with BOM, commas) or XLSX, each
    cell formula-safe (pichanaki.exports)."""
    rows = [EXPORT_HEADERS, *payment_rows(distribution_id=distribution_id)]
    if fmt == "xlsx":
        return xlsx_bytes([("Sheet", rows)])
    return csv_text(rows, delimiter=",").encode()


def _read_rows(data: bytes, filename: str) -> list[dict[str, str]]:
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as exc:  # noqa: BLE001 (any unreadable workbook is the user's file)
            raise ConfirmationRefused([_("The file is not a readable XLSX workbook.")]) from exc
        values = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    else:
        try:
            values = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ConfirmationRefused([_("The file is not a UTF-8 CSV file.")]) from exc
    if not values:
        raise ConfirmationRefused([_("The file is empty.")])
    header = [h.strip().lower() for h in values[0]]
    missing = [h for h in IMPORT_HEADERS if h not in header]
    if missing:
        raise ConfirmationRefused(
            [_("Missing column(s): %(cols)s.") % {"cols": ", ".join(missing)}]
        )
    return [dict(zip(header, (c.strip() for c in row), strict=False)) for row in values[1:]
            if any(c.strip() for c in row)]  # fmt: skip


def _check_row(n: int, row: dict, lines: dict, payable: dict, seen: set) -> tuple | list[str]:
    """The row's confirmation, or the list of what is wrong with it (named, as written)."""
    errors = []
    where = _("row %(n)s (line %(line)s)") % {"n": n, "line": row.get("line", "")}
    line = lines.get(row.get("line", ""))
    if line is None:
        return [_("%(where)s: no such line in this distribution.") % {"where": where}]
    who = _("family %(dni)s") % {"dni": line.smallholder.dni}
    if row.get("dni") != line.smallholder.dni:
        errors.append(_("%(where)s: DNI %(got)s does not match %(who)s.")
                      % {"where": where, "got": row.get("dni"), "who": who})  # fmt: skip
    if row.get("currency", "").upper() != "PEN":
        errors.append(_("%(where)s, %(who)s: currency %(got)s, expected PEN.")
                      % {"where": where, "who": who, "got": row.get("currency")})  # fmt: skip
    left = payable.get(line.pk)
    if left is None or line.pk in seen:
        errors.append(_("%(where)s, %(who)s: already paid.") % {"where": where, "who": who})
    try:
        amount = Decimal(row.get("amount", ""))
    except InvalidOperation:
        amount = None
    if left is not None and amount != left:
        values = {"where": where, "who": who, "got": row.get("amount"), "want": left}
        errors.append(_("%(where)s, %(who)s: amount %(got)s, expected %(want)s PEN.") % values)
    method = row.get("method", "").lower()
    if method not in PaymentMethod.values:
        values = {"where": where, "got": row.get("method"), "ok": ", ".join(PaymentMethod.values)}
        errors.append(_("%(where)s: method %(got)s is not one of %(ok)s.") % values)
    if not row.get("reference"):
        errors.append(_("%(where)s: the payment reference is missing.") % {"where": where})
    try:
        paid_on = dt.date.fromisoformat(row.get("paid_on", ""))
    except ValueError:
        paid_on = None
        errors.append(_("%(where)s: paid_on %(got)s is not a date (YYYY-MM-DD).")
                      % {"where": where, "got": row.get("paid_on")})  # fmt: skip
    seen.add(line.pk)
    return errors or (line, amount, method, row["reference"], paid_on)


@transaction.atomic(durable=True)
def import_confirmations(*, distribution_id: int, data: bytes, filename: str, actor: User) -> int:
    """Record the payments a bank/wallet file confirms: all rows or none.

    Locks the distribution's lines, re-reads what is payable, checks every row (family, amount,
    currency, not already paid, method, reference, date) and raises ConfirmationRefused naming
    every mismatch; otherwise appends one PAID event per row. Returns the number recorded.
    """
    rows = _read_rows(data, filename)
    try:
        locked = lock_rows(
            DistributionLine.objects.filter(
                distribution_id=distribution_id, distribution__status="approved"
            )
        )
    except LockTimeout as exc:
        raise BenefitsBusy() from exc
    rows_locked = DistributionLine.objects.filter(pk__in=[x.pk for x in locked])
    lines = {str(line.pk): line for line in rows_locked.select_related("smallholder")}
    payable = payable_by_line(list(lines.values()))
    errors, confirmed, seen = [], [], set()
    for n, row in enumerate(rows, start=2):
        result = _check_row(n, row, lines, payable, seen)
        if isinstance(result, list):
            errors.extend(result)
        else:
            confirmed.append(result)
    if errors or not confirmed:
        raise ConfirmationRefused(errors or [_("The file confirms no payment.")])
    now, batch = timezone.now(), f"import-{timezone.now():%Y%m%d%H%M%S}"
    events = [
        PaymentEvent(line=line, status=LineStatus.PAID, amount=amount, method=method,
                     reference=ref, paid_on=paid_on, actor=actor, batch=batch, created_at=now)
        for line, amount, method, ref, paid_on in confirmed
    ]  # fmt: skip
    # After the lines' locks: the chain head is the last lock taken (see benefits.chain).
    project_id = Distribution.objects.values_list("project_id", flat=True).get(pk=distribution_id)
    append_payment_events(project_id=project_id, events=events)
    DistributionLine.objects.filter(pk__in=[c[0].pk for c in confirmed]).update(
        status=LineStatus.PAID
    )
    project_id = Distribution.objects.values_list("project_id", flat=True).get(pk=distribution_id)
    announce_money_changed(project_id=project_id)
    return len(confirmed)


@transaction.atomic(durable=True)
def release_trust(*, hold_id: int, actor: User, reason: str) -> TrustHold:
    """The parcel met its target: its held share becomes payable (an APPROVED event)."""
    return _resolve_hold(hold_id, actor, reason, TrustStatus.RELEASED, LineStatus.APPROVED)


@transaction.atomic(durable=True)
def return_trust(*, hold_id: int, actor: User | None, reason: str) -> TrustHold:
    """The deadline passed: the held share goes where the policy says (a CANCELLED event on
    the line; the project's next distribution takes the amount in, see `benefits.trust`)."""
    return _resolve_hold(hold_id, actor, reason, TrustStatus.RETURNED, LineStatus.CANCELLED)


def _resolve_hold(hold_id, actor, reason: str, status: str, event_status: str) -> TrustHold:
    try:
        rows = lock_rows(
            TrustHold.objects.filter(pk=hold_id, line__distribution__status="approved")
        )
    except LockTimeout as exc:
        raise BenefitsBusy() from exc
    if not rows or rows[0].status != TrustStatus.HELD:
        raise NotApprovable(_("This share is not held in trust (any more)."))
    hold, now = rows[0], timezone.now()
    hold.status, hold.resolved_at = status, now
    hold.save(update_fields=["status", "resolved_at"])
    event = PaymentEvent(line_id=hold.line_id, status=event_status, amount=hold.amount,
                         reason=reason, actor=actor, created_at=now)  # fmt: skip
    # After the hold's lock: the chain head is the last lock taken (see benefits.chain).
    project_id = DistributionLine.objects.values_list("distribution__project_id", flat=True).get(
        pk=hold.line_id
    )
    append_payment_events(project_id=project_id, events=[event])
    if event_status == LineStatus.APPROVED:
        DistributionLine.objects.filter(pk=hold.line_id).update(status=LineStatus.APPROVED)
    elif not TrustHold.objects.filter(line_id=hold.line_id, status=TrustStatus.HELD).exists():
        # A line that was only withheld, and has nothing held any more, pays nothing.
        DistributionLine.objects.filter(pk=hold.line_id, status=LineStatus.WITHHELD).update(
            status=LineStatus.CANCELLED
        )
    announce_money_changed(project_id=project_id)
    return hold
