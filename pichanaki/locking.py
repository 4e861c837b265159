"""Row locks for ledger-grade operations: lock → re-read → check → write.

`lock_rows` takes SELECT ... FOR UPDATE on the rows of a queryset in primary-key order (so two
callers locking overlapping sets cannot deadlock), inside the caller's transaction, with a
bounded wait: `SET LOCAL lock_timeout` on PostgreSQL, and a lock wait that times out is raised
as `LockTimeout` (the credits app turns it into `CreditsBusy`). SQLite/SpatiaLite has no row
locks; there the database serialises writers and `select_for_update` is a no-op.

`settings.CREDITS_LOCKING_ENABLED = False` turns locking off. It exists only for the
concurrency tests' control case, which must show the race that the locks prevent.
"""

from collections.abc import Sequence
from typing import TypeVar

from django.conf import settings
from django.db import OperationalError, connection, models
from django.db.models import QuerySet

LOCK_TIMEOUT_MS = 3000
Row = TypeVar("Row", bound=models.Model)


class LockTimeout(Exception):
    """A lock could not be taken within the timeout: another transaction holds it."""


def locking_enabled() -> bool:
    return getattr(settings, "CREDITS_LOCKING_ENABLED", True)


def lock_rows(queryset: QuerySet[Row], *, timeout_ms: int = LOCK_TIMEOUT_MS) -> Sequence[Row]:
    """Lock and return the rows of `queryset`, in primary-key order, until the transaction ends.

    Must run inside `transaction.atomic()`: a lock outside a transaction would be released at
    once and protect nothing.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_rows() must be called inside transaction.atomic()")
    ordered = queryset.order_by("pk")
    if not locking_enabled():
        return list(ordered)
    if connection.vendor == "postgresql":
        # SET LOCAL: the timeout ends with this transaction and never leaks to the connection.
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{int(timeout_ms)}ms'")  # noqa: S608 (an int)
    try:
        return list(ordered.select_for_update(of=("self",)))
    except OperationalError as exc:
        if _is_lock_timeout(exc):
            raise LockTimeout(str(exc)) from exc
        raise


def _is_lock_timeout(exc: OperationalError) -> bool:
    # psycopg: SQLSTATE 55P03 lock_not_available.
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "55P03" or "lock timeout" in str(exc)
