"""Project-wide views: health check, home page and the language switcher."""

import logging
import time

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from pichanaki.celery import app as celery_app

logger = logging.getLogger(__name__)
# Public answer of a failed check: a status word. The reason (driver messages name the host,
# port and user) goes to the log only.
DOWN = {"ok": False, "status": "down"}


def _check_database() -> dict[str, object]:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "down"; the reason is logged, never shown
        logger.exception("healthz: the database does not answer")
        return DOWN
    return {
        "ok": True,
        "status": "up",
        "vendor": connection.vendor,
        "ms": round((time.monotonic() - started) * 1000, 1),
    }


def _check_broker() -> dict[str, object]:
    if celery_app.conf.task_always_eager:
        return {"ok": True, "status": "up", "mode": "eager"}
    started = time.monotonic()
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # kombu raises many transport-specific errors; logged, never shown
        logger.exception("healthz: the Celery broker does not answer")
        return {**DOWN, "mode": "broker"}
    return {
        "ok": True,
        "status": "up",
        "mode": "broker",
        "ms": round((time.monotonic() - started) * 1000, 1),
    }


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the Celery broker answer, 503 otherwise (JSON either way).

    Public: each check says only up or down (and the overall status ok or unavailable).
    """
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switcher, plus remembering the choice on the person's profile."""
    response = django_set_language(request)
    language = request.POST.get("language")
    profile = getattr(request.user, "profile", None) if request.user.is_authenticated else None
    if profile is not None and language in dict(profile._meta.get_field("language").choices):
        profile.language = language
        profile.save(update_fields=["language"])
    return response
