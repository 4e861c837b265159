"""The benefit-sharing arithmetic, pure: no database, no clock, no settings.

Everything is `Decimal`; money is split in whole céntimos (0.01) by largest remainder, so the
parts always add up exactly to the whole. Ordering is deterministic (by the keys given), so the
same inputs always give the same lines and the same hash.

Steps, each a function below:
1. `split_pools`: the gross of the sales → itemised costs, producers' pool, cooperative,
   community fund and the operator's remainder (all pools add up to the gross).
2. `split_producers`: the producers' pool → one share per family, by weight (largest
   remainder at family level, so each family is within one céntimo of its exact share), then each
   family's share → its parcels, of which those off target are held in trust.
3. `recover_advance`: what an outstanding advance takes from a payable amount, at the policy's
   rate, never making the payment negative (the rest carries over).
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

CENT = Decimal("0.01")
Key = TypeVar("Key", bound=Any)  # a parcel's key: sortable (text, or a (family, parcel) pair)
HELD_NONE = Decimal("0.00")
PLAN_VIVO_FLOOR = Decimal("0.60")


class PolicyError(ValueError):
    """A sharing policy that cannot be used; the message says why, in the user's words."""


@dataclass(frozen=True)
class Terms:
    """The money part of a sharing policy. Fractions are of the basis, costs of the gross."""

    basis: str  # "gross" or "net"
    costs: tuple[tuple[str, Decimal], ...]  # (name, fraction of gross)
    producers_share: Decimal
    cooperative_share: Decimal
    community_fund_share: Decimal
    floor: Decimal = PLAN_VIVO_FLOOR  # producers' minimum, as a fraction of the gross


@dataclass(frozen=True)
class Pools:
    gross: Decimal
    costs: dict[str, Decimal]
    producers: Decimal
    cooperative: Decimal
    community_fund: Decimal
    operator: Decimal  # what is left for the project operator (NGO)

    def parts(self) -> list[Decimal]:
        return [*self.costs.values(), self.producers, self.cooperative, self.community_fund,
                self.operator]  # fmt: skip


class ParcelInput(NamedTuple):
    """A (family, parcel)'s weight (tuples: a distribution splits between tens of thousands)."""

    family: str  # a stable key: the smallholder's id as text
    parcel: str
    weight: Decimal
    on_target: bool = True
    reason: str = ""  # why off target


class FamilyShare(NamedTuple):
    family: str
    weight: Decimal
    share: Decimal
    held: Decimal
    held_parcels: dict[str, Decimal]  # off-target parcel → its part of the share


def effective_producer_fraction(terms: Terms) -> Decimal:
    """The producers' pool as a fraction of the gross."""
    if terms.basis == "gross":
        return terms.producers_share
    return terms.producers_share * (1 - sum((f for _, f in terms.costs), Decimal(0)))


def check_terms(terms: Terms) -> None:
    """Refuse terms that pay producers under the floor or hand out more than the gross."""
    fractions = [f for _, f in terms.costs]
    fractions += [terms.producers_share, terms.cooperative_share, terms.community_fund_share]
    if terms.basis not in ("gross", "net"):
        raise PolicyError(f"The basis must be 'gross' or 'net', not {terms.basis!r}.")
    if any(not f.is_finite() or f < 0 or f > 1 for f in fractions):
        raise PolicyError("Every share and cost must be a fraction between 0 and 1.")
    cost_total = sum((f for _, f in terms.costs), Decimal(0))
    basis = Decimal(1) if terms.basis == "gross" else 1 - cost_total
    handed_out = cost_total + basis * (
        terms.producers_share + terms.cooperative_share + terms.community_fund_share
    )
    if handed_out > 1:
        raise PolicyError(
            f"Costs and shares add up to {handed_out:.2%} of the gross, more than the whole price."
        )
    producers = effective_producer_fraction(terms)
    if producers < terms.floor:
        raise PolicyError(
            f"Producers would receive {producers:.2%} of the gross price, under the floor of "
            f"{terms.floor:.0%}: raise the producers' share or lower the costs."
        )


