"""The scheduled check of every hash-chained ledger (Celery beat, `credits.check_ledgers`)."""

import logging
from datetime import datetime

from django.utils import timezone, translation

from credits.choices import ChainProblem
from credits.models import LedgerCheck
from pichanaki.ledgers import SHORTER, ChainCheck, ChainedLedger, chained_ledgers, check_chain
from smallholders.models import Project

logger = logging.getLogger(__name__)


def check_ledgers() -> list[LedgerCheck]:
    """Check every chained ledger of every project and record each result as a `LedgerCheck`.

    Each chain is re-hashed from one snapshot (`pichanaki.ledgers.check_chain`, the code of
    `verify_ledger`) and compared to the head that the last intact check recorded for that
    ledger and project: a chain that shrank or was rewritten since is a break, as is an edited,
    deleted or inserted event. A project checked before is checked again even when its whole
    chain has gone. Logs ERROR naming the ledger, the project and the event on a break, INFO
    with the head otherwise (logs kept off the machine are kept heads too).
    Locks: none (appends go on meanwhile). Writes one row per ledger and project.
    """
    checked_at = timezone.now()
    return [
        check_ledger(ledger=ledger, project=project, checked_at=checked_at)
        for ledger in chained_ledgers()
        for project in _projects(ledger)
    ]


def _projects(ledger: ChainedLedger) -> list[Project]:
    recorded = LedgerCheck.objects.filter(ledger=ledger.key).values_list("project_id", flat=True)
    ids = set(ledger.project_ids()) | set(recorded.distinct())
    return list(Project.objects.filter(pk__in=ids).only("pk", "code").order_by("code"))


def check_ledger(*, ledger: ChainedLedger, project: Project, checked_at: datetime) -> LedgerCheck:
    """Check one project's chain in `ledger` against its last intact recorded head; record
    and log the result (see `check_ledgers`)."""
    last = (
        LedgerCheck.objects.filter(ledger=ledger.key, project=project, problem="")
        .order_by("-checked_at", "-pk")
        .values_list("length", "head_hash")
        .first()
    )
    checked = check_chain(ledger, project_id=project.pk, kept=last)
    # One INSERT, committed on its own: the check read its snapshot in its own transaction,
    # and each project's result is kept even if a later project's check fails.
    record = LedgerCheck.objects.create(
        checked_at=checked_at,
        ledger=ledger.key,
        project=project,
        length=checked.length,
        head_hash=checked.head_hash,
        compared_length=last[0] if last else None,
        compared_hash=last[1] if last else "",
        **_problem(checked),
    )
    _log(record, project=project)
    return record


def _problem(checked: ChainCheck) -> dict[str, object]:
    if checked.broken is not None:
        return {
            "problem": ChainProblem(checked.broken.reason),
            "position": checked.broken.position,
            "event_id": checked.broken.key,
        }
    if checked.kept is not None and not checked.intact:
        shorter = checked.kept.outcome == SHORTER
        return {
            "problem": ChainProblem.SHORTER if shorter else ChainProblem.REWRITTEN,
            "position": checked.kept.position,
            "found_hash": "" if shorter else checked.kept.found or "",
        }
    return {}


def _log(record: LedgerCheck, *, project: Project) -> None:
    if record.intact:
        logger.info(
            "ledger check: %s, %s: %s events, head %s: intact",
            record.ledger,
            project.code,
            record.length,
            record.head_hash,
        )
        return
    with translation.override("en"):  # one language in the log, whatever the worker's
        where = record.describe()
    logger.error("ledger check: %s, %s: broken: %s", record.ledger, project.code, where)
