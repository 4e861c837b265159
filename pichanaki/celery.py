"""The Celery app: configured from Django settings (CELERY_*), tasks autodiscovered per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pichanaki.settings")

app = Celery("pichanaki")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="pichanaki.ping", acks_late=True, ignore_result=False)
def ping() -> str:
    """Round trip through the broker; used by /healthz-style checks and tests."""
    return "pong"
