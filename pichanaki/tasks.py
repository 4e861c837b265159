"""Celery tasks of the ground floor: thin wrappers that call one function."""

from celery import shared_task

from pichanaki.dispatch import resend_waiting


@shared_task(name="pichanaki.resend_waiting_work", ignore_result=True)
def resend_waiting_work_task() -> int:
    """Beat (every minute): send work that was saved while the job queue did not answer."""
    return resend_waiting()
