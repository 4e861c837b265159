"""The split maths and the contribution read as they were before issue 11's speed-up
(benefits.sharing, credits.apportion and credits.selectors.issuance_shares at commit dd5618e),
frozen for the reference planner."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from benefits.sharing import CENT, ParcelInput
from credits.models import IssuanceContribution
from credits.selectors import IssuanceShare


@dataclass(frozen=True)
class FamilyShare:
    family: str
    weight: Decimal
    share: Decimal
    held: Decimal
    held_parcels: dict[str, Decimal] = field(default_factory=dict)


def apportion_cents(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`total` (whole céntimos) split by `weights`, largest remainder, ties to the earlier."""
    cents = int((total / CENT).to_integral_value())
    weight_sum = sum(weights, Decimal(0))
    if cents == 0 or not weights:
        return [Decimal("0.00")] * len(weights)
    if weight_sum <= 0:
        raise ValueError("cannot split a positive amount over zero weights")
    exact = [Decimal(cents) * w / weight_sum for w in weights]
    whole = [int(x) for x in exact]
    left = cents - sum(whole)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - whole[i]), i))
    for i in order[:left]:
        whole[i] += 1
    return [Decimal(c) * CENT for c in whole]


def split_producers(pool: Decimal, parcels: Sequence[ParcelInput]) -> list[FamilyShare]:
    """The producers' pool split between families by the summed weight of their parcels."""
    by_family: dict[str, list[ParcelInput]] = {}
    for p in sorted(parcels, key=lambda p: (p.family, p.parcel)):
        by_family.setdefault(p.family, []).append(p)
    families = sorted(by_family)
    weights = [sum((p.weight for p in by_family[f]), Decimal(0)) for f in families]
    shares = apportion_cents(pool, weights)
    result = []
    for family, weight, share in zip(families, weights, shares, strict=True):
        own = by_family[family]
        parts = [share] if len(own) == 1 else apportion_cents(share, [p.weight for p in own])
        held = {p.parcel: amt for p, amt in zip(own, parts, strict=True) if not p.on_target}
        result.append(FamilyShare(family, weight, share, sum(held.values(), Decimal("0.00")), held))
    return result


def apportion(total: int, weights: Sequence[Decimal | int]) -> list[int]:
    """Whole shares of `total` proportional to `weights`, summing exactly to `total`.

    Each share is floor(total × w / Σw); the units left over go to the largest remainders,
    ties to the earlier weight (deterministic).
    """
    if total < 0:
        raise ValueError("total must not be negative")
    if any(Decimal(w) < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum((Decimal(w) for w in weights), Decimal(0))
    if total == 0:
        return [0] * len(weights)
    if weight_sum == 0:
        raise ValueError("cannot apportion a positive total over zero weights")
    exact = [Decimal(total) * Decimal(w) / weight_sum for w in weights]
    shares = [int(x) for x in exact]  # floor: exact values are non-negative
    left = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def issuance_shares(*, issuance_ids: Iterable[int]) -> list[IssuanceShare]:
    """Every parcel's weight in the given issuances (one query), by issuance then parcel."""
    rows = IssuanceContribution.objects.filter(issuance_id__in=list(issuance_ids)).order_by(
        "issuance_id", "parcel_id"
    )
    return [
        IssuanceShare(issuance, parcel, holder, units + buffer)
        for issuance, parcel, holder, units, buffer in rows.values_list(
            "issuance_id", "parcel_id", "smallholder_id", "units", "buffer_units"
        )
    ]
