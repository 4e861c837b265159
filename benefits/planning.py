"""What a distribution would be: read the ledger and field data, run the pure maths, write
nothing. Used by the preview command and by `services.create_distribution` alike."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

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
    split_pools,
    split_producers,
)
from benefits.sold import SoldParcel, parcel_inputs, sold_parcels
from benefits.trust import Returned, returned_to_pools
from credits.selectors import confirmed_sales
from parcels.selectors import parcel_facts
from pichanaki.collector import collector_paused
from smallholders.models import Project, Smallholder

PAYOUT_CURRENCY = "PEN"
ZERO = Decimal("0.00")
Progress = Callable[[int, str], None]  # (percent, JobStatus) of a distribution job


def no_progress(percent: int, status: str) -> None:
    return None


class FamilyPlan(NamedTuple):
    """One family's line as planned (a tuple: a distribution has tens of thousands of them).
    The totals of the deductions are worked out once, by `family_plan`."""

    smallholder_id: int
    dni: str
    units: int
    weight: Decimal
    share: Decimal
    held: dict[int, tuple[Decimal, str]]  # parcel id → (amount, reason)
    recoveries: list[tuple[int, Decimal]]  # advance id → amount taken
    provenance: list[dict]
    clawbacks: list[tuple[int, int, Decimal]]  # reversal, line paid earlier, amount taken
    held_in_trust: Decimal
    advance_recovered: Decimal
    clawed_back: Decimal
    amount: Decimal  # payable now: share − held in trust − advance recovered − clawed back


def family_plan(smallholder_id, dni, units, weight, share, held, recoveries, provenance,
                clawbacks) -> FamilyPlan:  # fmt: skip
    held_in_trust = sum((a for a, _reason in held.values()), ZERO) if held else ZERO
    advance_recovered = sum((a for _advance, a in recoveries), ZERO) if recoveries else ZERO
    clawed_back = sum((a for _reversal, _line, a in clawbacks), ZERO) if clawbacks else ZERO
    return FamilyPlan(smallholder_id, dni, units, weight, share, held, recoveries, provenance,
                      clawbacks, held_in_trust, advance_recovered, clawed_back,
                      share - held_in_trust - advance_recovered - clawed_back)  # fmt: skip


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
    parcels = parcel_inputs(policy, sold, facts, today)
    progress(45, JobStatus.PLANNING)
    pool = pools.producers + returned.producers
    codes = {pk: f.code for pk, f in facts.items()}
    families = _families(project, policy, pool, parcels, sold, codes)
    progress(60, JobStatus.PLANNING)
    sale_rows = [(s.pk, (s.price_per_tonne * s.quantity).quantize(CENT), s.quantity) for s in sales]
    digest = inputs_hash(
        {
            "policy": [policy.pk, policy.version],
            "sales": sale_rows,
            "rate": str(rate.rate_to_pen),
            "pools": pools,
            "returned": [returned.hold_ids, returned.producers, returned.community_fund],
            "families": [_hashed(f) for f in families],
        }  # fmt: skip
    )
    return Plan(project, policy, sale_rows, currency, gross, rate, gross_pen, pools, returned,
                families, digest)  # fmt: skip


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


class SaleRow(NamedTuple):
    """What planning reads of a confirmed sale."""

    pk: int
    price_per_tonne: Decimal
    quantity: int
    currency: str


def _sales(project: Project, sale_ids: Sequence[int] | None) -> list[SaleRow]:
    confirmed = confirmed_sales(project_id=project.pk, sale_ids=sale_ids)
    columns = ("pk", "price_per_tonne", "quantity", "currency")
    sales = [SaleRow(*row) for row in confirmed.values_list(*columns)]
    if sale_ids is not None:
        missing = sorted(set(sale_ids) - {s.pk for s in sales})
        if missing:
            raise NothingToDistribute(
                _("No confirmed sale of project %(project)s has the id(s) %(ids)s.")
                % {"project": project.code, "ids": ", ".join(map(str, missing))}
            )
    done = set(
        DistributionSale.objects.filter(sale__in=confirmed.values("pk")).values_list(
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


def _hashed(f: FamilyPlan) -> tuple:
    """A family's part of the hash: the amounts as the text the hash has always read (so the
    JSON encoder needs no fallback per amount); clawbacks only when there are any (the hashes
    of distributions before clawbacks existed are unchanged)."""
    row: tuple = (f.smallholder_id, str(f.share), str(f.held_in_trust), str(f.advance_recovered))
    if f.clawbacks:
        row += (tuple((r, line, str(a)) for r, line, a in f.clawbacks),)
    return row


def _families(project, policy, pool, parcels: list[tuple[ParcelInput, int]],
              sold: list[SoldParcel], codes: dict[int, str]) -> list[FamilyPlan]:  # fmt: skip
    """The producers' pool split between families (pure, `split_producers`), then each
    family's advances and clawbacks (only families that owe any), units and provenance."""
    shares = split_producers(pool, [p for p, _ in parcels])
    reasons = {p.parcel: p.reason for p, _ in parcels}
    dnis = dict(Smallholder.objects.filter(project=project).values_list("pk", "dni"))
    outstanding = outstanding_advances(project)
    owed = clawbacks_owed(project_id=project.pk)
    units: dict[int, int] = defaultdict(int)
    provenance: dict[int, list[dict]] = defaultdict(list)
    for issuance, parcel, holder, n, _value in sold:
        units[holder] += n
        code = codes[parcel] if parcel in codes else str(parcel)
        provenance[holder].append({"issuance": issuance, "parcel": code, "units": n})
    result = []
    for s in shares:
        family = int(s.family)
        held = (
            {int(p): (amount, reasons[p]) for p, amount in s.held_parcels.items() if amount}
            if s.held_parcels
            else {}
        )
        recoveries = (
            recover(s.share - s.held, outstanding[family], policy) if family in outstanding else []
        )
        clawbacks = []
        if family in owed:
            left = s.share - s.held - sum((a for _advance, a in recoveries), Decimal(0))
            clawbacks = claw_back(left, owed[family])
        result.append(family_plan(family, dnis[family], units[family], s.weight, s.share, held,
                                  recoveries, provenance[family], clawbacks))  # fmt: skip
    return result


__all__ = ["Plan", "FamilyPlan", "plan_distribution", "effective_producer_fraction"]
