"""Reversals (trees lost, covered by the buffer) shown against the payments they touch.

A reversal names parcels; a family's line of an approved distribution *touches* it when the
credits that line shared came from one of those parcels (its provenance) and the distribution
was approved before the reversal was recorded. Whether anything is taken back is the line's
policy setting (`SharingPolicy.clawback`): under "never" (the default) nothing is, and the
statement says so next to the payment, so that its totals still add up.

Under "from future shares", a line owes the value of its part of the lost tonnes: the reversal's
tonnes (at most the units the touched lines shared from its parcels) are split between those
lines by the units each shared from them, each valued at its line's share per unit; the total is
rounded to the céntimo once and split by largest remainder (`clawbacks_owed`). The next
distributions deduct it from the family's payable (`benefits.planning`), never below zero; what
is left waits for the following one. Each deduction is a `ClawbackDeduction`.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.functional import Promise

from benefits.choices import Clawback, DistributionStatus
from benefits.models import ClawbackDeduction, DistributionLine
from credits.apportion import apportion
from credits.models import Reversal
from credits.traceability import ParcelReversal, reversals_of_parcels
from parcels.models import Parcel

ZERO = Decimal("0.00")
CENTS = 100


@dataclass(frozen=True)
class ReversalAgainst:
    """One reversal next to one line: the family's parcels it names and what was taken back."""

    reversal: ParcelReversal
    parcels: list[str]  # codes of the line's parcels the reversal names
    units_sold: int  # units this line shared that came from those parcels
    clawback: str  # the policy's setting (Clawback)
    taken_back: Decimal  # soles taken back from the family so far: none under "never"
    owed: Decimal = ZERO  # soles the line owes for the reversal ("from future shares")

    @property
    def clawback_label(self) -> str | Promise:
        return Clawback(self.clawback).label


def reversals_against(lines: Iterable[DistributionLine]) -> dict[int, list[ReversalAgainst]]:
    """Per line id, the reversals recorded after its distribution's approval that name one of
    its parcels (lines with none are left out), with what the line owes for each and what was
    taken back. Lines need `distribution__policy` loaded."""
    return _with_clawbacks(reversals_against_plain(lines))


def reversals_against_plain(
    lines: Iterable[DistributionLine],
) -> dict[int, list[ReversalAgainst]]:
    """`reversals_against` without the amounts owed (nothing taken back)."""
    lines = [line for line in lines if line.distribution.approved_at is not None]
    codes = {p["parcel"] for line in lines for p in line.provenance}
    holders = {line.smallholder_id for line in lines}
    ids = dict(
        Parcel.objects.filter(smallholder_id__in=holders, code__in=codes).values_list("code", "pk")
    )
    reversals = reversals_of_parcels(parcel_ids=ids.values())
    code = {pk: c for c, pk in ids.items()}
    out: dict[int, list[ReversalAgainst]] = defaultdict(list)
    for line in lines:
        units: dict[int, int] = defaultdict(int)
        for p in line.provenance:
            if p["parcel"] in ids:
                units[ids[p["parcel"]]] += p["units"]
        for reversal in reversals:
            touched = sorted(reversal.parcel_ids & set(units))
            # approved_at is not None: lines without one were left out above (mypy cannot see it)
            if touched and reversal.created_at >= line.distribution.approved_at:  # type: ignore[operator]
                out[line.pk].append(
                    ReversalAgainst(
                        reversal=reversal,
                        parcels=[code[pk] for pk in touched],
                        units_sold=sum(units[pk] for pk in touched),
                        clawback=line.distribution.policy.clawback,
                        taken_back=ZERO,
                    )
                )
    return dict(out)


