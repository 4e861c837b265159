"""Celery tasks of the credit registry: thin wrappers that call one service."""

from celery import shared_task

from credits.services import release_expired_reservations


@shared_task(name="credits.release_expired_reservations", ignore_result=True)
def release_expired_reservations_task() -> int:
    """Beat (every minute): expire pending reservations whose expiry has passed."""
    return release_expired_reservations()
