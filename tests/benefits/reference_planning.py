"""The planner as it was before issue 11's speed-up (commit dd5618e), frozen: the oracle that
the fast planner (benefits.planning) must match line for line and hash for hash. Only this
docstring changed, and the split maths it used are frozen beside it (reference_sharing)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from benefits.choices import SplitMethod
from benefits.deductions import claw_back, outstanding_advances, recover
from benefits.exceptions import AlreadyDistributed, NothingToDistribute, PolicyRefused
from benefits.models import (
    DistributionSale,
    ExchangeRate,
    JobStatus,
    SharingPolicy,
)
from benefits.reversals import clawbacks_owed
from benefits.sharing import (
    CENT,
    ParcelInput,
    Pools,
    effective_producer_fraction,
    inputs_hash,
    mix_weights,
    split_pools,
)
from benefits.trust import Returned, returned_to_pools
from credits.selectors import confirmed_sales, sold_blocks
from parcels.selectors import ParcelFacts, parcel_facts
from pichanaki.collector import collector_paused
from smallholders.models import Project, Smallholder
from tests.benefits.reference_sharing import apportion, issuance_shares, split_producers

PAYOUT_CURRENCY = "PEN"
Progress = Callable[[int, str], None]  # (percent, JobStatus) of a distribution job


def no_progress(percent: int, status: str) -> None:
    return None


@dataclass(frozen=True)
class FamilyPlan:
    smallholder_id: int
    dni: str
    units: int
    weight: Decimal
    share: Decimal
    held: dict[int, tuple[Decimal, str]]  # parcel id → (amount, reason)
    recoveries: list[tuple[int, Decimal]]  # advance id → amount taken
    provenance: list[dict]
    clawbacks: list[tuple[int, int, Decimal]] = ()  # reversal, line paid earlier, amount taken

    @property
    def held_in_trust(self) -> Decimal:
        return sum((a for a, _reason in self.held.values()), Decimal("0.00"))

    @property
    def advance_recovered(self) -> Decimal:
        return sum((a for _advance, a in self.recoveries), Decimal("0.00"))

    @property
    def clawed_back(self) -> Decimal:
        return sum((a for _reversal, _line, a in self.clawbacks), Decimal("0.00"))

    @property
    def amount(self) -> Decimal:
        return self.share - self.held_in_trust - self.advance_recovered - self.clawed_back


@dataclass(frozen=True)
class Plan:
    project: Project
    policy: SharingPolicy
    sales: list[tuple[int, Decimal, int]]  # sale id, gross, units
    currency: str
    gross: Decimal
    rate: ExchangeRate
    gross_pen: Decimal
    pools: Pools
    returned: Returned  # held in trust by earlier distributions, returned after the deadline
    families: list[FamilyPlan]
    hash: str

    @property
    def producers_pool(self) -> Decimal:
        """What the families share: the producers' part of the sales and returned trust."""
        return self.pools.producers + self.returned.producers

    def as_json(self) -> dict:
        """The preview command's JSON (the issue's exact keys): amounts in soles, as decimal
        strings; the pools include what returned from trust (`Plan.returned`)."""
        pools = self.pools
        return {
            "currency": PAYOUT_CURRENCY,
            "gross": str(pools.gross),
            "costs": {name: str(amount) for name, amount in pools.costs.items()},
            "producers_pool": str(self.producers_pool),
            "producers_share": str(_fraction(pools.producers, pools.gross)),
            "cooperative": str(pools.cooperative),
            "community_fund": str(pools.community_fund + self.returned.community_fund),
            "families": [
                {
                    "smallholder": f.dni,
                    "units": f.units,
                    "share": str(f.share),
                    "held_in_trust": str(f.held_in_trust),
                    "advance_recovered": str(f.advance_recovered),
                    "amount": str(f.amount),
                }
                # the exact keys; a deduction for reversals is named when there is one
                | ({"clawed_back": str(f.clawed_back)} if f.clawbacks else {})
                for f in self.families
            ],
        }


def _fraction(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole).quantize(Decimal("0.0001")) if whole else Decimal(0)


def plan_distribution(
    *,
    project: Project,
    sale_ids: Sequence[int] | None = None,
    policy_version: int | None = None,
    today: dt.date,
    progress: Progress = no_progress,
) -> Plan:
    """The distribution of `sale_ids` (default: every confirmed sale not yet distributed).
    `progress` hears of each phase (a job's progress bar: planning is 0–60%)."""
    with collector_paused():
        return _plan(project, sale_ids, policy_version, today, progress)


