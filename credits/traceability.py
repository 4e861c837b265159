"""Reads that trace credits back to the field for benefit sharing and the registry: what each
issuance withheld to the buffer (and why), the reversals that name parcels, and the weights that
trace a sold block pro rata to the parcels of its issuance."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Sum

from credits.choices import EventKind
from credits.models import Issuance, IssuanceContribution, LedgerEvent, Reversal, SerialBlock
from credits.selectors import IssuanceShare, contributions_for
from smallholders.selectors import AnyUser


@dataclass(frozen=True)
class IssuanceBuffer:
    """What one issuance withheld to the buffer pool, why, and how much losses have used.

    `rule` is the buffer fraction of the run's parameter set (e.g. Decimal("0.30")) when it
    names one; `used` the buffer units of that unit type and vintage cancelled by reversals.
    """

    issuance_id: int
    unit_type: str
    vintage: int
    issued_at: object
    issued: int
    buffer: int
    rule: Decimal | None
    parameter_version: int
    used: int

    @property
    def fraction(self) -> Decimal:
        """The buffer's part of everything the issuance created."""
        total = self.issued + self.buffer
        return (Decimal(self.buffer) / total).quantize(Decimal("0.0001")) if total else Decimal(0)

    @property
    def percent(self) -> Decimal:
        return (self.fraction * 100).quantize(Decimal("0.1"))

    @property
    def rule_percent(self) -> Decimal | None:
        return None if self.rule is None else (self.rule * 100).quantize(Decimal("0.1"))


def issuance_buffers(*, project_id: int) -> list[IssuanceBuffer]:
    """Every issuance of the project with its buffer, newest first (two queries)."""
    used: dict[tuple[str, int], int] = {}
    reversals = LedgerEvent.objects.filter(project_id=project_id, kind=EventKind.REVERSAL)
    for unit_type, vintage, quantity in reversals.values_list("unit_type", "vintage", "quantity"):
        used[(unit_type, vintage)] = used.get((unit_type, vintage), 0) + quantity
    issuances = (
        Issuance.objects.filter(project_id=project_id)
        .select_related("run__parameter_set")
        .order_by("-issued_at", "vintage")
    )
    return [
        IssuanceBuffer(
            issuance_id=i.pk,
            unit_type=i.unit_type,
            vintage=i.vintage,
            issued_at=i.issued_at,
            issued=i.quantity,
            buffer=i.buffer_quantity,
            rule=_buffer_rule(i.run.parameter_set.parameters),
            parameter_version=i.run.parameter_set.version,
            used=min(used.get((i.unit_type, i.vintage), 0), i.buffer_quantity),
        )  # fmt: skip
        for i in issuances
    ]


def _buffer_rule(parameters: object) -> Decimal | None:
    value = parameters.get("buffer_fraction") if isinstance(parameters, dict) else None
    try:
        return Decimal(str(value)) if value is not None else None
    except ArithmeticError:
        return None


@dataclass(frozen=True)
class ParcelReversal:
    """A reversal (trees lost) and the parcels it names."""

    reversal_id: int
    created_at: datetime
    reason: str
    quantity_tco2e: Decimal
    units_cancelled: int
    shortfall: int
    parcel_ids: frozenset[int]


def reversals_of_parcels(*, parcel_ids: Iterable[int]) -> list[ParcelReversal]:
    """The reversals naming any of the parcels, oldest first (two queries)."""
    through = Reversal.parcels.through.objects.filter(parcel_id__in=list(parcel_ids))
    named: dict[int, set[int]] = {}
    for reversal_id, parcel_id in through.values_list("reversal_id", "parcel_id"):
        named.setdefault(reversal_id, set()).add(parcel_id)
    rows = Reversal.objects.filter(pk__in=named).order_by("created_at", "pk")
    return [
        ParcelReversal(
            r.pk,
            r.created_at,
            r.reason,
            r.quantity_tco2e,
            r.units_cancelled,
            r.shortfall,
            frozenset(named[r.pk]),
        )  # fmt: skip
        for r in rows
    ]


