"""Stream rows out of CSV and XLSX files, with their source line numbers and mapped headers.

CSV: the encoding (UTF-8 with or without BOM, UTF-16 from Excel's "Unicode text", cp1252 /
Latin-1) and the delimiter (``;``, ``,`` or tab) are detected; quoted fields may span lines.
XLSX: read through openpyxl in read-only mode. In both, the header is the first non-empty row (or,
given aliases, the early row naming most known fields, skipping title rows; see
:mod:`.headers`). Blank rows are skipped. Rows are produced lazily: 100,000 CSV rows read in
about 0.2 s.

:func:`read_text_columns` reads a strict comma-separated text (the carbon commands' contract)
straight into columns, for files of millions of rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import BinaryIO

import numpy as np
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from parcels.importing.readers.archives import open_zip
from parcels.importing.readers.cells import has_data, is_blank
from parcels.importing.readers.errors import FieldFileError, RowError
from parcels.importing.readers.headers import (
    Aliases,
    alias_index,
    find_header,
    group_separator,
    map_headers,
    strip_group_paths,
)

Source = bytes | str | os.PathLike[str] | BinaryIO

_DELIMITERS = (";", "\t", ",")  # in order of preference when the header is ambiguous
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


@dataclass(frozen=True)
class Row:
    """One data row: ``values`` maps each column's key to its raw cell (str for CSV).

    ``number`` is the 1-based line (CSV, where the record starts) or row (XLSX) in ``sheet``.
    Keys are canonical field names for aliased columns and the header text for the others;
    an XLSX row shorter than the header lacks the trailing keys, so read cells with :meth:`get`
    (a CSV row shorter than the header is an error, :func:`too_few_cells`).
    """

    number: int
    values: dict[str, object]
    sheet: str = ""

    def get(self, key: str) -> object:
        """The raw value of a column, or None when the row has no such cell."""
        return self.values.get(key)

    def error(self, field: str, message: str) -> RowError:
        """A :class:`RowError` located at this row."""
        return RowError(row=self.number, field=field, message=message, sheet=self.sheet)


@dataclass
class Table:
    """A header plus a lazy row iterator. Rows that cannot be aligned with the header are left
    out of ``rows`` and reported in ``errors`` as iteration reaches them."""

    sheet: str
    headers: tuple[str, ...]
    keys: tuple[str, ...]
    rows: Iterator[Row]
    header_row: int = 1
    encoding: str = ""
    delimiter: str = ""
    errors: list[RowError] = field(default_factory=list)

    def header_names(self) -> dict[str, str]:
        """Each column's key -> its header as the file writes it (for errors shown to users)."""
        return {key: header for header, key in zip(self.headers, self.keys, strict=False) if key}


def read_source(source: Source) -> bytes:
    """The bytes of a path, an open binary file (e.g. a Django upload) or bytes."""
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            return handle.read()
    return source.read()


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes; returns ``(text, encoding)``. Tries UTF-8 first, then cp1252, Latin-1."""
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise FieldFileError(_("The file is not valid UTF-16 text.")) from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most columns (``;`` wins ties)."""
    first_line = next((line for line in text_lines(text) if line.strip()), "")
    widths = {d: len(next(csv.reader([first_line], delimiter=d), [])) for d in _DELIMITERS}
    best = max(widths.values(), default=1)
    return next((d for d in _DELIMITERS if widths[d] == best), ",") if best > 1 else ","


def read_csv(
    source: Source,
    *,
    aliases: Aliases | None = None,
    required: Collection[str] = (),
    sheet: str = "",
    strip_groups: bool = True,
) -> Table:
    """Open a CSV as a :class:`Table` (see the module docstring for what is detected).

    With ``strip_groups``, ODK/Kobo group prefixes are removed when the header shows the file is
    such an export (:func:`strip_group_paths`).
    """
    text, encoding = decode_text(read_source(source))
    return csv_table(
        text_lines(text), encoding, sniff_delimiter(text), aliases, required, sheet, strip_groups
    )


def csv_table(
    lines: Iterable[str],
    encoding: str,
    delimiter: str,
    aliases: Aliases | None = None,
    required: Collection[str] = (),
    sheet: str = "",
    strip_groups: bool = True,
) -> Table:
    """A :class:`Table` from CSV lines already decoded (with their endings), e.g. a text file
    read as the rows are (the ODK export's spooled members)."""
    reader = csv.reader(lines, delimiter=delimiter)
    table = _make_table(_numbered_csv(reader), aliases, required, sheet, strip_groups)
    table.encoding, table.delimiter = encoding, delimiter
    return table


