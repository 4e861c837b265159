"""The CSV files of the carbon commands as engine tables, every bad row reported on its file line.

The text is split by :func:`parcels.importing.readers.tabular.read_text_columns`; this module
checks the header, parses the numbers and text columns and maps engine row errors to lines."""

from __future__ import annotations

import gc
import operator
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import numpy as np

from parcels.importing.readers.tabular import read_text_columns
from quantification.engine.notices import CarbonInputError, Notice, RowError, gettext_noop
from quantification.engine.parameters import CarbonParameters
from quantification.engine.pipeline import (
    Categorical,
    PlotTable,
    StrataTable,
    TreeResults,
    TreeTable,
    compute_trees,
    validate_trees,
)

TREE_COLUMNS = ("tree_id", "species", "dbh_cm", "height_m")
TREE_OPTIONAL = ("wood_density", "plot_id", "family", "status")
PLOT_COLUMNS = ("plot_id", "stratum", "area_m2")
STRATA_COLUMNS = ("stratum", "area_ha")
STRATA_OPTIONAL = ("census",)
_TRUE = frozenset({"1", "true", "yes", "si", "sí", "y"})
_FALSE = frozenset({"", "0", "false", "no", "n"})


@dataclass(frozen=True)
class CsvColumns:
    """Text cells of a CSV by column name; ``lines[i]`` is data row i's line in the file;
    ``quoted`` tells whether cells may contain commas, quotes or newlines."""

    path: str
    columns: Mapping[str, list[str]]
    n_rows: int
    lines: np.ndarray
    quoted: bool = False
    errors: tuple[RowError, ...] = ()

    def line(self, row: int | np.integer) -> int:
        return int(self.lines[row])

    def get(self, name: str) -> list[str] | None:
        return self.columns.get(name)

    def column(self, name: str) -> list[str]:
        """A required column's cells (:func:`read_csv` refused a header without it)."""
        return self.columns[name]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building millions of small strings makes the cyclic GC rescan them again and again;
    none of them can form a cycle, so pause it (re-enabled on exit, also on errors)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_csv(path: str | Path, required: Sequence[str], optional: Sequence[str] = ()) -> CsvColumns:
    """Read a CSV into text columns, checking the header and the number of fields per line.

    A bad header raises :class:`CarbonInputError` at once. Lines with the wrong number of
    fields (a blank line inside the data counts) are left out of the columns and listed in
    ``errors`` so the caller can report them together with the other rows' problems; blank
    lines at the end are ignored."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CarbonInputError(
            [
                Notice(
                    "csv.unreadable",
                    gettext_noop("cannot read %(path)s: %(error)s"),
                    {"path": str(path), "error": str(error)},
                )
            ]
        ) from None
    with gc_paused():
        found = read_text_columns(text, (*required, *optional))
    _check_header(found.headers, required)
    width = len(found.headers)
    errors = tuple(_width_error(width, cells, line) for line, cells in found.ragged)
    return CsvColumns(str(path), found.columns, found.n_rows, found.lines, found.quoted, errors)


def _width_error(expected: int, found: int, line: int) -> RowError:
    return RowError(
        "csv.fields",
        gettext_noop("expected %(expected)d fields, found %(found)d"),
        {"expected": expected, "found": found},
        line,
        "",
    )


def _check_header(names: Sequence[str], required: Sequence[str]) -> None:
    missing = [c for c in required if c not in names]
    repeated = sorted(n for n, k in Counter(names).items() if k > 1 and n)
    errors = [RowError("csv.header", gettext_noop("missing column"), {}, 1, c) for c in missing]
    errors += [RowError("csv.header", gettext_noop("repeated column"), {}, 1, c) for c in repeated]
    if errors:
        raise CarbonInputError(errors)


def parse_floats(
    table: CsvColumns, name: str, *, required: bool
) -> tuple[np.ndarray, list[RowError]]:
    """Floats of a text column (NaN for empty cells) and the row errors: an empty required cell,
    text that is not a number, or a non-finite number ("nan", "inf")."""
    cells = table.get(name)
    if cells is None:
        return np.full(table.n_rows, np.nan), []
    empty = np.fromiter(map(operator.not_, cells), dtype=bool, count=len(cells))
    filled = [c or "nan" for c in cells] if empty.any() else cells
    try:
        values = np.fromiter(map(float, filled), np.float64, len(cells))
    except ValueError:
        values = np.array([_float_or_nan(c) for c in cells], dtype=np.float64)
    suspect = np.flatnonzero(~np.isfinite(values) & (required | ~empty))
    bad = [int(r) for r in suspect if required or cells[r].strip()]
    return values, [_number_error(table, name, r, cells[r]) for r in bad]


def _float_or_nan(cell: str) -> float:
    try:
        return float(cell) if cell.strip() else np.nan
    except ValueError:
        return np.nan


def _number_error(table: CsvColumns, name: str, row: int, cell: str) -> RowError:
    if not cell.strip():
        return RowError(
            "csv.required", gettext_noop("a value is required"), {}, table.line(row), name
        )
    return RowError(
        "csv.number",
        gettext_noop("not a finite number: %(value)r"),
        {"value": cell},
        table.line(row),
        name,
    )


def _text_errors(table: CsvColumns, name: str) -> list[RowError]:
    cells = table.get(name) or []
    if min(map(len, cells), default=1) > 0 and not any(map(str.isspace, cells)):
        return []
    return [
        RowError("csv.required", gettext_noop("a value is required"), {}, table.line(r), name)
        for r, c in enumerate(cells)
        if not c.strip()
    ]


def _duplicate_errors(table: CsvColumns, name: str) -> list[RowError]:
    cells = table.get(name) or []
    if len(set(cells)) == len(cells):
        return []
    first: dict[str, int] = {}
    errors = []
    for row, cell in enumerate(cells):
        if cell in first:
            errors.append(
                RowError(
                    "csv.duplicate",
                    gettext_noop("duplicate %(column)s %(value)r (first on line %(first)d)"),
                    {"column": name, "value": cell, "first": first[cell]},
                    table.line(row),
                    name,
                )
            )
        else:
            first[cell] = table.line(row)
    return errors


def read_trees(path: str | Path, *, require_plot: bool = False) -> tuple[CsvColumns, TreeTable]:
    """The trees CSV as a :class:`TreeTable`; every text and value error of every row is
    collected into one :class:`CarbonInputError`."""
    required = (*TREE_COLUMNS, "plot_id") if require_plot else TREE_COLUMNS
    table = read_csv(path, required, TREE_OPTIONAL)
    with gc_paused():
        errors: list[Notice] = [
            *table.errors,
            *_text_errors(table, "tree_id"),
            *_duplicate_errors(table, "tree_id"),
        ]
        if require_plot:
            errors += _text_errors(table, "plot_id")
        numbers = {}
        for name, needed in (("dbh_cm", True), ("height_m", False), ("wood_density", False)):
            numbers[name], found = parse_floats(table, name, required=needed)
            errors += found
        trees = TreeTable(
            tree_id=np.asarray(table.get("tree_id"), dtype=object),
            species=_stripped(table.column("species")),
            dbh_cm=numbers["dbh_cm"],
            height_m=numbers["height_m"],
            family=_optional_categorical(table, "family"),
            plot=_optional_categorical(table, "plot_id"),
            wood_density=numbers["wood_density"] if table.get("wood_density") else None,
            status=_optional_categorical(table, "status"),
        )
    flagged = {(e.line, e.column) for e in errors if isinstance(e, RowError)}
    errors += [e for e in _value_errors(table, trees) if (e.line, e.column) not in flagged]
    if errors:
        raise CarbonInputError(sorted(errors, key=_error_order))
    return table, trees


def _error_order(error: Notice) -> tuple[int, str]:
    return (error.line, error.column) if isinstance(error, RowError) else (0, "")


def _optional_categorical(table: CsvColumns, name: str) -> Categorical | None:
    cells = table.get(name)
    return None if cells is None else _stripped(cells)


def _stripped(cells: list[str]) -> Categorical:
    """Factorise raw cells, then merge labels that differ only by surrounding spaces."""
    raw = Categorical.from_values(cells)
    stripped = Categorical.from_values([label.strip() for label in raw.labels])
    return Categorical(stripped.codes[raw.codes], stripped.labels)


def _value_errors(table: CsvColumns, trees: TreeTable) -> list[RowError]:
    """The engine's own row checks (D > 0 on live trees...), with file line numbers."""
    return [relined(e, table) for e in validate_trees(trees)]


