"""The ledger's conservation laws, asserted after every operation in the tests.

1. Per project, unit type and vintage: issued = available + reserved + held + buffer + retired
   + cancelled, both in the CreditVintage counters and recomputed from the live blocks.
2. The live blocks of one project, unit type and vintage never overlap, and together with
   nothing else cover exactly serials 1..issued.
3. No counter is negative (the columns are unsigned; checked anyway).
4. Every block was created by an event and every superseded block names the event that ended
   it; events and blocks are written in the same transaction (the FK makes it structural, and
   the block's created_at equals its event's).
"""

from collections import defaultdict

from credits.choices import AccountKind, BlockState
from credits.models import CreditVintage, SerialBlock

BUCKET_OF = {
    (AccountKind.ISSUANCE, BlockState.ACTIVE): "available",
    (AccountKind.BUYER, BlockState.ACTIVE): "held",
    (AccountKind.BUFFER, BlockState.ACTIVE): "buffer",
}
BUCKETS = ("available", "reserved", "held", "buffer", "retired", "cancelled")


def _bucket(kind: str, state: str) -> str:
    if state in (BlockState.RESERVED, BlockState.RETIRED, BlockState.CANCELLED):
        return str(state)
    return BUCKET_OF[(kind, state)]


def block_totals() -> dict[tuple, dict[str, int]]:
    totals: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(BUCKETS, 0))
    live = SerialBlock.objects.exclude(state=BlockState.SUPERSEDED).select_related("account")
    for block in live:
        key = (block.project_id, block.unit_type, block.vintage)
        totals[key][_bucket(block.account.kind, block.state)] += block.quantity
    return totals


def assert_ledger_invariants() -> None:
    totals = block_totals()
    rows = {(r.project_id, r.unit_type, r.vintage): r for r in CreditVintage.objects.all()}
    assert set(totals) <= set(rows), f"blocks without a vintage row: {set(totals) - set(rows)}"
    for key, row in rows.items():
        counters = {b: getattr(row, b) for b in BUCKETS}
        assert all(v >= 0 for v in counters.values()), f"{key}: negative balance {counters}"
        assert row.issued == sum(counters.values()), f"{key}: issued {row.issued} ≠ {counters}"
        assert totals[key] == counters, f"{key}: blocks {dict(totals[key])} ≠ counters {counters}"
        _assert_tiling(key, row.issued)
    _assert_events()


def _assert_tiling(key: tuple, issued: int) -> None:
    ranges = sorted(
        SerialBlock.objects.filter(project_id=key[0], unit_type=key[1], vintage=key[2])
        .exclude(state=BlockState.SUPERSEDED)
        .values_list("serial_start", "serial_end")
    )
    expected = 1
    for start, end in ranges:
        assert start == expected, f"{key}: gap or overlap at serial {start} (expected {expected})"
        expected = end + 1
    assert expected - 1 == issued, f"{key}: live blocks cover 1..{expected - 1}, issued {issued}"


def _assert_events() -> None:
    for block in SerialBlock.objects.select_related("created_event", "superseded_event"):
        assert block.created_at == block.created_event.created_at, f"block {block.pk}: event time"
        if block.state == BlockState.SUPERSEDED:
            assert block.superseded_event is not None, f"block {block.pk}: no ending event"
            assert block.superseded_event.created_at >= block.created_at
