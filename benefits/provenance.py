"""Provenance per sold serial block: which of a family's parcels earned how much of it.

Within an issuance the units are interchangeable: the ledger records which parcels contributed
to an issuance (`IssuanceContribution`), not which serial came from which tree. So a sold block
is traced, as far as the data model allows, pro rata: each parcel earned (its weight in the
issuance / the issuance's total weight) × the block's units. The parts of every parcel of an
issuance add up to the block; a family's parts over its line's blocks add up, within rounding,
to the units on its line (which are whole, by largest remainder per issuance).
"""

from dataclasses import dataclass
from decimal import Decimal

from benefits.models import DistributionLine
from credits.selectors import sold_blocks
from credits.traceability import issuance_weights

TONNE = Decimal("0.01")


@dataclass(frozen=True)
class BlockPart:
    """A block a family's line shared, and the tonnes of it each of the family's parcels earned."""

    serial: str
    sale_id: int
    quantity: int  # the block's units
    parcels: dict[str, Decimal]  # parcel code → tonnes of this block it earned (0.01 t)

    @property
    def tonnes(self) -> Decimal:
        return sum(self.parcels.values(), Decimal(0))


def block_parts(line: DistributionLine, codes: dict[int, str]) -> list[BlockPart]:
    """The sold blocks behind a line (its distribution's sales, of issuances its family
    contributed to), each with the family's parcels' pro-rata part. `codes`: parcel id → code."""
    sale_ids = list(line.distribution.sales.values_list("sale_id", flat=True))
    blocks = sold_blocks(sale_ids=sale_ids)
    totals, shares = issuance_weights(
        issuance_ids={b.issuance_id for b in blocks}, smallholder_id=line.smallholder_id
    )
    by_issuance: dict[int, list] = {}
    for share in shares:
        by_issuance.setdefault(share.issuance_id, []).append(share)
    out = []
    for block in blocks:
        own, total = by_issuance.get(block.issuance_id), totals.get(block.issuance_id)
        if not own or not total:
            continue
        parcels = {
            codes.get(s.parcel_id, str(s.parcel_id)): (
                Decimal(block.quantity) * s.weight / total
            ).quantize(TONNE)
            for s in own
        }
        out.append(BlockPart(block.serial, block.sale_id, block.quantity, parcels))
    return out
