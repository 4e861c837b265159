"""Structured errors of the field-file layer.

Messages are rendered with ``gettext`` when the error is created, so they are plain ``str`` in
the active language (JSON-serialisable for an import preview). Wrap a parse in
``translation.override(lang)`` to get another language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowError:
    """One problem in one place of an uploaded file.

    ``row`` is the 1-based line/row number in ``sheet`` (a CSV line, an XLSX row, a GeoJSON feature
    or KML placemark number; 1 is the header line of a table). ``sheet`` names the XLSX sheet or the
    file inside a ZIP, or is ``""`` for a single-table file. ``field`` is the canonical field name,
    or the header or geometry member the problem is in; ``column`` is that column as the user's
    file names it (set by the importer once the header is known), shown instead of ``field``.
    """

    row: int
    field: str
    message: str
    sheet: str = ""
    column: str = ""

    @property
    def label(self) -> str:
        """The column as the user wrote it, else the canonical field name."""
        return self.column or self.field

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row}
        if self.sheet:
            where = f"{self.sheet}, {where}"
        return f"{where}, {self.label}: {self.message}"


class CellError(ValueError):
    """A single cell could not be parsed; carries the field name and a translated reason."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def at(self, row: int, sheet: str = "") -> RowError:
        """Locate this error in a file as a :class:`RowError`."""
        return RowError(row=row, field=self.field, message=self.message, sheet=sheet)


class FieldFileError(ValueError):
    """The file as a whole cannot be read (unknown format, corrupt, missing columns).

    ``errors`` holds the structured details; for header problems they point at row 1.
    """

    def __init__(self, message: str, errors: list[RowError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []
