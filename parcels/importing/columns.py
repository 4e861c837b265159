"""Read a tabular file column by column, for importers that check 100,000 rows at once.

A CSV's header is found and mapped by :func:`parcels.importing.readers.tabular.read_csv`
itself; only its body is read here, straight into one list per column instead of a dict per
row, under the
same rules as the reader's own row loop (blank rows and a Kobo HXL row skipped, cells beyond
the header and short rows reported; the reader's helpers for those rules are
reused so there is one source of truth). Rows, values, row numbers and errors are the same as
``read_csv`` gives (a test compares them on every fixture file). Other formats are read by
:func:`parcels.importing.records.read_records` and turned into columns.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from parcels.importing.base import Record
from parcels.importing.readers.cells import has_data
from parcels.importing.readers.errors import RowError
from parcels.importing.readers.headers import Aliases
from parcels.importing.readers.tabular import Table, is_hxl, read_csv, too_few_cells, too_many_cells
from parcels.importing.records import read_records, resolve_format

#: rows read at a time: a chunk's row lists (about 20 MB for 20,000 rows of 16 cells) are the
#: only per-row objects alive while a CSV is turned into columns
CHUNK = 20_000


@dataclass
class Columns:
    """The rows of a file as columns: `values[name][i]` is row `rows[i]`'s cell (or None).

    `text_only` is true when every cell is a str or None (CSV), so cells can be used as keys
    as they are; XLSX cells may be numbers or dates.
    """

    format: str
    rows: Sequence[int]
    sheets: Sequence[str]
    values: Mapping[str, Sequence[object]] = field(default_factory=dict)
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
        records = read_records(
            data,
            filename,
            aliases=aliases,
            required=required,
            geographic=False,
            requested_format=requested_format,
        )
        columns = _from_records(records.format, records.records, records.errors, aliases)
        columns.headers = records.headers
        return columns
    table = read_csv(data, aliases=aliases, required=required)
    table.rows = iter(())  # only its header is needed: let its copy of the text go
    numbers, values = _csv_columns(data, table, [key for key in table.keys if key in aliases])
    return Columns(
        "csv",
        numbers,
        [table.sheet] * len(numbers),
        values,
        table.errors,
        True,
        table.header_names(),
    )


def _csv_columns(
    data: bytes, table: Table, wanted: list[str]
) -> tuple[Sequence[int], dict[str, tuple[str, ...]]]:
    """The kept rows' line numbers and the `wanted` columns, read CHUNK rows at a time.

    Memory stays near one list slot per cell: the text is decoded as it is read (never whole),
    no row list outlives its chunk, and equal cells of a column share one string (a column of
    372,387 cells holds a few hundred values).
    """
    # BytesIO shares `data` (no copy); newline="" gives the csv module the lines as written.
    lines = io.TextIOWrapper(io.BytesIO(data), encoding=table.encoding, newline="")
    reader = csv.reader(lines, delimiter=table.delimiter)
    numbered = _numbered(reader) if b'"' in data else enumerate(reader, start=1)
    positions = [table.keys.index(key) for key in wanted]
    values: dict[str, list[str]] = {key: [] for key in wanted}
    shared: dict[str, dict[str, str]] = {key: {} for key in wanted}
    numbers: list[int] = []
    while chunk := list(itertools.islice(numbered, CHUNK)):
        kept_numbers, kept = _body(chunk, table)
        numbers.extend(kept_numbers)
        columns = list(zip(*kept, strict=True)) if kept else []
        for key, position in zip(wanted, positions, strict=True):
            if columns:
                cells, same = columns[position], shared[key]
                values[key].extend(map(same.setdefault, cells, cells))
    rows: Sequence[int] = numbers
    if numbers and numbers[-1] - numbers[0] + 1 == len(numbers):  # no line skipped
        rows = range(numbers[0], numbers[-1] + 1)
    return rows, {key: tuple(column) for key, column in values.items()}


def _body(chunk: list[tuple[int, list[str]]], table: Table) -> tuple[Sequence[int], Sequence]:
    """The data rows of a chunk of numbered records, as `_rows` keeps them."""
    numbers, rows = zip(*chunk, strict=True)
    if numbers[0] > table.header_row + 1 and _regular(rows, len(table.keys)):
        return numbers, rows
    return _irregular_body(iter(chunk), table)


def _regular(rows: Sequence[list[str]], width: int) -> bool:
    """Every row as wide as the header and holding data: all rows are kept as they are."""
    # "".join(cells).strip() is empty exactly when every cell is blank (has_data on text).
    return set(map(len, rows)) <= {width} and all(map(str.strip, map("".join, rows)))


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
        if number == header + 1 and is_hxl(cells):
            continue
        if len(cells) != width:
            fitted = _fit(cells, number, width, table)
            if fitted is None:
                continue
            cells = fitted
        numbers.append(number)
        kept.append(cells)
    return numbers, kept


def _fit(cells: list[str], number: int, width: int, table: Table) -> list[str] | None:
    """A long row cut, or None after reporting a short row or a long one's extra data."""
    if len(cells) < width:
        table.errors.append(too_few_cells(number, len(cells), table))
        return None
    if has_data(cells[width:]):
        table.errors.append(too_many_cells(number, len(cells), width, table))
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