def read_plots(path: str | Path) -> PlotTable:
    """``plot_id, stratum, area_m2`` (horizontal area) per plot."""
    table = read_csv(path, PLOT_COLUMNS)
    errors: list[Notice] = [
        *table.errors,
        *_text_errors(table, "plot_id"),
        *_text_errors(table, "stratum"),
        *_duplicate_errors(table, "plot_id"),
    ]
    area, found = parse_floats(table, "area_m2", required=True)
    errors += found + [
        RowError("csv.positive", gettext_noop("must be > 0"), {}, table.line(r), "area_m2")
        for r in np.flatnonzero(area <= 0)
    ]
    if errors:
        raise CarbonInputError(sorted(errors, key=_error_order))
    return PlotTable.from_columns(
        plot_id=[p.strip() for p in table.column("plot_id")],
        stratum=[s.strip() for s in table.column("stratum")],
        area_m2=area,
    )


def read_strata(path: str | Path) -> StrataTable:
    """``stratum, area_ha`` per stratum, optional ``census`` (true/false)."""
    table = read_csv(path, STRATA_COLUMNS, STRATA_OPTIONAL)
    errors: list[Notice] = [
        *table.errors,
        *_text_errors(table, "stratum"),
        *_duplicate_errors(table, "stratum"),
    ]
    area, found = parse_floats(table, "area_ha", required=True)
    errors += found + [
        RowError("csv.positive", gettext_noop("must be > 0"), {}, table.line(r), "area_ha")
        for r in np.flatnonzero(area <= 0)
    ]
    census = [c.strip().lower() for c in table.get("census") or [""] * table.n_rows]
    errors += [
        RowError("csv.boolean", gettext_noop("must be true or false"), {}, table.line(r), "census")
        for r, c in enumerate(census)
        if c not in _TRUE | _FALSE
    ]
    if errors:
        raise CarbonInputError(sorted(errors, key=_error_order))
    return StrataTable(
        tuple(s.strip() for s in table.column("stratum")),
        area,
        np.array([c in _TRUE for c in census], dtype=bool),
    )


def compute(table: CsvColumns, trees: TreeTable, params: CarbonParameters) -> TreeResults:
    """``compute_trees`` with its row errors reported on file lines."""
    try:
        return compute_trees(trees, params)
    except CarbonInputError as error:
        raise CarbonInputError([relined(e, table) for e in error.errors]) from None


@overload
def relined(error: RowError, table: CsvColumns) -> RowError: ...
@overload
def relined(error: Notice, table: CsvColumns) -> Notice: ...
def relined(error: Notice, table: CsvColumns) -> Notice:
    if isinstance(error, RowError):
        return RowError(
            error.code, error.template, error.params, table.line(error.line), error.column
        )
    return error