def issuance_weights(
    *, issuance_ids: Iterable[int], smallholder_id: int
) -> tuple[dict[int, int], list[IssuanceShare]]:
    """The total weight (issued + buffer units) of each issuance, and the smallholder's parcels'
    shares in them: what a block of the issuance owes each parcel, pro rata (two queries)."""
    ids = list(issuance_ids)
    totals = dict(
        IssuanceContribution.objects.filter(issuance_id__in=ids)
        .values("issuance_id")
        .annotate(w=Sum("units") + Sum("buffer_units"))
        .values_list("issuance_id", "w")
    )
    own = IssuanceContribution.objects.filter(issuance_id__in=ids, smallholder_id=smallholder_id)
    shares = [
        IssuanceShare(issuance, parcel, smallholder_id, units + buffer)
        for issuance, parcel, units, buffer in own.order_by("issuance_id", "parcel_id").values_list(
            "issuance_id", "parcel_id", "units", "buffer_units"
        )
    ]
    return totals, shares


@dataclass(frozen=True)
class SoldContributions:
    """What a set of sales drew on, set-wise (sale → blocks → issuance → contributions).

    `sold`: (issuance, sale, units) — the units each sale took from each issuance, summed in SQL.
    `contributions`: (issuance, parcel, smallholder, weight = issued + buffer units) of every
    parcel of those issuances, by issuance then parcel: plain tuples, as a large distribution
    reads tens of thousands of them.
    """

    sold: list[tuple[int, int, int]]
    contributions: list[tuple[int, int, int, int]]


def sold_contributions(*, sale_ids: Sequence[int]) -> SoldContributions:
    """Two queries, whatever the number of sales, blocks and parcels."""
    blocks = SerialBlock.objects.filter(created_event__sale__in=list(sale_ids)).order_by()
    sold = blocks.values("issuance_id", "created_event__sale").annotate(n=Sum("quantity"))
    contributions = (
        IssuanceContribution.objects.filter(issuance_id__in=blocks.values("issuance_id"))
        .order_by("issuance_id", "parcel_id")
        .values_list("issuance_id", "parcel_id", "smallholder_id", "units", "buffer_units")
    )
    return SoldContributions(
        sold=list(sold.values_list("issuance_id", "created_event__sale", "n")),
        # the weight added here: an SQL sum would cost a converter call per row
        contributions=[(i, p, h, units + buffer) for i, p, h, units, buffer in contributions],
    )


@dataclass(frozen=True)
class IssuanceContributions:
    """An issuance's contributions as its page shows them, a bounded number of rows however
    many parcels it drew on: totals per cooperative (every row counted) and the largest parcels."""

    cooperatives: list[dict]  # {"name", "parcels", "tonnes"}, largest first
    largest: list[IssuanceContribution]  # with `tonnes` (units + buffer units)
    parcels: int


def issuance_contributions(
    *, user: AnyUser, issuance_id: int, largest: int
) -> IssuanceContributions:
    """Two queries: the totals per cooperative, then the `largest` parcels (by tonnes)."""
    rows = contributions_for(user=user).filter(issuance_id=issuance_id)
    tonnes = F("units") + F("buffer_units")
    cooperatives = [
        {"name": row["smallholder__cooperative__name"], **row}
        for row in rows.values("smallholder__cooperative__name")
        .annotate(parcels=Count("parcel_id"), tonnes=Sum(tonnes))
        .order_by("-tonnes", "smallholder__cooperative__name")
    ]
    top = (
        rows.select_related("parcel", "smallholder__cooperative")
        .defer("parcel__boundary")
        .annotate(tonnes=tonnes)
        .order_by("-tonnes", "parcel_id")
    )
    return IssuanceContributions(
        cooperatives=cooperatives,
        largest=list(top[:largest]),
        parcels=sum(row["parcels"] for row in cooperatives),
    )
