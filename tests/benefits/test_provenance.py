"""Provenance per sold serial block: each family's parcels' pro-rata part of every block its
line shared, adding up to the block across families and to the line's units across blocks."""

from decimal import Decimal

import pytest

from benefits import services
from benefits.provenance import block_parts
from credits.selectors import sold_blocks

pytestmark = pytest.mark.django_db


def test_every_sold_block_is_traced_to_the_parcels_that_earned_it(sold):
    d = services.create_distribution(project=sold.project, actor=sold.ledger.personas.manager_a)
    codes = {p.pk: p.code for p in sold.ledger.parcels}
    parts_by_line = {line.pk: block_parts(line, codes) for line in d.lines.all()}
    blocks = sold_blocks(sale_ids=[s.pk for s in sold.sales])
    cent = Decimal("0.01")
    for block in blocks:
        earned = [
            t for parts in parts_by_line.values() for b in parts if b.serial == block.serial
            for t in b.parcels.values()
        ]  # fmt: skip
        assert abs(sum(earned) - block.quantity) <= cent * len(earned)
    for line in d.lines.all():
        parts = parts_by_line[line.pk]
        assert {b.serial for b in parts} <= {b.serial for b in blocks}
        assert abs(sum(b.tonnes for b in parts) - line.units) <= 1  # whole units per issuance
        named = {code for b in parts for code in b.parcels}
        assert named == {p["parcel"] for p in line.provenance}
