"""The registry of lock purposes: what is serialised, how, and how long a caller may wait.

Every lock in the app names one `Purpose` below; nothing locks the Project row as a catch-all
any more, so a long import no longer blocks run approvals or parcel saves of the same project.

- Named locks (`take_lock(purpose, object_id)`): on PostgreSQL a transaction-level advisory
  lock keyed by (purpose.key, object_id), released when the transaction ends. The wait is
  bounded by `lock_timeout`, set for the lock alone and then restored, so the rest of the
  transaction (e.g. an import's writes) keeps the connection's setting. On SQLite/SpatiaLite
  a no-op write takes the database's single write lock at once (the same serialisation, for
  the whole database, bounded by the driver's busy timeout).
- Row locks (`lock_rows(queryset, purpose=...)`): SELECT ... FOR UPDATE in primary-key order
  (no deadlock between overlapping sets), with a transaction-local `lock_timeout` set by the
  same statement on PostgreSQL (`bounded_wait_condition`); a no-op on SQLite, where the
  database serialises writers.
- Numbering (`create_numbered`): no lock. The next number is max + 1; a unique constraint
  refuses a number a concurrent caller took, and the caller retries with the new maximum.

A lock not had in time raises `LockTimeout`, the one exception for "busy, try again": the API
answers 409 `busy` (`pichanaki.api`), the admin shows the purpose's message on the form
(`pichanaki.admin_busy`). The ledger converts it to its own `CreditsBusy` (409 `credits_busy`).
Timeouts may be changed per purpose with `settings.LOCK_TIMEOUTS_MS = {name: ms}`.

`settings.CREDITS_LOCKING_ENABLED = False` turns row and named locks off. It exists only for
the concurrency tests' control cases, which must show the race that the locks prevent.
"""

import enum
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, models, transaction
from django.db.models import Max, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LOCK_TIMEOUT_MS = 3000
NUMBERING_ATTEMPTS = 5
Row = TypeVar("Row", bound=models.Model)


class Mechanism(enum.Enum):
    NAMED = "named"  # take_lock: an advisory lock on (purpose, id)
    ROWS = "rows"  # lock_rows: SELECT ... FOR UPDATE of the rows themselves
    NUMBERING = "numbering"  # create_numbered: a unique constraint and a retry, no lock


@dataclass(frozen=True)
class Purpose:
    name: str  # also the API's `error.lock`
    key: int  # the advisory lock's first key, unique in the registry
    mechanism: Mechanism
    timeout_ms: int
    busy_message: Promise  # shown to the person, translated

    def timeout(self) -> int:
        overrides = getattr(settings, "LOCK_TIMEOUTS_MS", {})
        return int(overrides.get(self.name, self.timeout_ms))


PURPOSES: dict[str, Purpose] = {}


def _register(purpose: Purpose) -> Purpose:
    assert purpose.name not in PURPOSES, purpose.name
    assert all(p.key != purpose.key for p in PURPOSES.values()), purpose.key
    PURPOSES[purpose.name] = purpose
    return purpose


# Saves and imports of a project's parcels: each checks the new boundary against the project's
# parcels, so two of them must not both pass the check before either writes (double claiming).
PARCEL_BOUNDARIES = _register(
    Purpose(
        "parcel_boundaries", 7101, Mechanism.NAMED, 5000,
        _("Someone else is saving or importing parcels of this project right now. "
          "Please try again in a moment."),
    )
)  # fmt: skip
# One import commit per project at a time: duplicate and cross-row checks of a file see the
# records of the import before it (and a duplicate task message waits, then finds it done).
IMPORT_COMMIT = _register(
    Purpose(
        "import_commit", 7102, Mechanism.NAMED, 5000,
        _("Another import into this project is being written right now. "
          "Please try again when it has finished."),
    )
)  # fmt: skip
# Approvals of a project's runs: the second sees the first's approved period (no two approved
# runs of one kind over the same period).
RUN_APPROVAL = _register(
    Purpose(
        "run_approval", 7103, Mechanism.NAMED, 3000,
        _("Another run of this project is being approved right now. "
          "Please try again in a moment."),
    )
)  # fmt: skip
# Version numbers of a project's parameter sets and sharing policies: no lock, see above.
PARAMETER_SET_NUMBERING = _register(
    Purpose(
        "parameter_set_numbering", 7104, Mechanism.NUMBERING, 3000,
        _("Another parameter set of this project is being saved right now. "
          "Please try again in a moment."),
    )
)  # fmt: skip
SHARING_POLICY_NUMBERING = _register(
    Purpose(
        "sharing_policy_numbering", 7105, Mechanism.NUMBERING, 3000,
        _("Another sharing policy of this project is being saved right now. "
          "Please try again in a moment."),
    )
)  # fmt: skip
# The ledger's CreditVintage rows (credits.services._core.lock_vintages): lock → re-read →
# check → write, so two operations on one vintage never oversell it.
LEDGER_VINTAGES = _register(
    Purpose(
        "ledger_vintages", 7106, Mechanism.ROWS, LOCK_TIMEOUT_MS,
        _("The credits are busy with another operation; retry."),
    )
)  # fmt: skip

GENERIC_BUSY = _("This is busy with another operation right now. Please try again in a moment.")


