"""Celery tasks of the credit registry: thin wrappers that call one service."""

from celery import shared_task

from credits.services import check_ledgers, release_expired_reservations


@shared_task(name="credits.release_expired_reservations", ignore_result=True)
def release_expired_reservations_task() -> int:
    """Beat (every minute): expire pending reservations whose expiry has passed."""
    return release_expired_reservations()


@shared_task(name="credits.check_ledgers", ignore_result=True)
def check_ledgers_task() -> int:
    """Beat (daily, `LEDGER_CHECK_SECONDS`): check every hash-chained ledger of every project
    and record the results for the panel; returns how many chains were broken."""
    return sum(not check.intact for check in check_ledgers())