def _plan(project, sale_ids, policy_version, today, progress: Progress) -> Plan:
    progress(5, JobStatus.PLANNING)
    policy = _policy(project, policy_version)
    sales = _sales(project, sale_ids)
    currency = _one_currency(sales)
    rate = _rate(currency)
    gross = sum((s.price_per_tonne * s.quantity for s in sales), Decimal(0)).quantize(CENT)
    gross_pen = (gross * rate.rate_to_pen).quantize(CENT)
    pools = split_pools(gross_pen, policy.terms)
    returned = returned_to_pools(project=project)
    progress(10, JobStatus.PLANNING)
    sold = sold_parcels(sales)
    progress(30, JobStatus.PLANNING)
    facts = parcel_facts(project_id=project.pk)
    parcels = _parcel_inputs(policy, sold, facts, today)
    progress(45, JobStatus.PLANNING)
    pool = pools.producers + returned.producers
    families = _families(project, policy, pool, parcels, sold, facts)
    progress(60, JobStatus.PLANNING)
    sale_rows = [(s.pk, (s.price_per_tonne * s.quantity).quantize(CENT), s.quantity) for s in sales]
    digest = inputs_hash(
        {
            "policy": [policy.pk, policy.version],
            "sales": sale_rows,
            "rate": str(rate.rate_to_pen),
            "pools": pools,
            "returned": [returned.hold_ids, returned.producers, returned.community_fund],
            "families": [
                (f.smallholder_id, f.share, f.held_in_trust, f.advance_recovered)
                + ((f.clawbacks,) if f.clawbacks else ())  # the hashes of before clawbacks
                for f in families
            ],
        }  # fmt: skip
    )
    return Plan(project, policy, sale_rows, currency, gross, rate, gross_pen, pools, returned,
                families, digest)  # fmt: skip


@dataclass(frozen=True)
class SoldParcel:
    """What one parcel gave to the sold units of one issuance: its units (whole, largest
    remainder) and the money value of its part (exact: its weight share of each sale)."""

    issuance_id: int
    parcel_id: int
    smallholder_id: int
    units: int
    value: Decimal


def sold_parcels(sales: list) -> list[SoldParcel]:
    """sale → blocks → issuance → contributions, aggregated per issuance: a family's value is
    Σ over issuances of (its weight / the issuance's weight) × (price × units sold from it)."""
    prices = {s.pk: s.price_per_tonne for s in sales}
    value: dict[int, Decimal] = defaultdict(Decimal)
    quantity: dict[int, int] = defaultdict(int)
    for block in sold_blocks(sale_ids=list(prices)):
        value[block.issuance_id] += prices[block.sale_id] * block.quantity
        quantity[block.issuance_id] += block.quantity
    by_issuance = defaultdict(list)
    for share in issuance_shares(issuance_ids=value):
        by_issuance[share.issuance_id].append(share)
    out = []
    for issuance_id, shares in sorted(by_issuance.items()):
        total = sum(s.weight for s in shares)
        if not total:
            continue
        units = apportion(quantity[issuance_id], [s.weight for s in shares])
        for share, n in zip(shares, units, strict=True):
            out.append(SoldParcel(issuance_id, share.parcel_id, share.smallholder_id, n,
                                  value[issuance_id] * share.weight / total))  # fmt: skip
    return out


def _policy(project: Project, version: int | None) -> SharingPolicy:
    policies = SharingPolicy.objects.filter(project=project)
    if version is not None:
        policies = policies.filter(version=version)
    policy = policies.order_by("-version").first()
    if policy is None:
        raise PolicyRefused(
            _("Project %(project)s has no sharing policy%(version)s.")
            % {"project": project.code, "version": f" v{version}" if version else ""}
        )
    return policy


def _sales(project: Project, sale_ids: Sequence[int] | None) -> list:
    sales = list(confirmed_sales(project_id=project.pk, sale_ids=sale_ids))
    if sale_ids is not None:
        missing = sorted(set(sale_ids) - {s.pk for s in sales})
        if missing:
            raise NothingToDistribute(
                _("No confirmed sale of project %(project)s has the id(s) %(ids)s.")
                % {"project": project.code, "ids": ", ".join(map(str, missing))}
            )
    done = set(
        DistributionSale.objects.filter(sale__in=[s.pk for s in sales]).values_list(
            "sale_id", flat=True
        )
    )
    if sale_ids is not None and done:
        raise AlreadyDistributed(
            _("Sale(s) %(ids)s are already distributed.")
            % {"ids": ", ".join(map(str, sorted(done)))}
        )
    sales = [s for s in sales if s.pk not in done]
    if not sales:
        raise NothingToDistribute()
    return sales


