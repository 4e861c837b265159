"""The hash chain of each project's credit ledger events (the maths is `pichanaki.hashchain`).

`append_event` is the only way an event is written: it locks the project's `LedgerChainHead`,
links the event to the head and moves the head, inside the ledger operation's transaction.
`verify_chain` re-reads a project's events in chain order and names the first one that was
edited, deleted or inserted behind the append-only trigger's back.
"""

from collections.abc import Iterator, Mapping

from django.utils.translation import gettext as _

from credits.exceptions import CreditsBusy
from credits.models import LedgerChainHead, LedgerEvent
from pichanaki.hashchain import (
    CONTENT,
    DUPLICATE,
    GENESIS,
    HEAD,
    MISSING,
    PREVIOUS,
    Break,
    Link,
    first_break,
    link_hash,
)
from pichanaki.locking import LockTimeout, lock_rows

# The event fields the hash covers: everything but the surrogate id and the chain columns.
CONTENT_FIELDS = (
    "sequence",
    "kind",
    "project_id",
    "unit_type",
    "vintage",
    "quantity",
    "from_account_id",
    "to_account_id",
    "serials",
    "actor_id",
    "actor_label",
    "reason",
    "reference",
    "created_at",
)


def event_content(values: Mapping) -> dict:
    """The hashed content of an event, from its field values (a `values()` row or the
    keyword arguments of an append)."""
    return {name: values[name] for name in CONTENT_FIELDS}


def append_event(**fields: object) -> LedgerEvent:
    """Write a ledger event at the head of its project's chain. Call it inside the ledger
    operation's transaction, after the operation's CreditVintage locks (lock order: vintages,
    then the chain head), so that the event and the writes it records commit together."""
    head = _lock_head(int(fields["project_id"]))
    sequence = head.length + 1
    digest = link_hash(event_content({**fields, "sequence": sequence}), head.head_hash)
    event = LedgerEvent.objects.create(
        **fields, sequence=sequence, previous_hash=head.head_hash, chain_hash=digest
    )
    LedgerChainHead.objects.filter(pk=head.pk).update(length=sequence, head_hash=digest)
    return event


def _lock_head(project_id: int) -> LedgerChainHead:
    # The head row is the project's chain lock: held to the end of the transaction, it makes
    # two operations on one project append one after the other (no fork of the chain).
    try:
        heads = lock_rows(LedgerChainHead.objects.filter(project_id=project_id))
        if not heads:
            # The project's first event: create the head. ignore_conflicts: if a concurrent
            # first append created it, this waits for that one and then locks the same row.
            LedgerChainHead.objects.bulk_create(
                [LedgerChainHead(project_id=project_id)], ignore_conflicts=True
            )
            heads = lock_rows(LedgerChainHead.objects.filter(project_id=project_id))
    except LockTimeout as exc:
        raise CreditsBusy() from exc
    return heads[0]


def _links(project_id: int) -> Iterator[Link]:
    rows = (
        LedgerEvent.objects.filter(project_id=project_id)
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


def chain_head(project_id: int) -> tuple[int, str]:
    """The published head of the project's chain: (length, hash of the last event)."""
    head = LedgerChainHead.objects.filter(project_id=project_id).first()
    return (head.length, head.head_hash) if head else (0, GENESIS)


def chain_projects() -> list[int]:
    """The projects that have a chain (events or a head)."""
    with_events = LedgerEvent.objects.order_by().values_list("project_id", flat=True).distinct()
    with_head = LedgerChainHead.objects.values_list("project_id", flat=True)
    return sorted(set(with_events) | set(with_head))


def verify_chain(project_id: int) -> Break | None:
    """The first break in the project's event chain, or None when every event is intact and
    the chain ends at the head."""
    length, head_hash = chain_head(project_id)
    return first_break(_links(project_id), head_length=length, head_hash=head_hash)


def describe_break(found: Break) -> str:
    """What is wrong, in words, naming the event."""
    reasons = {
        MISSING: _("the events before it in the chain are missing (deleted?)"),
        DUPLICATE: _("it takes a place already taken in the chain (inserted?)"),
        PREVIOUS: _("it does not point to the previous event's hash (inserted or deleted?)"),
        CONTENT: _("its content does not match its hash (edited)"),
    }
    if found.reason == HEAD:
        return _(
            "its end: the events stop at position %(position)s, which is not the published head "
            "(events cut off the end, or added without moving the head)"
        ) % {"position": found.position - 1}
    return _("event #%(event)s (position %(position)s): %(reason)s") % {
        "event": found.key,
        "position": found.position,
        "reason": reasons[found.reason],
    }
