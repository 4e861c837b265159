"""`ledger_operation`: the transaction every ledger service runs in, stated once.

Alone, a ledger service is the outermost, durable transaction: its locks, checks, blocks and
events commit together or not at all, and no caller can wrap it in a longer transaction that
would hold its locks. The API's idempotency layer is the one caller that must: it stores the
response in the same transaction as the write. It calls `service.within_transaction(...)`,
which runs the same body inside the caller's transaction and refuses to run outside one.
"""

from collections.abc import Callable
from functools import wraps
from typing import Generic, ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")


class LedgerOperation(Generic[P, R]):
    """A ledger service: call it for its own durable transaction (see the module)."""

    def __init__(self, body: Callable[P, R]) -> None:
        wraps(body)(self)
        self._body = body

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        # Outermost and durable: the lock → check → write → event sequence commits as one.
        with transaction.atomic(durable=True):
            return self._body(*args, **kwargs)

    def within_transaction(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """The same operation inside the caller's transaction, which must be open."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(f"{self._body.__name__} must run inside the caller's transaction")
        return self._body(*args, **kwargs)


def ledger_operation(body: Callable[P, R]) -> LedgerOperation[P, R]:
    return LedgerOperation(body)
