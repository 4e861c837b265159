"""Any list as CSV, in the active language: shared by every app's admin and views."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

SKIPPED_FIELD_TYPES = (models.FileField,)


def csv_response(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, name: str
) -> HttpResponse:
    """A UTF-8 CSV (with BOM, so Excel opens accents right) of `rows` under `headers`."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(name, "csv")}"'
    return response


def exportable_fields(model: type[models.Model], *, hidden: Iterable[str] = ()) -> list:
    """The model's concrete fields worth a CSV column (no files, no `hidden` ones)."""
    hidden = set(hidden)
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in hidden and not isinstance(f, SKIPPED_FIELD_TYPES)
    ]


def queryset_csv_response(
    queryset: QuerySet, *, hidden: Iterable[str] = (), name: str | None = None
) -> HttpResponse:
    """Any list as CSV: one column per field, headed by its verbose name in the active language,
    choices shown by their label, related objects by their text."""
    fields = exportable_fields(queryset.model, hidden=hidden)
    headers = [force_str(f.verbose_name) for f in fields]
    related = [f.name for f in fields if f.many_to_one]
    objects = queryset.select_related(*related).iterator(chunk_size=2000)
    rows = ([_cell(obj, f) for f in fields] for obj in objects)
    return csv_response(headers, rows, name=name or queryset.model._meta.model_name)


def _cell(obj: models.Model, field: models.Field) -> Any:
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    if field.is_relation:
        related = getattr(obj, field.name)
        return "" if related is None else str(related)
    value = getattr(obj, field.attname)
    if hasattr(value, "wkt"):
        return value.wkt
    return "" if value is None else value


@admin.action(description=_("Export selected as CSV"), permissions=["view"])
def export_csv_action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet):
    """Admin action: the selected rows as CSV; admins may hide personal columns per request."""
    hidden_for = getattr(modeladmin, "csv_hidden_fields", None)
    hidden = hidden_for(request) if hidden_for else ()
    return queryset_csv_response(queryset, hidden=hidden)


def export_filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y%m%d}.{extension}"