def text_lines(text: str) -> Iterator[str]:
    """The lines of `text` with their endings (``\\n``, ``\\r\\n`` or ``\\r``), one at a time.

    What ``io.StringIO(text, newline="")`` gives the csv module, without its copy of the whole
    text in 4-byte characters (200 MB for a 50 MB file).
    """
    return (match.group() for match in _LINE.finditer(text) if match.group())


def _numbered_csv(reader: Iterator[list[str]]) -> Iterator[tuple[int, Sequence[object]]]:
    """Pair each record with the physical line it starts on."""
    last_line = 0
    for record in reader:
        yield last_line + 1, record
        last_line = reader.line_num  # type: ignore[attr-defined]


def read_xlsx(
    source: Source,
    *,
    sheet: str | None = None,
    aliases: Aliases | None = None,
    required: Collection[str] = (),
    strip_groups: bool = True,
) -> Table:
    """Open one worksheet (the first unless ``sheet`` names one) as a :class:`Table`."""
    workbook = _open_workbook(source)
    if sheet is not None and sheet not in workbook.sheetnames:
        message = _("The workbook has no sheet named “%(sheet)s”.") % {"sheet": sheet}
        raise FieldFileError(message)
    return _sheet_table(
        workbook[sheet] if sheet else workbook.worksheets[0], aliases, required, strip_groups
    )


def read_xlsx_sheets(
    source: Source, *, aliases: Aliases | None = None, strip_groups: bool = True
) -> list[Table]:
    """Every non-empty worksheet of a workbook as a :class:`Table`, in workbook order."""
    workbook = _open_workbook(source)
    tables = [_sheet_table(ws, aliases, (), strip_groups) for ws in workbook.worksheets]
    return [table for table in tables if table.headers]


def _open_workbook(source: Source) -> Workbook:
    data = read_source(source)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FieldFileError(_("The file is not a readable XLSX workbook."))
    open_zip(data).close()  # the member count and unpacked size within the limits
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        message = _("The file is not a readable XLSX workbook.")
        raise FieldFileError(message) from exc


def _sheet_table(
    worksheet: ReadOnlyWorksheet,
    aliases: Aliases | None,
    required: Collection[str],
    strip_groups: bool,
) -> Table:
    lines = enumerate(worksheet.iter_rows(values_only=True), start=1)
    return _make_table(lines, aliases, required, worksheet.title, strip_groups)


def _make_table(
    lines: Iterator[tuple[int, Sequence[object]]],
    aliases: Aliases | None,
    required: Collection[str],
    sheet: str,
    strip_groups: bool,
) -> Table:
    header_row, raw_headers, lines = find_header(lines, alias_index(aliases))
    headers = [_trim_header(value) for value in raw_headers]
    while headers and not headers[-1]:
        headers.pop()
    separator = group_separator(headers) if strip_groups else None
    names = strip_group_paths(headers, separator) if separator else headers
    keys = map_headers(names, aliases, required=required, row=header_row, sheet=sheet)
    table = Table(
        sheet=sheet, headers=tuple(headers), keys=keys, rows=iter(()), header_row=header_row
    )
    table.rows = _rows(lines, keys, table)
    return table


def _trim_header(value: object) -> str:
    return "" if value is None else str(value).strip()


def _rows(
    lines: Iterator[tuple[int, Sequence[object]]], keys: tuple[str, ...], table: Table
) -> Iterator[Row]:
    width = len(keys)
    blank_columns = "" in keys
    for number, cells in lines:
        if not has_data(cells) or (number == table.header_row + 1 and is_hxl(cells)):
            continue
        if len(cells) > width and has_data(cells[width:]):
            table.errors.append(too_many_cells(number, len(cells), width, table))
            continue
        if len(cells) < width and table.delimiter:
            table.errors.append(too_few_cells(number, len(cells), table))
            continue
        values = dict(zip(keys, cells, strict=False))
        if blank_columns:
            values.pop("", None)
        yield Row(number=number, values=values, sheet=table.sheet)


def is_hxl(cells: Sequence[object]) -> bool:
    """Kobo may write a second header row of HXL hashtags (``#symmetry``); it holds no data."""
    tags = [str(cell).strip() for cell in cells if not is_blank(cell)]
    return all(tag.startswith("#") for tag in tags)


def too_many_cells(number: int, found: int, width: int, table: Table) -> RowError:
    if table.delimiter:
        message = _(
            "The row has %(found)s cells but the header has %(width)s columns; check the "
            "delimiter “%(delimiter)s” and quote values that contain it (e.g. decimal commas)."
        ) % {"found": found, "width": width, "delimiter": table.delimiter}
    else:
        message = _("The row has values beyond the %(width)s named columns.") % {"width": width}
    return RowError(number, "", message, table.sheet)


