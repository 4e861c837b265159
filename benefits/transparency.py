"""The public breakdown of each distributed sale: where each unit of currency per tonne went,
and what each issuance withheld to the buffer pool and why.

Aggregates only (pools, costs, buffer share): never a family, a parcel or a person.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from benefits.choices import DistributionStatus
from benefits.models import Distribution
from credits.traceability import IssuanceBuffer, issuance_buffers
from smallholders.models import Project

TWO = Decimal("0.01")


@dataclass(frozen=True)
class Part:
    label: str
    per_tonne: Decimal  # in the sale currency
    fraction: Decimal  # of the gross

    @property
    def percent(self) -> Decimal:
        return (self.fraction * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class SaleBreakdown:
    distribution: Distribution
    vintages: list[int]
    units: int
    price_per_tonne: Decimal
    parts: list[Part]
    producers_fraction: Decimal
    floor: Decimal
    returned: dict[str, Decimal]  # PEN from earlier shares held in trust, by pool

    @property
    def returned_total(self) -> Decimal:
        return sum(self.returned.values(), Decimal("0.00"))

    @property
    def producers_percent(self) -> Decimal:
        return (self.producers_fraction * 100).quantize(Decimal("0.1"))

    @property
    def floor_percent(self) -> Decimal:
        return (self.floor * 100).quantize(Decimal("0.1"))

    @property
    def meets_floor(self) -> bool:
        return self.producers_fraction >= self.floor


def project_transparency(*, project: Project) -> list[SaleBreakdown]:
    """One breakdown per approved distribution, newest first."""
    distributions = (
        Distribution.objects.filter(project=project, status=DistributionStatus.APPROVED)
        .select_related("policy")
        .annotate(units=Sum("sales__units"))
        .order_by("-approved_at")
    )
    out = []
    for d in distributions:
        vintages = sorted(set(d.sales.values_list("sale__reservation__vintage", flat=True)))
        out.append(_breakdown(d, vintages))
    return out


def _breakdown(d: Distribution, vintages: list[int]) -> SaleBreakdown:
    pools = d.pools
    named = [(name, Decimal(v)) for name, v in pools.get("costs", {}).items()]
    named += [
        (_("Producer families"), Decimal(pools["producers"])),
        (_("Cooperative"), Decimal(pools["cooperative"])),
        (_("Community fund"), Decimal(pools["community_fund"])),
        (_("Project operator (NGO)"), Decimal(pools["operator"])),
    ]
    units = d.units or 1
    parts = [
        Part(label, (pen / d.rate_to_pen / units).quantize(TWO), _share(pen, d.gross_pen))
        for label, pen in named
    ]
    return SaleBreakdown(
        distribution=d, vintages=vintages, units=units,
        price_per_tonne=(d.gross / units).quantize(TWO),
        parts=parts, producers_fraction=_share(Decimal(pools["producers"]), d.gross_pen),
        floor=d.policy.floor,
        returned={k: Decimal(v) for k, v in pools.get("returned_from_trust", {}).items()},
    )  # fmt: skip


def _share(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole).quantize(Decimal("0.0001")) if whole else Decimal(0)


def project_buffers(*, project: Project) -> list[IssuanceBuffer]:
    """What each issuance of the project withheld to the buffer pool, newest first."""
    return issuance_buffers(project_id=project.pk)
