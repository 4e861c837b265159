"""Sending Celery work without orphans: the row is the message (a transactional outbox).

A service that creates work (a queued calculation run, an import job waiting for a worker)
commits the row in its waiting state; once committed, `send_after_commit` sends the row's task
and stamps the row's `dispatched_at`. When the broker does not answer, the row simply stays
waiting and unsent, and the caller gets `JobsPaused` (a 503 in the API, a message in the
admin): the request is saved and will run. `resend_waiting` (Celery beat every minute, and
every worker as it starts) sends each waiting row that was never sent, or was sent so long ago
(`DISPATCH_RESEND_AFTER` seconds) that its message is presumed lost.

Exactly once: a row is sent by whoever stamps it first (compare-and-set on `dispatched_at`),
and every task claims its row by compare-and-set too, so a duplicate message does nothing (a
send that timed out on a hung broker may still arrive after the row was sent again).
Apps declare their outboxes in an `outboxes.py` module (found like `admin.py`).
"""

import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules, import_string
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

OUTBOXES: dict[str, "Outbox"] = {}


class DispatchedRow(models.Model):
    """The outbox columns of a row that is its own task message."""

    dispatched_at = models.DateTimeField(
        _("sent to the job queue at"), null=True, blank=True, editable=False
    )
    dispatch_attempts = models.PositiveIntegerField(
        _("attempts to send to the job queue"), default=0, editable=False
    )

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Outbox:
    """Rows of `model` matching `waiting` are work for the task at dotted path `task`,
    which takes the row's primary key and does nothing unless it can claim the row."""

    name: str
    model: type[DispatchedRow]
    waiting: Q
    task: str

    def __post_init__(self) -> None:
        OUTBOXES[self.name] = self


class Sent(enum.Enum):
    SENT = "sent"
    TAKEN = "taken"  # another sender stamped the row first and sends it
    PAUSED = "paused"  # the broker did not answer: the row waits for the next sweep


class JobsPaused(Exception):
    """The work is saved but the job queue does not answer; it will run when it does."""

    message = _(
        "Background jobs are paused (the job queue does not answer). Your request is saved "
        "and will run when they resume."
    )

    def __init__(self, pk: int) -> None:
        super().__init__(str(self.message))
        self.pk = pk


@dataclass
class Sending:
    """The outcome of a send registered for after the commit (None until the commit)."""

    outbox: Outbox
    pk: int
    outcome: Sent | None = field(default=None)

    def raise_if_paused(self) -> None:
        if self.outcome is Sent.PAUSED:
            raise JobsPaused(self.pk)


def send_after_commit(outbox: Outbox, pk: int) -> Sending:
    """Send the row's task once the surrounding transaction commits (at once outside one).

    Call `raise_if_paused()` on the result after the transaction to tell the user.
    """
    sending = Sending(outbox, pk)

    def _send() -> None:
        sending.outcome = send(outbox, pk)

    # The worker must find the committed row; a rolled-back row must never be sent.
    transaction.on_commit(_send)
    return sending


def send(outbox: Outbox, pk: int, *, seen: datetime | None = None) -> Sent:
    """Stamp the row (if its stamp is still `seen`), then send its task."""
    now = timezone.now()
    rows = outbox.model._default_manager.filter(pk=pk)
    rows = rows.filter(dispatched_at=seen) if seen else rows.filter(dispatched_at__isnull=True)
    # Compare-and-set: of two senders (a request and a sweep, two sweeps) one stamps, one sends.
    if not rows.update(dispatched_at=now, dispatch_attempts=F("dispatch_attempts") + 1):
        return Sent.TAKEN
    task = import_string(outbox.task)
    try:
        task.apply_async(args=(pk,), retry=False)
    except OperationalError as exc:  # kombu's wrapper of every transport's connection error
        logger.warning("%s #%s not sent, the broker does not answer: %s", outbox.name, pk, exc)
        # Unstamped, the row is what the next sweep sends.
        outbox.model._default_manager.filter(pk=pk, dispatched_at=now).update(dispatched_at=None)
        return Sent.PAUSED
    return Sent.SENT


def unsent(outbox: Outbox, pk: int) -> bool:
    """True while the row waits with no message sent (the broker did not answer)."""
    rows = outbox.model._default_manager.filter(outbox.waiting, pk=pk, dispatched_at__isnull=True)
    return rows.exists()


def resend_waiting() -> int:
    """Send every waiting row never sent, or sent too long ago; the number sent.

    Stops at the first broker failure (the next sweep tries again).
    """
    autodiscover_modules("outboxes")
    cutoff = timezone.now() - timedelta(seconds=settings.DISPATCH_RESEND_AFTER)
    count = 0
    for outbox in OUTBOXES.values():
        unsent = Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=cutoff)
        rows = outbox.model._default_manager.filter(outbox.waiting).filter(unsent).order_by("pk")
        for pk, seen in rows.values_list("pk", "dispatched_at"):
            outcome = send(outbox, pk, seen=seen)
            if outcome is Sent.PAUSED:
                return count
            count += outcome is Sent.SENT
    if count:
        logger.info("re-sent %s waiting job(s) to the job queue", count)
    return count
