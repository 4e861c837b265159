"""Celery tasks of the back-office: thin wrappers calling one service."""

from celery import shared_task
from django.utils.dateparse import parse_datetime

from backoffice import services


@shared_task(name="backoffice.refresh_panel_rollups", acks_late=True)
def refresh_panel_rollups_task(project_id: int, requested_at: str) -> bool:
    """Recompute a project's dashboard rollups (nothing when a later refresh already ran)."""
    return services.refresh_panel_rollups(
        project_id=project_id, requested_at=parse_datetime(requested_at)
    )


@shared_task(name="backoffice.refresh_wanted_rollups", acks_late=True)
def refresh_wanted_rollups_task(project_id: int) -> bool:
    """A refresh asked while the broker did not answer, sent by the outbox sweep."""
    return services.refresh_wanted_rollups(project_id=project_id)
