"""Any list as CSV (or XLSX), in the active language: shared by every app's admin and views.

One rule for every CSV the project writes (exports here, import templates in
:mod:`parcels.importing.templates`): the delimiter and the decimal mark follow the language.
Spanish files use ``;`` and a decimal comma, which is how Excel in Spanish opens them; English
ones ``,`` and a decimal point. The importer reads both (it detects the delimiter).

Every cell passes :func:`neutralize` (OWASP's CSV-injection rule): text starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, so a name such as
``=HYPERLINK(…)`` is shown as text by spreadsheets instead of being run as a formula; text that
is only a number (``-10,927811``) can run nothing and stays a number. Every CSV or XLSX file
the project writes (downloads, the payment file for the bank, the import templates) is written
here, by :func:`csv_text` or :func:`xlsx_bytes`; a test fails on a writer anywhere else.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from itertools import chain
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

SKIPPED_FIELD_TYPES = (models.FileField,)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A signed number with a decimal point or comma (either language's mark): no formula in it.
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralize(value: Any) -> Any:
    """A spreadsheet cell that cannot run as a formula: text starting with = + - @ tab or CR
    gets a leading ``'`` (OWASP) unless it is a plain number such as ``-10,5`` (a quote would
    turn it into text); numbers and other values are left as they are."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def csv_dialect() -> tuple[str, str]:
    """``(delimiter, decimal mark)`` of CSV files in the active language."""
    spanish = (translation.get_language() or "").startswith("es")
    return (";", ",") if spanish else (",", ".")


def csv_cell(value: Any, decimal_mark: str = ".") -> Any:
    """One exported cell: neutralized text, numbers with the language's decimal mark."""
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        return str(value).replace(".", decimal_mark)
    return neutralize(value)


def csv_text(rows: Iterable[Sequence[Any]], *, delimiter: str, decimal_mark: str = ".") -> str:
    """A CSV file's text: a BOM (so Excel opens accents right), then `rows` with every cell
    through :func:`csv_cell`. Encode it as UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerows([csv_cell(value, decimal_mark) for value in row] for row in rows)
    return buffer.getvalue()


def csv_response(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, name: str
) -> HttpResponse:
    """A UTF-8 CSV of `rows` under `headers`, in the active language's dialect
    (:func:`csv_dialect`), every cell through :func:`csv_cell`."""
    delimiter, mark = csv_dialect()
    lines = chain([[force_str(header) for header in headers]], rows)
    text = csv_text(lines, delimiter=delimiter, decimal_mark=mark)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(name, "csv")}"'
    return response


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[Sequence[Any]]]]) -> bytes:
    """An XLSX workbook of `(title, rows)` sheets: numbers kept as numbers (the reader's
    spreadsheet shows them in its own locale), text through :func:`neutralize`."""
    book = Workbook(write_only=True)
    for title, rows in sheets:
        # Sheet titles are at most 31 characters and may not contain []:*?/\ (Excel's rule).
        sheet = book.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "1")
        for row in rows:
            sheet.append([_xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, name: str, title: str = ""
) -> HttpResponse:
    """An XLSX workbook of one sheet (:func:`xlsx_bytes`): `headers` then `rows`."""
    lines = chain([[force_str(header) for header in headers]], rows)
    response = HttpResponse(xlsx_bytes([(title, lines)]), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(name, "xlsx")}"'
    return response


def _xlsx_cell(value: Any) -> Any:
    if value is None or isinstance(value, int | float | Decimal | date):
        return value
    return neutralize(force_str(value))


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
