"""API conventions shared by every app: strict pagination and filters (malformed values are a
400 naming the parameter, never silently ignored), one JSON error shape, and the JSON 404 of
unmatched API paths. The JSON parser with a bounded depth is `pichanaki.parsers`.

Errors are `{"error": {"code": ..., "message": ..., "fields": {...}}}` with the HTTP status
that fits: 400 validation, 401/403 auth, 404, 409 conflicts (ledger), 409 `busy` (a lock of
`pichanaki.locking` was not had in time: nothing was written, retry; `error.lock` names it),
429 throttled, 503 `jobs_paused` (the request is saved, the job queue does not answer; it will
run).
"""

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_filters.fields import ModelMultipleChoiceField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from pichanaki.dispatch import JobsPaused
from pichanaki.locking import LockTimeout

RETRY_AFTER_SECONDS = 60  # the outbox sweep runs every minute
BUSY_RETRY_AFTER_SECONDS = 5  # locks are held for one operation; the wait timed out after 3-5 s


class Pagination(PageNumberPagination):
    """Page numbers; a `page` or `page_size` that is not a positive whole number is a 400
    (DRF would silently fall back to the defaults), a page past the end a 404."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int | None:
        _positive(request, self.page_size_query_param)
        return super().get_page_size(request)

    def get_page_number(self, request, paginator) -> int | str:
        if request.query_params.get(self.page_query_param) not in self.last_page_strings:
            _positive(request, self.page_query_param)
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


def _positive(request, name: str) -> None:
    if name not in request.query_params:
        return
    value = request.query_params[name]
    if not (value.isascii() and value.isdigit() and int(value) > 0):
        raise exceptions.ValidationError(
            {name: [_("A positive whole number is required.")]}, code="invalid"
        )


BOOLEAN_VALUES = {"true", "false", "True", "False", "1", "0"}
DATABASE_INTEGERS = range(-(2**63), 2**63)


class FilterBackend(DjangoFilterBackend):
    """django-filter, strict: a filter given with an empty value, or a yes/no filter with
    something else than true/false, is a 400 naming it (django-filter ignores both)."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            errors = {
                name: [_("Not a valid value for this filter.")]
                for name, item in filterset.filters.items()
                if name in request.query_params
                and _malformed(item, request.query_params.getlist(name))
            }
            if errors:
                raise exceptions.ValidationError(errors)
        return super().filter_queryset(request, queryset, view)


def _malformed(item: django_filters.Filter, values: list[str]) -> bool:
    if isinstance(item, django_filters.BooleanFilter):
        return any(value not in BOOLEAN_VALUES for value in values)
    return any(value == "" for value in values)


class IdsField(ModelMultipleChoiceField):
    """Several ids; one that no database integer can hold is invalid (the `IN` query it would
    make fails on SQLite with an OverflowError, a 500)."""

    def _check_values(self, value):
        for item in value:
            try:
                number = int(item)
            except (TypeError, ValueError):
                continue  # the parent reports it
            if number not in DATABASE_INTEGERS:
                raise DjangoValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


class IdsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = IdsField


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


class Busy(exceptions.APIException):
    """A lock was not had in time (HTTP 409): nothing was written; the same request may be
    sent again shortly."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "busy"
    default_detail = "Busy."


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
    elif isinstance(exc, LockTimeout):
        return _busy(exc, context)
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


def _busy(exc: LockTimeout, context: dict[str, Any]) -> Response | None:
    response = exception_handler(Busy(exc.message), context)
    if response is not None:
        response.data["error"]["lock"] = exc.purpose.name if exc.purpose else ""
        response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return response


@csrf_exempt  # refuses every method alike; a CSRF failure would answer with an HTML page
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any /api/v1/ path no endpoint matches (an id that is no number, say): the JSON 404 of
    the API, not the HTML page of the site."""
    return JsonResponse({"error": {"code": "not_found", "message": _("Not found.")}}, status=404)
