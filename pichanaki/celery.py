"""The Celery app: configured from Django settings (CELERY_*), tasks autodiscovered per app."""

import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pichanaki.settings")

app = Celery("pichanaki")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logger = logging.getLogger(__name__)


@app.task(name="pichanaki.ping", acks_late=True, ignore_result=False)
def ping() -> str:
    """Round trip through the broker; used by /healthz-style checks and tests."""
    return "pong"


@worker_ready.connect
def resend_waiting_work(**_kwargs: object) -> None:
    """A starting worker sends the work saved while no broker answered (pichanaki/dispatch.py),
    without waiting for the next beat."""
    from pichanaki.dispatch import resend_waiting

    try:
        resend_waiting()
    except Exception:  # a worker must start even if the database is not up yet; beat retries
        logger.exception("could not re-send the waiting work at worker start")
