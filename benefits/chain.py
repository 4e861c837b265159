"""The hash chain of each project's payment events (the maths is `pichanaki.hashchain`).

`append_payment_events` is the only way a payment event is written: it locks the project's
`PaymentChainHead`, links the events to the head one after the other (a bulk append is the
same chain as single appends in that order) and moves the head, inside the payment
operation's transaction. `verify_payment_chain` re-reads a project's events in chain order and
names the first one edited, deleted or inserted behind the append-only trigger's back.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal

from benefits.exceptions import BenefitsBusy
from benefits.models import PaymentChainHead, PaymentEvent
from pichanaki.hashchain import Break, link_hash
from pichanaki.ledgers import ChainTables
from pichanaki.locking import LockTimeout

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


TABLES = ChainTables(
    events=PaymentEvent,
    heads=PaymentChainHead,
    content_fields=CONTENT_FIELDS,
    content=event_content,
)


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
    try:
        return TABLES.lock_head(project_id)
    except LockTimeout as exc:
        raise BenefitsBusy() from exc


def payment_head(project_id: int) -> tuple[int, str]:
    """The published head of the project's payment chain: (length, hash of the last event)."""
    return TABLES.head(project_id)


def verify_payment_chain(project_id: int) -> Break | None:
    """The first break in the project's payment event chain, or None when every event is
    intact and the chain ends at the head."""
    return TABLES.verify(project_id)


def payment_chain_projects() -> list[int]:
    """The projects that have a payment chain (events or a head)."""
    return TABLES.project_ids()
