"""Reversals (trees lost, covered by the buffer) shown against the payments they touch.

A reversal names parcels; a family's line of an approved distribution *touches* it when the
credits that line shared came from one of those parcels (its provenance) and the distribution
was approved before the reversal was recorded. Whether anything is taken back is the line's
policy setting (`SharingPolicy.clawback`): under "never" (the default) nothing is, and the
statement says so next to the payment, so that its totals still add up.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise

from benefits.choices import Clawback
from benefits.models import DistributionLine
from credits.traceability import ParcelReversal, reversals_of_parcels
from parcels.models import Parcel

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ReversalAgainst:
    """One reversal next to one line: the family's parcels it names and what was taken back."""

    reversal: ParcelReversal
    parcels: list[str]  # codes of the line's parcels the reversal names
    units_sold: int  # units this line shared that came from those parcels
    clawback: str  # the policy's setting (Clawback)
    taken_back: Decimal  # soles taken back from the family: none under "never"

    @property
    def clawback_label(self) -> str | Promise:
        return Clawback(self.clawback).label


def reversals_against(lines: Iterable[DistributionLine]) -> dict[int, list[ReversalAgainst]]:
    """Per line id, the reversals recorded after its distribution's approval that name one of
    its parcels (lines with none are left out). Lines need `distribution__policy` loaded."""
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
                        taken_back=ZERO,  # "from future shares" is recorded, not yet deducted
                    )
                )
    return dict(out)
