"""The hash chain of each project's credit ledger events (the maths is `pichanaki.hashchain`).

`append_event` is the only way an event is written: it locks the project's `LedgerChainHead`,
links the event to the head and moves the head, inside the ledger operation's transaction.
`verify_chain` re-reads a project's events in chain order and names the first one that was
edited, deleted or inserted behind the append-only trigger's back.
"""

from collections.abc import Mapping

from django.utils.translation import gettext as _

from credits.exceptions import CreditsBusy
from credits.models import LedgerChainHead, LedgerEvent
from pichanaki.hashchain import CONTENT, DUPLICATE, HEAD, MISSING, PREVIOUS, Break, link_hash
from pichanaki.ledgers import ChainTables
from pichanaki.locking import LockTimeout

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


TABLES = ChainTables(
    events=LedgerEvent,
    heads=LedgerChainHead,
    content_fields=CONTENT_FIELDS,
    content=event_content,
)


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
    try:
        return TABLES.lock_head(project_id)
    except LockTimeout as exc:
        raise CreditsBusy() from exc


def chain_head(project_id: int) -> tuple[int, str]:
    """The published head of the project's chain: (length, hash of the last event)."""
    return TABLES.head(project_id)


def chain_projects() -> list[int]:
    """The projects that have a chain (events or a head)."""
    return TABLES.project_ids()


def verify_chain(project_id: int) -> Break | None:
    """The first break in the project's event chain, or None when every event is intact and
    the chain ends at the head."""
    return TABLES.verify(project_id)


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
