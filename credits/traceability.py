"""Reads that trace credits back to the field for benefit sharing and the registry: what each
issuance withheld to the buffer (and why), the reversals that name parcels, the weights that
trace a sold block pro rata to the parcels of its issuance, and a block's own split among them
(computed in SQL, so a block's page reads only the rows it shows)."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection
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


@dataclass(frozen=True)
class BlockShare:
    """A parcel's whole units of a serial block (largest remainder over its issuance)."""

    parcel_id: int
    parcel_code: str
    smallholder: str
    cooperative: str
    weight: int  # the parcel's issued + buffer units in the issuance
    units: int


@dataclass(frozen=True)
class BlockProvenance:
    """Where a block's units come from, a bounded number of rows however large its issuance:
    units per cooperative (every parcel counted) and the parcels with the largest shares."""

    cooperatives: list[dict]  # {"name", "parcels", "units"}, largest first
    largest: list[BlockShare]
    parcels: int  # parcels owed at least one unit of the block


# The block's quantity split over its issuance's contributions pro rata to their weights, in
# whole units by largest remainder: exactly `apportion(quantity, weights)` with the weights in
# parcel order (floor(q·w/W) each, then one more unit for the `q - Σ floors` largest remainders,
# ties to the lower parcel id), in integer SQL so that the page reads only the rows it shows.
_SHARES = """
WITH weights AS (
    SELECT parcel_id, smallholder_id, units + buffer_units AS weight
    FROM credits_issuancecontribution WHERE issuance_id = %(issuance)s
), total AS (
    SELECT CAST(SUM(weight) AS BIGINT) AS w FROM weights
), floors AS (
    SELECT parcel_id, smallholder_id, weight, (%(quantity)s * weight) / total.w AS whole,
           %(quantity)s * weight - (%(quantity)s * weight) / total.w * total.w AS rest
    FROM weights CROSS JOIN total WHERE total.w > 0
), shares AS (
    SELECT parcel_id, smallholder_id, weight, whole + CASE
        WHEN ROW_NUMBER() OVER (ORDER BY rest DESC, parcel_id)
             <= %(quantity)s - (SELECT SUM(whole) FROM floors) THEN 1 ELSE 0 END AS units
    FROM floors
)
"""
_NAMED = """
SELECT shares.parcel_id, p.code, h.last_name, h.first_name, c.name, shares.weight, shares.units
FROM {shares} shares
JOIN parcels_parcel p ON p.id = shares.parcel_id
JOIN smallholders_smallholder h ON h.id = shares.smallholder_id
JOIN smallholders_cooperative c ON c.id = h.cooperative_id
"""
_LARGEST = "(SELECT * FROM shares WHERE units > 0 ORDER BY units DESC, weight DESC, parcel_id"
_LARGEST += " LIMIT %(limit)s)"
# One pass over the issuance's rows for both parts of the page: the units per cooperative (the
# names joined after grouping) and the largest shares (names joined to those rows only).
_PROVENANCE = f"""{_SHARES}
SELECT NULL, NULL, NULL, NULL, c.name, g.parcels, g.units FROM (
    SELECT h.cooperative_id, COUNT(*) AS parcels, CAST(SUM(shares.units) AS BIGINT) AS units
    FROM shares JOIN smallholders_smallholder h ON h.id = shares.smallholder_id
    WHERE shares.units > 0 GROUP BY h.cooperative_id
) g JOIN smallholders_cooperative c ON c.id = g.cooperative_id
UNION ALL
{_NAMED.format(shares=_LARGEST)}
"""  # noqa: S608 (our constants only; the values are parameters)
_EVERY_SHARE = f"""{_SHARES}
{_NAMED.format(shares="shares")}
WHERE shares.units > 0 ORDER BY p.code, shares.parcel_id
"""  # noqa: S608 (our constants only; the values are parameters)


def block_provenance(*, block: SerialBlock, largest: int) -> BlockProvenance:
    """One query returning a bounded number of rows: the units per cooperative, and the
    `largest` parcel shares (largest first, as the weights are: the split is monotone)."""
    params = {"issuance": block.issuance_id, "quantity": block.quantity, "limit": largest}
    with connection.cursor() as cursor:
        cursor.execute(_PROVENANCE, params)
        rows = cursor.fetchall()
    cooperatives = [
        {"name": name, "parcels": int(parcels), "units": int(units)}
        for parcel_id, _code, _last, _first, name, parcels, units in rows
        if parcel_id is None
    ]
    shares = [_share(row) for row in rows if row[0] is not None]
    return BlockProvenance(
        cooperatives=sorted(cooperatives, key=lambda c: (-c["units"], c["name"])),
        largest=sorted(shares, key=lambda s: (-s.units, -s.weight, s.parcel_id)),
        parcels=sum(row["parcels"] for row in cooperatives),
    )


def block_shares(*, block: SerialBlock) -> Iterator[BlockShare]:
    """Every parcel owed at least one unit of the block, by parcel code (read in chunks)."""
    params = {"issuance": block.issuance_id, "quantity": block.quantity}
    with connection.cursor() as cursor:
        cursor.execute(_EVERY_SHARE, params)
        while rows := cursor.fetchmany(2000):
            yield from (_share(row) for row in rows)


def _share(row: Sequence) -> BlockShare:
    parcel_id, code, last_name, first_name, cooperative, weight, units = row
    smallholder = f"{last_name}, {first_name}"  # as Smallholder.__str__
    return BlockShare(parcel_id, code, smallholder, cooperative, int(weight), int(units))
