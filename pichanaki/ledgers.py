"""The hash-chained ledgers of the project, as `verify_ledger` walks them.

Each app that keeps a chained ledger registers it from its AppConfig.ready(): the credit
ledger (credits) and the payment ledger (benefits). The command lives in credits, which may not
import benefits (apps import one way), so the ledgers come to it through this list instead.
`ChainTables` is what each chained ledger shares: its head lock and the reads that verify it.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

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
