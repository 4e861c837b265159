"""Read a tabular file column by column, for importers that check 100,000 rows at once.

A CSV's header is found and mapped by :func:`pichanaki.fieldfiles.tabular.read_csv` itself; only
its body is read here, straight into one list per column instead of a dict per row, under the
same rules as the reader's own row loop (blank rows and a Kobo HXL row skipped, cells beyond
the header and short rows reported; the reader's helpers for those rules are
reused so there is one source of truth). Rows, values, row numbers and errors are the same as
``read_csv`` gives (a test compares them on every fixture file). Other formats are read by
:func:`parcels.importing.records.read_records` and turned into columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from parcels.importing.base import Record
from parcels.importing.records import read_records, resolve_format
from pichanaki.fieldfiles.errors import RowError
from pichanaki.fieldfiles.tabular import (
    Aliases,
    Table,
    _has_data,
    _is_hxl,
    _too_many_cells,
    decode_text,
    read_csv,
    too_few_cells,
)


@dataclass
class Columns:
    """The rows of a file as columns: `values[name][i]` is row `rows[i]`'s cell (or None).

    `text_only` is true when every cell is a str or None (CSV), so cells can be used as keys
    as they are; XLSX cells may be numbers or dates.
    """

    format: str
    rows: Sequence[int]
    sheets: Sequence[str]
    values: dict[str, Sequence[object]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    text_only: bool = False
    #: canonical field name -> the column as the file names it
    headers: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> Sequence[object]:
        """The cells of a column, all None when the file has no such column."""
        found = self.values.get(name)
        return found if found is not None else [None] * len(self.rows)

    def record(self, index: int) -> Record:
        """Row `index` as a Record (for the few checks that need a whole row)."""
        values = {name: cells[index] for name, cells in self.values.items()}
        return Record(self.rows[index], values, self.sheets[index])


def read_columns(
    data: bytes,
    filename: str,
    *,
    aliases: Aliases,
    required: Collection[str],
    requested_format: str = "",
) -> Columns:
    """The columns of a CSV, XLSX or ODK/Kobo export for an importer with these columns.

    Raises FieldFileError when the file as a whole cannot be used (format, header).
    """
    if resolve_format(data, filename, requested_format) != "csv":
        records = read_records(data, filename, aliases=aliases, required=required,
                               geographic=False, requested_format=requested_format)
        columns = _from_records(records.format, records.records, records.errors, aliases)
        columns.headers = records.headers
        return columns
    table = read_csv(data, aliases=aliases, required=required)
    text, _encoding = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=table.delimiter)
    numbers, kept = _csv_body(reader, table, text)
    width = len(table.keys)
    transposed = list(zip(*kept, strict=True)) if kept else [()] * width
    values = {key: transposed[j] for j, key in enumerate(table.keys) if key in aliases}
    return Columns("csv", numbers, [table.sheet] * len(numbers), values, table.errors, True,
                   table.header_names())


def _csv_body(reader: Iterator[list[str]], table: Table, text: str) -> tuple[Sequence[int], list]:
    """The data rows after the header, each with the line it starts on, as `_rows` keeps them."""
    if '"' not in text:  # nothing quoted: record i is on line i + 1
        records = list(reader)
        body = records[table.header_row:]
        if _regular(body, len(table.keys), table.header_row):
            return range(table.header_row + 1, len(records) + 1), body
        return _irregular_body(enumerate(records, start=1), table)
    return _irregular_body(_numbered(reader), table)


def _regular(body: list[list[str]], width: int, header: int) -> bool:
    """Every row as wide as the header and holding data, and no HXL row: all rows are kept."""
    # "".join(cells).strip() is empty exactly when every cell is blank (_has_data on text).
    return (
        set(map(len, body)) <= {width}
        and all(map(str.strip, map("".join, body)))
        and not (body and _is_hxl(body[0]))
    )


def _numbered(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Each record with the physical line it starts on (quoted values may span lines)."""
    last_line = 0
    for cells in reader:
        yield last_line + 1, cells
        last_line = reader.line_num  # type: ignore[attr-defined]


def _irregular_body(
    numbered: Iterator[tuple[int, list[str]]], table: Table
) -> tuple[list[int], list[list[str]]]:
    width, header = len(table.keys), table.header_row
    numbers: list[int] = []
    kept: list[list[str]] = []
    for number, cells in numbered:
        if number <= header or not "".join(cells).strip():
            continue
        if number == header + 1 and _is_hxl(cells):
            continue
        if len(cells) != width:
            cells = _fit(cells, number, width, table)
            if cells is None:
                continue
        numbers.append(number)
        kept.append(cells)
    return numbers, kept


def _fit(cells: list[str], number: int, width: int, table: Table) -> list | None:
    """A long row cut, or None after reporting a short row or a long one's extra data."""
    if len(cells) < width:
        table.errors.append(too_few_cells(number, len(cells), table))
        return None
    if _has_data(cells[width:]):
        table.errors.append(_too_many_cells(number, len(cells), width, table))
        return None
    return cells[:width]


def _from_records(
    fmt: str, records: list[Record], errors: list[RowError], aliases: Aliases
) -> Columns:
    names = {name for record in records for name in record.values if name in aliases}
    values = {name: [record.values.get(name) for record in records] for name in names}
    rows = [record.row for record in records]
    sheets = [record.sheet for record in records]
    return Columns(fmt, rows, sheets, values, list(errors))