def too_few_cells(number: int, found: int, table: Table) -> RowError:
    """A CSV row cut short: it is refused, never read with empty cells and defaults.

    The missing columns are named as the file's header writes them.
    """
    missing = ", ".join(name for name in table.headers[found:] if name)
    message = _(
        "The row has %(found)s cells but the header has %(width)s columns; missing: "
        "%(missing)s. Complete the row (empty cells still need their “%(delimiter)s”)."
    ) % {
        "found": found,
        "width": len(table.headers),
        "missing": missing,
        "delimiter": table.delimiter,
    }
    return RowError(number, "", message, table.sheet)


def read_table(
    source: Source,
    filename: str = "",
    *,
    aliases: Aliases | None = None,
    required: Collection[str] = (),
    sheet: str | None = None,
) -> Table:
    """Open a CSV or XLSX (told apart by content, then by ``filename``) as a :class:`Table`."""
    data = read_source(source)
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(data, sheet=sheet, aliases=aliases, required=required)
    return read_csv(data, aliases=aliases, required=required, sheet=sheet or "")


@dataclass(frozen=True)
class TextColumns:
    """A strict comma-separated text as columns (see :func:`read_text_columns`).

    ``columns[name][i]`` is the cell of kept row i, ``lines[i]`` its line in the text;
    ``ragged`` lists ``(line, cells found)`` of the rows left out because they are not as wide
    as the header; ``quoted`` tells whether cells may hold commas, quotes or newlines.
    """

    headers: tuple[str, ...]
    columns: Mapping[str, list[str]]
    lines: np.ndarray
    quoted: bool
    ragged: tuple[tuple[int, int], ...] = ()

    @property
    def n_rows(self) -> int:
        return int(self.lines.shape[0])


def read_text_columns(text: str, wanted: Collection[str]) -> TextColumns:
    """The ``wanted`` columns of a comma-separated text with a header row, strictly read.

    Unlike :func:`read_csv` nothing is guessed: the delimiter is a comma, headers are only
    stripped, and a blank line inside the data is a row of the wrong width (blank lines at the
    end are ignored). A text without quote characters is split column-wise in C
    (``str.split``); one with quotes goes through the ``csv`` module.
    """
    if '"' in text:
        return _quoted_columns(text, wanted)
    return _plain_columns(text, wanted)


def _plain_columns(text: str, wanted: Collection[str]) -> TextColumns:
    """Unquoted text: one C-level split over the whole body, then one slice per column."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    headers = tuple(h.strip() for h in lines[0].split(",")) if lines else ()
    body, width = lines[1:], len(headers)
    numbers = np.arange(2, len(body) + 2, dtype=np.int64)
    counts = np.fromiter(map(str.count, body, repeat(",")), dtype=np.int64, count=len(body))
    bad = np.flatnonzero(counts != width - 1)
    ragged = tuple((int(numbers[i]), int(counts[i]) + 1 if body[i] else 0) for i in bad)
    if bad.size:
        keep = np.ones(len(body), bool)
        keep[bad] = False
        body = [line for line, ok in zip(body, keep.tolist(), strict=True) if ok]
        numbers = numbers[keep]
    cells = ",".join(body).split(",") if body else []
    columns = {name: cells[j::width] for name, j in _positions(headers, wanted).items()}
    return TextColumns(headers, columns, numbers, False, ragged)


def _quoted_columns(text: str, wanted: Collection[str]) -> TextColumns:
    reader = csv.reader(io.StringIO(text, newline=""))
    headers = tuple(h.strip() for h in next(reader, []))
    rows, lines = [], []
    for row in reader:
        rows.append(row)
        lines.append(reader.line_num)
    while rows and not rows[-1]:
        rows.pop()
        lines.pop()
    width = len(headers)
    ragged = tuple((lines[i], len(row)) for i, row in enumerate(rows) if len(row) != width)
    kept = [i for i, row in enumerate(rows) if len(row) == width]
    positions = _positions(headers, wanted)
    columns = {name: [rows[i][j] for i in kept] for name, j in positions.items()}
    numbers = np.asarray([lines[i] for i in kept], np.int64)
    return TextColumns(headers, columns, numbers, True, ragged)


def _positions(headers: tuple[str, ...], wanted: Collection[str]) -> dict[str, int]:
    """Each wanted column's position (its first one when the header repeats it)."""
    return {name: headers.index(name) for name in wanted if name in headers}