def _one_currency(sales: list) -> str:
    currencies = sorted({s.currency for s in sales})
    if len(currencies) > 1:
        raise NothingToDistribute(
            _("The sales are in several currencies (%(list)s): distribute each currency apart.")
            % {"list": ", ".join(currencies)}
        )
    return currencies[0]


def _rate(currency: str) -> ExchangeRate:
    if currency == PAYOUT_CURRENCY:
        return ExchangeRate(currency=currency, rate_to_pen=Decimal(1), source="PEN",
                            rate_date=dt.date(2000, 1, 1))  # fmt: skip
    rate = ExchangeRate.objects.filter(currency=currency).order_by("-rate_date", "-pk").first()
    if rate is None:
        raise NothingToDistribute(
            _("Record an exchange rate from %(currency)s to PEN first.") % {"currency": currency}
        )
    return rate


def _off_target(policy: SharingPolicy, facts: ParcelFacts | None, limit: dt.date) -> str:
    """Why a parcel's share is held in trust, or '' when it met its monitoring target
    (`limit`: the oldest last monitoring the policy accepts)."""
    if facts is None or facts.last_monitored_on is None:
        return _("never monitored")
    if facts.last_monitored_on < limit:
        return _("not monitored since %(date)s") % {"date": facts.last_monitored_on.isoformat()}
    survival = facts.survival
    if survival is not None and survival < policy.survival_threshold:
        return _("survival %(s)s%% under the %(t)s%% target") % {
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


def _parcel_inputs(policy, sold, facts, today) -> list[tuple[ParcelInput, int]]:
    value: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for c in sold:
        value[(c.smallholder_id, c.parcel_id)] += c.value
    if policy.split_method == SplitMethod.MIX:
        mix = {m: Decimal(str(p)) for m, p in policy.mix.items()}
        weights = mix_weights({m: _raw_weights(m, value, facts) for m in mix}, mix)
    else:
        weights = _raw_weights(policy.split_method, value, facts)
    limit = dt.date(today.year - policy.max_years_since_monitoring, today.month, min(today.day, 28))
    reasons: dict[int, str] = {}  # one verdict per parcel, however many issuances it gave to
    out = []
    for (family, parcel), weight in weights.items():
        if parcel not in reasons:
            reasons[parcel] = _off_target(policy, facts.get(parcel), limit)
        reason = reasons[parcel]
        item = ParcelInput(f"{family:012d}", f"{parcel:012d}", weight, not reason, reason)
        out.append((item, family))
    return out


def _trees(facts: ParcelFacts | None) -> int:
    if facts is None:
        return 0
    return facts.trees_alive if facts.trees_alive is not None else facts.trees_planted


def _equal(value: dict[tuple[int, int], Decimal]) -> dict[tuple[int, int], Decimal]:
    count: dict[int, int] = defaultdict(int)
    for family, _parcel in value:
        count[family] += 1
    return {k: Decimal(1) / count[k[0]] for k in value}


def _families(project, policy, pool, parcels, sold: list[SoldParcel], facts) -> list[FamilyPlan]:
    shares = split_producers(pool, [p for p, _ in parcels])
    reasons = {p.parcel: p.reason for p, _ in parcels}
    dnis = dict(Smallholder.objects.filter(project=project).values_list("pk", "dni"))
    outstanding = outstanding_advances(project)
    owed = clawbacks_owed(project_id=project.pk)
    units: dict[int, int] = defaultdict(int)
    provenance: dict[int, list[dict]] = defaultdict(list)
    for c in sold:
        units[c.smallholder_id] += c.units
        code = facts[c.parcel_id].code if c.parcel_id in facts else str(c.parcel_id)
        provenance[c.smallholder_id].append(
            {"issuance": c.issuance_id, "parcel": code, "units": c.units}  # fmt: skip
        )
    result = []
    for s in shares:
        family = int(s.family)
        held = {int(p): (amount, reasons[p]) for p, amount in s.held_parcels.items() if amount}
        recoveries = (
            recover(s.share - s.held, outstanding[family], policy) if family in outstanding else []
        )
        left = s.share - s.held - sum((a for _advance, a in recoveries), Decimal(0))
        clawbacks = claw_back(left, owed.get(family, []))
        result.append(FamilyPlan(family, dnis[family], units[family], s.weight, s.share, held,
                                 recoveries, provenance[family], clawbacks))  # fmt: skip
    return result


__all__ = ["Plan", "FamilyPlan", "plan_distribution", "effective_producer_fraction"]
