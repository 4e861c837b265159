"""Thin Celery task of calculation runs: takes an id, calls one service.

acks_late: a worker that dies mid-run leaves the message to be redelivered; the service's
compare-and-set claim makes a second delivery of a finished run a no-op, and a run whose
worker died is reclaimed once older than the hard time limit.
"""

from celery import shared_task
from django.conf import settings

from quantification import services


@shared_task(
    name="parcels.execute_calculation_run",
    acks_late=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def execute_calculation_run_task(run_id: int) -> str:
    return services.execute_calculation_run(run_id=run_id).status
