"""The hash-chained ledgers of the project, as `verify_ledger` walks them.

Each app that keeps a chained ledger registers it from its AppConfig.ready(): the credit
ledger (credits) and the payment ledger (benefits). The command lives in credits, which may not
import benefits (apps import one way), so the ledgers come to it through this list instead.
`ChainTables` is what each chained ledger shares: its head lock and the reads that verify it.

`check_chain` and `check_kept_head` are the one place a chain is checked: `verify_ledger`, the
scheduled check (`credits.services.check_ledgers`), the registry pages' "did you keep a head?"
form and its API endpoint all call them.
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils.functional import Promise

from pichanaki.hashchain import GENESIS, Break, Link, first_break
from pichanaki.locking import lock_rows


@dataclass(frozen=True)
class ChainedLedger:
    key: str  # how a kept head names the ledger ("credits:pch:70:<hash>")
    name: str | Promise  # what the ledger is called in reports ("payment ledger")
    project_ids: Callable[[], list[int]]  # the projects that have a chain in this ledger
    head: Callable[[int], tuple[int, str]]  # a project's published head: (length, hash)
    verify: Callable[[int], Break | None]  # a project's first break, None when intact
    describe: Callable[[Break], str]  # the break in words, naming the event
    hash_at: Callable[[int, int], str | None]  # a project's event hash at a position, if any


_LEDGERS: dict[str, ChainedLedger] = {}


def register_ledger(ledger: ChainedLedger) -> None:
    """Add (or, when an app is loaded again, replace) a chained ledger under its key."""
    _LEDGERS[ledger.key] = ledger


def chained_ledgers() -> list[ChainedLedger]:
    """The registered ledgers, the credit ledger first (registration order)."""
    return list(_LEDGERS.values())


@dataclass(frozen=True)
class ChainTables:
    """Where a chained ledger keeps its events (`project_id`, `sequence`, `previous_hash`,
    `chain_hash` and the hashed content fields) and each project's head (`project_id`,
    `length`, `head_hash`): the reads and the head lock every chained ledger shares."""

    events: type[Model]
    heads: type[Model]
    content_fields: tuple[str, ...]
    content: Callable[[Mapping[str, Any]], dict[str, Any]]  # a row's hashed content

    def lock_head(self, project_id: int) -> Any:
        """The project's head row, locked to the end of the transaction (created first if the
        project has none). Raises `LockTimeout` when another operation holds it too long."""
        # The head row is the project's chain lock: two operations on one project append one
        # after the other (no fork of the chain).
        heads = lock_rows(self.heads._default_manager.filter(project_id=project_id))
        if not heads:
            # The project's first event: create the head. ignore_conflicts: if a concurrent
            # first append created it, this waits for that one and then locks the same row.
            self.heads._default_manager.bulk_create(
                [self.heads(project_id=project_id)], ignore_conflicts=True
            )
            heads = lock_rows(self.heads._default_manager.filter(project_id=project_id))
        return heads[0]

    def head(self, project_id: int) -> tuple[int, str]:
        """The published head of the project's chain: (length, hash of the last event)."""
        heads = self.heads._default_manager.filter(project_id=project_id)
        found = heads.values_list("length", "head_hash").first()
        return (found[0], found[1]) if found else (0, GENESIS)

    def hash_at(self, project_id: int, position: int) -> str | None:
        """The hash of the project's event at `position`, None when there is none."""
        events = self.events._default_manager.filter(project_id=project_id, sequence=position)
        return events.values_list("chain_hash", flat=True).first()

    def project_ids(self) -> list[int]:
        """The projects that have a chain (events or a head)."""
        events = self.events._default_manager.order_by().values_list("project_id", flat=True)
        heads = self.heads._default_manager.values_list("project_id", flat=True)
        return sorted(set(events.distinct()) | set(heads))

    def links(self, project_id: int) -> Iterator[Link]:
        """The project's events in chain order, as links of `pichanaki.hashchain`."""
        rows = (
            self.events._default_manager.filter(project_id=project_id)
            .order_by("sequence", "pk")
            .values("pk", "previous_hash", "chain_hash", *self.content_fields)
        )
        for row in rows.iterator(chunk_size=2000):
            yield Link(
                key=row["pk"],
                position=row["sequence"],
                content=self.content(row),
                previous=row["previous_hash"],
                digest=row["chain_hash"],
            )

    def verify(self, project_id: int) -> Break | None:
        """The first break in the project's chain, or None when every event is intact and
        the chain ends at the head."""
        length, head_hash = self.head(project_id)
        return first_break(self.links(project_id), head_length=length, head_hash=head_hash)


def ledger_named(key: str) -> ChainedLedger | None:
    """The registered ledger with this key ("credits", "payments"), None when there is none."""
    return _LEDGERS.get(key)


# What became of a head kept earlier (`KeptHeadCheck.outcome`).
IN_CHAIN = "in_chain"  # the chain still holds that hash at that position
SHORTER = "shorter"  # the chain now ends before that position (events cut off its end)
REWRITTEN = "rewritten"  # the event at that position now has another hash, or is gone


@dataclass(frozen=True)
class KeptHeadCheck:
    """A head kept earlier (`position` events, the last hashing to `digest`) against the
    project's chain now (`length` events, head `head_hash`); `found` is the hash of the event
    at `position` now, None when there is no such event."""

    position: int
    digest: str
    length: int
    head_hash: str
    found: str | None

    @property
    def outcome(self) -> str:
        if self.position > self.length:
            return SHORTER
        return IN_CHAIN if self.found == self.digest else REWRITTEN


def check_kept_head(
    ledger: ChainedLedger, *, project_id: int, position: int, digest: str
) -> KeptHeadCheck:
    """Whether a kept head is still in the project's chain. A chain only grows, so the event
    at `position` must still have the hash `digest`: a tail cut with its head rewound, or a
    history rewritten up to that event with every later hash recomputed, pass `verify` but not
    this. Compares stored hashes only (two small reads); `check_chain` re-hashes."""
    length, head_hash = ledger.head(project_id)
    found = None
    if position <= length:
        found = GENESIS if position == 0 else ledger.hash_at(project_id, position)
    return KeptHeadCheck(position, digest, length, head_hash, found)


@dataclass(frozen=True)
class ChainCheck:
    """A project's chain re-hashed: its head, its first break (None when intact) and, when a
    head kept earlier was given, what became of it."""

    length: int
    head_hash: str
    broken: Break | None
    kept: KeptHeadCheck | None

    @property
    def intact(self) -> bool:
        return self.broken is None and (self.kept is None or self.kept.outcome == IN_CHAIN)


def check_chain(
    ledger: ChainedLedger, *, project_id: int, kept: tuple[int, str] | None = None
) -> ChainCheck:
    """Re-hash the project's chain and compare it to a kept head (`(position, hash)`), all
    from one snapshot of the tables, so that operations appending meanwhile are not a break."""
    with _snapshot():
        length, head_hash = ledger.head(project_id)
        broken = ledger.verify(project_id)
        held = None
        if kept is not None:
            held = check_kept_head(ledger, project_id=project_id, position=kept[0], digest=kept[1])
    return ChainCheck(length, head_hash, broken, held)


@contextmanager
def _snapshot() -> Iterator[None]:
    # Reading the head, then the events, in separate statements: under PostgreSQL's default
    # READ COMMITTED an append committed in between would look like events past the head. A
    # REPEATABLE READ transaction reads every statement from its first one's snapshot (and
    # READ ONLY takes no lock, so appends go on). Inside a caller's transaction (tests, a
    # command called from code) its isolation stays; SQLite's transactions are snapshots.
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
