"""What each parcel gave to the sold units, and each (family, parcel)'s weight and verdict.

sale → blocks → issuance → contributions, read set-wise through the ledger's selector (the
units each sale took from each issuance summed in SQL; the contributions of those issuances as
plain rows), then the exact arithmetic in Python, row by row in the ledger's order (issuance,
then parcel), so that the same inputs always give the same Decimals: a parcel's value is its
weight's part of the price × units sold from each issuance it gave to; its units are whole, by
largest remainder within the issuance (`credits.apportion`).
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from django.utils.translation import gettext as _

from benefits.choices import SplitMethod
from benefits.models import SharingPolicy
from benefits.sharing import ParcelInput, mix_weights
from credits.apportion import apportion
from credits.traceability import sold_contributions
from parcels.selectors import ParcelFacts


class SoldParcel(NamedTuple):
    """What one parcel gave to the sold units of one issuance: its units (whole, largest
    remainder) and the money value of its part (exact: its weight share of each sale)."""

    issuance_id: int
    parcel_id: int
    smallholder_id: int
    units: int
    value: Decimal


def sold_parcels(sales: list) -> list[SoldParcel]:
    """A family's value is Σ over issuances of (its weight / the issuance's weight) × (price ×
    units sold from it). Two queries, whatever the number of sales and parcels."""
    prices = {s.pk: s.price_per_tonne for s in sales}
    read = sold_contributions(sale_ids=list(prices))
    value: dict[int, Decimal] = defaultdict(Decimal)
    quantity: dict[int, int] = defaultdict(int)
    for issuance_id, sale_id, taken in read.sold:
        value[issuance_id] += prices[sale_id] * int(taken)
        quantity[issuance_id] += int(taken)
    out: list[SoldParcel] = []
    for issuance_id, group in groupby(read.contributions, key=itemgetter(0)):
        rows = list(group)
        weights = [weight for _issuance, _parcel, _holder, weight in rows]
        total = sum(weights)
        if not total:
            continue
        worth = value[issuance_id]
        units = apportion(quantity[issuance_id], weights)
        out.extend(
            SoldParcel(issuance_id, parcel, holder, n, worth * weight / total)
            for (_issuance, parcel, holder, weight), n in zip(rows, units, strict=True)
        )
    return out


def parcel_inputs(
    policy: SharingPolicy, sold: list[SoldParcel], facts: dict[int, ParcelFacts], today: dt.date
) -> list[tuple[ParcelInput, int]]:
    """Each (family, parcel)'s weight under the policy's split method and whether it met its
    monitoring target (one verdict per parcel, however many issuances it gave to)."""
    value: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for _issuance, parcel, holder, _units, worth in sold:
        value[(holder, parcel)] += worth
    if policy.split_method == SplitMethod.MIX:
        mix = {m: Decimal(str(p)) for m, p in policy.mix.items()}
        weights = mix_weights({m: _raw_weights(m, value, facts) for m in mix}, mix)
    else:
        weights = _raw_weights(policy.split_method, value, facts)
    limit = dt.date(today.year - policy.max_years_since_monitoring, today.month, min(today.day, 28))
    words = _Words()
    reasons: dict[int, str] = {}
    out = []
    for (family, parcel), weight in weights.items():
        if parcel not in reasons:
            reasons[parcel] = _off_target(policy, facts.get(parcel), limit, words)
        reason = reasons[parcel]
        item = ParcelInput(f"{family:012d}", f"{parcel:012d}", weight, not reason, reason)
        out.append((item, family))
    return out


class _Words:
    """The reasons' wording, translated once per distribution (not once per parcel)."""

    def __init__(self) -> None:
        self.never = _("never monitored")
        self.since = _("not monitored since %(date)s")
        self.survival = _("survival %(s)s%% under the %(t)s%% target")


def _off_target(
    policy: SharingPolicy, facts: ParcelFacts | None, limit: dt.date, words: _Words
) -> str:
    """Why a parcel's share is held in trust, or '' when it met its monitoring target
    (`limit`: the oldest last monitoring the policy accepts)."""
    if facts is None or facts.last_monitored_on is None:
        return words.never
    if facts.last_monitored_on < limit:
        return words.since % {"date": facts.last_monitored_on.isoformat()}
    survival = facts.survival
    if survival is not None and survival < policy.survival_threshold:
        return words.survival % {
            "s": f"{survival * 100:.0f}",
            "t": f"{policy.survival_threshold * 100:.0f}",
        }
    return ""


def _raw_weights(method: str, value: dict, facts: dict) -> dict[tuple[int, int], Decimal]:
    """Each (family, parcel)'s raw weight under one split method."""
    if method == SplitMethod.CONTRIBUTION:
        return value
    if method == SplitMethod.TREES:
        return {k: Decimal(_trees(facts.get(k[1]))) for k in value}
    if method == SplitMethod.AREA:
        return {k: facts[k[1]].area_ha if k[1] in facts else Decimal(0) for k in value}
    if method == SplitMethod.EQUAL:
        return _equal(value)
    raise KeyError(method)


def _trees(facts: ParcelFacts | None) -> int:
    if facts is None:
        return 0
    return facts.trees_alive if facts.trees_alive is not None else facts.trees_planted


def _equal(value: dict[tuple[int, int], Decimal]) -> dict[tuple[int, int], Decimal]:
    count: dict[int, int] = defaultdict(int)
    for family, _parcel in value:
        count[family] += 1
    return {k: Decimal(1) / count[k[0]] for k in value}