def split_pools(gross: Decimal, terms: Terms) -> Pools:
    """Split a gross amount (whole céntimos) into pools that add up to it exactly.

    The producers' pool is rounded up to the céntimo and every other part down, so it never
    falls under the floor; the operator takes what is left (never negative, see tests).
    """
    if gross != gross.quantize(CENT) or gross < 0:
        raise ValueError("gross must be a non-negative amount in whole céntimos")
    costs = {name: (gross * f).quantize(CENT, ROUND_FLOOR) for name, f in terms.costs}
    basis = gross if terms.basis == "gross" else gross - sum(
        (gross * f for _, f in terms.costs), Decimal(0)
    )  # fmt: skip
    producers = (basis * terms.producers_share).quantize(CENT, ROUND_CEILING)
    cooperative = (basis * terms.cooperative_share).quantize(CENT, ROUND_FLOOR)
    fund = (basis * terms.community_fund_share).quantize(CENT, ROUND_FLOOR)
    operator = gross - sum(costs.values(), Decimal(0)) - producers - cooperative - fund
    return Pools(gross, costs, producers, cooperative, fund, operator)


def apportion_cents(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`total` (whole céntimos) split by `weights`, largest remainder, ties to the earlier."""
    cents = int((total / CENT).to_integral_value())
    weight_sum = sum(weights, Decimal(0))
    if cents == 0 or not weights:
        return [Decimal("0.00")] * len(weights)
    if weight_sum <= 0:
        raise ValueError("cannot split a positive amount over zero weights")
    total = Decimal(cents)
    exact = [total * w / weight_sum for w in weights]
    whole = [int(x) for x in exact]
    left = cents - sum(whole)
    if left:
        behind = [-(x - c) for x, c in zip(exact, whole, strict=True)]  # minus the remainder
        # a stable sort: equal remainders keep their order (ties to the earlier weight)
        for i in sorted(range(len(weights)), key=behind.__getitem__)[:left]:
            whole[i] += 1
    return [Decimal(c) * CENT for c in whole]


def split_producers(pool: Decimal, parcels: Sequence[ParcelInput]) -> list[FamilyShare]:
    """The producers' pool split between families by the summed weight of their parcels."""
    ordered = sorted(parcels, key=itemgetter(0, 1))  # by family, then parcel
    by_family = {family: list(own) for family, own in groupby(ordered, key=itemgetter(0))}
    families = list(by_family)  # in order already
    weights = [sum([p.weight for p in by_family[f]], Decimal(0)) for f in families]
    shares = apportion_cents(pool, weights)
    result = []
    for family, weight, share in zip(families, weights, shares, strict=True):
        own = by_family[family]
        if all(p.on_target for p in own):  # nothing held: the parts need not be worked out
            result.append(FamilyShare(family, weight, share, HELD_NONE, {}))
            continue
        parts = [share] if len(own) == 1 else apportion_cents(share, [p.weight for p in own])
        held = {p.parcel: amt for p, amt in zip(own, parts, strict=True) if not p.on_target}
        result.append(FamilyShare(family, weight, share, sum(held.values(), HELD_NONE), held))
    return result


def recover_advance(payable: Decimal, outstanding: Decimal, rate: Decimal) -> Decimal:
    """How much of an outstanding advance to take from `payable`: at most `rate` of it, never
    more than is outstanding, never below zero; the rest carries over to later shares."""
    if payable <= 0 or outstanding <= 0 or rate <= 0:
        return Decimal("0.00")
    return min(outstanding, (payable * rate).quantize(CENT, ROUND_FLOOR))


def mix_weights(
    methods: Mapping[str, Mapping[Key, Decimal]], mix: Mapping[str, Decimal]
) -> dict[Key, Decimal]:
    """A weighted mix of split methods: each method's weights normalised to 1, then mixed.

    `methods` maps a method name to {parcel key: raw weight}; `mix` maps it to its part.
    """
    keys = sorted({k for weights in methods.values() for k in weights})
    mixed = dict.fromkeys(keys, Decimal(0))
    for name, part in sorted(mix.items()):
        raw = methods[name]
        total = sum(raw.values(), Decimal(0))
        if part and total:
            for key in keys:
                mixed[key] += part * raw.get(key, Decimal(0)) / total
    return mixed


def inputs_hash(payload: object) -> str:
    """SHA-256 of a canonical JSON form (sorted keys, Decimals as strings)."""
    text = json.dumps(payload, sort_keys=True, default=_plain, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    raise TypeError(f"not serialisable: {type(value).__name__}")