def _with_clawbacks(found: dict[int, list[ReversalAgainst]]) -> dict[int, list[ReversalAgainst]]:
    """Fill in what each line owes and what was taken back, from `clawbacks_owed`."""
    if not any(r.clawback == Clawback.FUTURE_SHARES for rs in found.values() for r in rs):
        return found
    project_ids = set(
        Reversal.objects.filter(
            pk__in={r.reversal.reversal_id for rs in found.values() for r in rs}
        ).values_list("project_id", flat=True)
    )
    owed = {
        (o.reversal_id, o.source_line_id): o
        for project_id in project_ids
        for items in clawbacks_owed(project_id=project_id, include_settled=True).values()
        for o in items
    }
    return {
        line_id: [_owed(r, owed.get((r.reversal.reversal_id, line_id))) for r in rs]
        for line_id, rs in found.items()
    }


def _owed(r: ReversalAgainst, owed: "Owed | None") -> ReversalAgainst:
    if owed is None:
        return r
    return ReversalAgainst(r.reversal, r.parcels, r.units_sold, r.clawback,
                           taken_back=owed.taken, owed=owed.amount)  # fmt: skip


@dataclass(frozen=True)
class Owed:
    """What one paid line owes for one reversal, and how much later lines already took."""

    reversal_id: int
    source_line_id: int
    amount: Decimal
    taken: Decimal

    @property
    def left(self) -> Decimal:
        return self.amount - self.taken


def clawbacks_owed(*, project_id: int, include_settled: bool = False) -> dict[int, list[Owed]]:
    """Per family (smallholder id), what its paid lines still owe for reversals under a policy
    that claws back from future shares, oldest reversal first (settled ones left out unless
    `include_settled`)."""
    named = Reversal.parcels.through.objects.filter(reversal__project_id=project_id)
    holders = Parcel.objects.filter(pk__in=named.values("parcel_id")).values("smallholder_id")
    lines = list(
        DistributionLine.objects.filter(
            distribution__project_id=project_id,
            distribution__status=DistributionStatus.APPROVED,
            smallholder_id__in=holders,
        )
        .select_related("distribution__policy")
        .order_by("pk")
    )
    against = reversals_against_plain(lines)
    taken = _taken(project_id)
    by_line = {line.pk: line for line in lines}
    by_reversal: dict[int, list[tuple[DistributionLine, ReversalAgainst]]] = defaultdict(list)
    for line_id, items in against.items():
        for r in items:
            by_reversal[r.reversal.reversal_id].append((by_line[line_id], r))
    out: dict[int, list[Owed]] = defaultdict(list)
    for reversal_id in sorted(
        by_reversal, key=lambda pk: (by_reversal[pk][0][1].reversal.created_at, pk)
    ):
        hit = by_reversal[reversal_id]
        for (line, r), amount in zip(hit, _split_loss(hit), strict=True):
            if r.clawback != Clawback.FUTURE_SHARES or not amount:
                continue
            owed = Owed(reversal_id, line.pk, amount, taken.get((reversal_id, line.pk), ZERO))
            if include_settled or owed.left > 0:
                out[line.smallholder_id].append(owed)
    return dict(out)


def _split_loss(hit: list[tuple[DistributionLine, ReversalAgainst]]) -> list[Decimal]:
    """The reversal's lost value split between the lines it touched, to the céntimo, adding up
    exactly to the whole (largest remainder): each line's part of the lost tonnes × its share
    per unit."""
    sold = sum(r.units_sold for _line, r in hit)
    lost = min(hit[0][1].reversal.quantity_tco2e, Decimal(sold))
    weights = [line.share * r.units_sold / line.units if line.units else ZERO for line, r in hit]
    total = sum(weights, Decimal(0)) * lost / sold if sold else ZERO
    cents = int((total * CENTS).quantize(Decimal(1)))
    if not cents:
        return [ZERO] * len(hit)
    return [Decimal(c) / CENTS for c in apportion(cents, weights)]


def _taken(project_id: int) -> dict[tuple[int, int], Decimal]:
    """(reversal, source line) → soles already deducted by later lines (previews included: a
    discarded preview's deductions go with it)."""
    rows = (
        ClawbackDeduction.objects.filter(reversal__project_id=project_id)
        .values("reversal_id", "source_line_id")
        .annotate(total=Sum("amount"))
    )
    return {(r["reversal_id"], r["source_line_id"]): r["total"] for r in rows}
