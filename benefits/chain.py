"""The hash chain of each project's payment events (the maths is `pichanaki.hashchain`).

`append_payment_events` is the only way a payment event is written: it locks the project's
`PaymentChainHead`, links the events to the head one after the other (a bulk append is the
same chain as single appends in that order) and moves the head, inside the payment
operation's transaction. `verify_payment_chain` re-reads a project's events in chain order and
names the first one edited, deleted or inserted behind the append-only trigger's back.
"""

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal

from benefits.exceptions import BenefitsBusy
from benefits.models import PaymentChainHead, PaymentEvent
from pichanaki.hashchain import GENESIS, Break, Link, first_break, link_hash
from pichanaki.locking import LockTimeout, lock_rows

# The event fields the hash covers: everything but the surrogate id and the chain columns.
CONTENT_FIELDS = (
    "sequence",
    "project_id",
    "line_id",
    "status",
    "amount",
    "currency",
    "method",
    "reference",
    "paid_on",
    "reason",
    "actor_id",
    "batch",
    "created_at",
)
CENT = Decimal("0.01")


def event_content(values: Mapping) -> dict:
    """The hashed content of an event, from its field values (a `values()` row or an
    instance's `vars()`). The amount is taken to the cent, as the column stores it."""
    content = {name: values[name] for name in CONTENT_FIELDS}
    content["amount"] = Decimal(content["amount"]).quantize(CENT)
    return content


def append_payment_events(*, project_id: int, events: Sequence[PaymentEvent]) -> list[PaymentEvent]:
    """Write `events` (unsaved, in this order) at the head of the project's payment chain.

    Call it inside the payment operation's transaction, after the operation's own locks (lock
    order: distribution, lines or holds, then the chain head), so that the events and the
    writes they record commit together.
    """
    if not events:
        return []
    head = _lock_head(project_id)
    length, previous = head.length, head.head_hash
    for event in events:
        length += 1
        event.project_id, event.sequence = project_id, length
        event.amount = Decimal(event.amount).quantize(CENT)
        event.previous_hash = previous
        event.chain_hash = previous = link_hash(event_content(vars(event)), previous)
    created = PaymentEvent.objects.bulk_create(events)
    PaymentChainHead.objects.filter(pk=head.pk).update(length=length, head_hash=previous)
    return created


def _lock_head(project_id: int) -> PaymentChainHead:
    # The head row is the project's payment chain lock: held to the end of the transaction, it
    # makes two payment operations on one project append one after the other (no fork).
    try:
        heads = lock_rows(PaymentChainHead.objects.filter(project_id=project_id))
        if not heads:
            # The project's first event: create the head. ignore_conflicts: if a concurrent
            # first append created it, this waits for that one and then locks the same row.
            PaymentChainHead.objects.bulk_create(
                [PaymentChainHead(project_id=project_id)], ignore_conflicts=True
            )
            heads = lock_rows(PaymentChainHead.objects.filter(project_id=project_id))
    except LockTimeout as exc:
        raise BenefitsBusy() from exc
    return heads[0]


def _links(project_id: int) -> Iterator[Link]:
    rows = (
        PaymentEvent.objects.filter(project_id=project_id)
        .order_by("sequence", "pk")
        .values("pk", "previous_hash", "chain_hash", *CONTENT_FIELDS)
    )
    for row in rows.iterator(chunk_size=2000):
        yield Link(
            key=row["pk"],
            position=row["sequence"],
            content=event_content(row),
            previous=row["previous_hash"],
            digest=row["chain_hash"],
        )


def payment_head(project_id: int) -> tuple[int, str]:
    """The published head of the project's payment chain: (length, hash of the last event)."""
    head = PaymentChainHead.objects.filter(project_id=project_id).first()
    return (head.length, head.head_hash) if head else (0, GENESIS)


def verify_payment_chain(project_id: int) -> Break | None:
    """The first break in the project's payment event chain, or None when every event is
    intact and the chain ends at the head."""
    length, head_hash = payment_head(project_id)
    return first_break(_links(project_id), head_length=length, head_hash=head_hash)


def payment_chain_projects() -> list[int]:
    """The projects that have a payment chain (events or a head)."""
    with_events = PaymentEvent.objects.order_by().values_list("project_id", flat=True).distinct()
    with_head = PaymentChainHead.objects.values_list("project_id", flat=True)
    return sorted(set(with_events) | set(with_head))
