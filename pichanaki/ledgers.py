"""The hash-chained ledgers of the project, as `verify_ledger` walks them.

Each app that keeps a chained ledger registers it from its AppConfig.ready(): the credit
ledger (credits) and the payment ledger (benefits). The command lives in credits, which may not
import benefits (apps import one way), so the ledgers come to it through this list instead.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from pichanaki.hashchain import Break


@dataclass(frozen=True)
class ChainedLedger:
    name: str | Promise  # what the ledger is called in reports ("payment ledger")
    project_ids: Callable[[], list[int]]  # the projects that have a chain in this ledger
    head: Callable[[int], tuple[int, str]]  # a project's published head: (length, hash)
    verify: Callable[[int], Break | None]  # a project's first break, None when intact
    describe: Callable[[Break], str]  # the break in words, naming the event


_LEDGERS: dict[str, ChainedLedger] = {}


def register_ledger(key: str, ledger: ChainedLedger) -> None:
    """Add (or, when an app is loaded again, replace) a chained ledger under `key`."""
    _LEDGERS[key] = ledger


def chained_ledgers() -> list[ChainedLedger]:
    """The registered ledgers, the credit ledger first (registration order)."""
    return list(_LEDGERS.values())