class LockTimeout(Exception):
    """A lock could not be taken within the timeout: another transaction holds it."""

    code = "busy"

    def __init__(self, purpose: Purpose | None = None, detail: str = "") -> None:
        self.purpose = purpose
        self.message = str(purpose.busy_message if purpose else GENERIC_BUSY)
        super().__init__(detail or self.message)


def locking_enabled() -> bool:
    return getattr(settings, "CREDITS_LOCKING_ENABLED", True)


def _require_transaction(what: str) -> None:
    # A lock outside a transaction would be released at once and protect nothing.
    if not connection.in_atomic_block:
        raise RuntimeError(f"{what} must be called inside transaction.atomic()")


def take_lock(purpose: Purpose, object_id: int) -> None:
    """Hold the named lock (purpose, object_id) until the transaction ends.

    Re-entrant within one transaction. Raises LockTimeout after `purpose.timeout()` ms.
    """
    assert purpose.mechanism is Mechanism.NAMED, purpose.name
    _require_transaction("take_lock()")
    if not locking_enabled():
        return
    try:
        with connection.cursor() as cursor, _bounded_wait(cursor, purpose.timeout()):
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [purpose.key, _int4(object_id)]
                )
            else:  # SQLite: any write takes the database's write lock until the commit
                cursor.execute("UPDATE django_migrations SET id = id WHERE 0")
    except OperationalError as exc:
        if _is_busy(exc):
            raise LockTimeout(purpose, str(exc)) from exc
        raise


def lock_rows(
    queryset: QuerySet[Row], *, purpose: Purpose | None = None, timeout_ms: int | None = None
) -> Sequence[Row]:
    """Lock and return the rows of `queryset`, in primary-key order, until the transaction ends."""
    _require_transaction("lock_rows()")
    ordered = queryset.order_by("pk")
    if not locking_enabled():
        return list(ordered)
    if timeout_ms is None:
        timeout_ms = purpose.timeout() if purpose else LOCK_TIMEOUT_MS
    if connection.vendor == "postgresql":
        ordered = ordered.filter(bounded_wait_condition(timeout_ms))
    try:
        return list(ordered.select_for_update(of=("self",)))
    except OperationalError as exc:
        if is_lock_timeout(exc):
            raise LockTimeout(purpose, str(exc)) from exc
        raise


def bounded_wait_condition(timeout_ms: int) -> RawSQL:
    """A WHERE condition that sets `lock_timeout` for the rest of the transaction (SET LOCAL).

    Part of the locking statement itself: a scan's conditions run before the row locks of its
    results are waited for, so the wait is bounded, and no separate round trip is made while
    other writers may be waiting for this transaction's earlier locks. PostgreSQL only.
    """
    return RawSQL(
        "set_config('lock_timeout', %s, true) IS NOT NULL",
        [f"{int(timeout_ms)}ms"],
        output_field=models.BooleanField(),
    )


def create_numbered(
    queryset: QuerySet[Row], *, field: str, purpose: Purpose, build: Callable[[int], Row]
) -> Row:
    """Save `build(n)` with n = the largest `field` of `queryset` + 1, and return it.

    No lock: the unique constraint on the number refuses one that a concurrent caller took,
    and the next attempt reads the new maximum. An insert waits (bounded) only for a concurrent
    insert of the same number to commit or roll back. Raises LockTimeout if that wait, or
    NUMBERING_ATTEMPTS attempts, do not succeed.
    """
    assert purpose.mechanism is Mechanism.NUMBERING, purpose.name
    for _attempt in range(NUMBERING_ATTEMPTS):
        number = (queryset.aggregate(n=Max(field))["n"] or 0) + 1
        try:
            # A savepoint: a refused number rolls back only this attempt.
            with transaction.atomic(), connection.cursor() as cursor:
                with _bounded_wait(cursor, purpose.timeout()):
                    row = build(number)
                    row.save()
                return row
        except IntegrityError:
            if not queryset.filter(**{field: number}).exists():
                raise  # another constraint refused the row: not a race for the number
        except OperationalError as exc:
            if _is_busy(exc):
                raise LockTimeout(purpose, str(exc)) from exc
            raise
    raise LockTimeout(purpose, f"no free number after {NUMBERING_ATTEMPTS} attempts")


@contextmanager
def _bounded_wait(cursor, timeout_ms: int) -> Iterator[None]:
    """PostgreSQL's lock_timeout for the statements inside, then the previous value again."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SELECT current_setting('lock_timeout')")
    previous = cursor.fetchone()[0]
    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(timeout_ms)}ms"])
    yield
    # Not reached after a timeout: the transaction is then aborted and ends anyway.
    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])


def _int4(object_id: int) -> int:
    # The two-key advisory lock takes int4 keys: wrap larger ids (two ids sharing a key only
    # serialise more, never less).
    return (int(object_id) + 2**31) % 2**32 - 2**31


def is_lock_timeout(exc: OperationalError) -> bool:
    """PostgreSQL refused to wait longer for a lock (lock_timeout)."""
    # psycopg: SQLSTATE 55P03 lock_not_available.
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "55P03" or "lock timeout" in str(exc)


def _is_busy(exc: OperationalError) -> bool:
    # ... or SQLite's busy timeout ran out while waiting for the database's write lock.
    return is_lock_timeout(exc) or "database is locked" in str(exc)
