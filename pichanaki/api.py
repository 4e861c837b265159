"""API conventions shared by every app: pagination and one JSON error shape.

Errors are `{"error": {"code": ..., "message": ..., "fields": {...}}}` with the HTTP status
that fits: 400 validation, 401/403 auth, 404, 409 conflicts (ledger), 429 throttled, 503
`jobs_paused` (the request is saved, the job queue does not answer; it will run).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from pichanaki.dispatch import JobsPaused

RETRY_AFTER_SECONDS = 60  # the outbox sweep runs every minute


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class JobsPausedError(exceptions.APIException):
    """Work saved while the job queue does not answer (HTTP 503): it will run when it does."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "jobs_paused"
    default_detail = JobsPaused.message


class Conflict(exceptions.APIException):
    """A request that is valid but cannot be carried out in the current state (HTTP 409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Conflict."


def _first_message(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        return _first_message(next(iter(detail.values())))
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, JobsPaused):
        return _jobs_paused(exc, context)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else "invalid"
    error: dict[str, Any] = {"code": code, "message": _first_message(exc.detail)}
    if isinstance(exc, exceptions.ValidationError):
        error["message"] = _("Invalid input: %(detail)s") % {"detail": error["message"]}
        error["fields"] = (
            exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        )
    response.data = {"error": error}
    return response


def _jobs_paused(exc: JobsPaused, context: dict[str, Any]) -> Response | None:
    """503 naming the saved row (`id`), so the client can follow it once jobs resume."""
    response = exception_handler(JobsPausedError(), context)
    if response is not None:
        response.data["error"]["id"] = exc.pk
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
