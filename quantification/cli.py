"""Pure functions behind ``manage.py carbon_trees`` and ``manage.py carbon_estimate``.

Contract of ``carbon_trees INPUT.csv -o OUTPUT.csv``:

- Input: UTF-8 CSV with a header; columns ``tree_id, species, dbh_cm, height_m`` (height empty
  when not measured), optional ``wood_density`` (g/cm³, empty = look it up), ``plot_id``
  (enables the plot-mean wood density and per-plot height models), ``family`` and ``status``
  (alive/dead/cut/missing or the field-form spellings). Other columns are ignored.
- Output: exactly :data:`OUTPUT_COLUMNS`, one line per input row in input order. ``tree_id``,
  ``species`` and ``dbh_cm`` repeat the input text; computed numbers have 6 decimals (kg to the
  milligram, heights to the micrometre), so equal inputs give byte-identical files;
  ``agb_kg`` is the credited AGB (0 below Dmin, for excluded growth forms and non-live trees);
  an empty ``wood_density``/``height_m`` means "not applicable" (palms, bananas...).
- Bad rows: **any** bad row (or header) makes the command print every problem with its line
  number and reason on stderr, write nothing (no partial file) and exit with status 1.
  Warnings (flags such as D > 150 cm, unmatched species) go to stderr; the exit status stays 0.

Speed: files without quote characters are split column-wise in C (``str.split``) and numbers
converted with ``float``; files with quotes go through the ``csv`` module. The garbage
collector is paused while millions of small strings are built (it would otherwise rescan them
over and over), and output strings are formatted once per distinct value.
"""

from __future__ import annotations

import argparse
import gc
import json
import operator
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import IO, Any

import numpy as np

from quantification.engine import height
from quantification.engine.allometry import EQUATIONS
from quantification.engine.notices import (
    CarbonInputError,
    Notice,
    ParameterError,
    RowError,
    gettext_noop,
)
from quantification.engine.parameters import METHOD_VERSION, CarbonParameters
from quantification.engine.pipeline import (
    Categorical,
    PlotTable,
    StrataTable,
    TreeResults,
    TreeTable,
    aggregate_plots,
    compute_trees,
    estimate_project,
    validate_trees,
)
from quantification.engine.wood_density import TABLES

TREE_COLUMNS = ("tree_id", "species", "dbh_cm", "height_m")
TREE_OPTIONAL = ("wood_density", "plot_id", "family", "status")
PLOT_COLUMNS = ("plot_id", "stratum", "area_m2")
STRATA_COLUMNS = ("stratum", "area_ha")
STRATA_OPTIONAL = ("census",)
OUTPUT_COLUMNS = (
    "tree_id",
    "species",
    "dbh_cm",
    "wood_density",
    "wood_density_level",
    "height_m",
    "height_source",
    "agb_kg",
    "bgb_kg",
    "carbon_kg",
    "co2e_kg",
    "equation",
)
#: ``--height-model`` values: a height method, or ``local``/``best``/one H–D model form.
HEIGHT_CHOICES = (
    height.METHOD_FELDPAUSCH,
    height.METHOD_CHAVE_E,
    height.METHOD_MEASURED,
    height.METHOD_LOCAL,
    height.HD_BEST,
    *height.HD_METHODS,
)
_CHUNK = 100_000
_TRUE = frozenset({"1", "true", "yes", "si", "sí", "y"})
_FALSE = frozenset({"", "0", "false", "no", "n"})


# --- parameters ----------------------------------------------------------------------------------
def cli_parameters(
    *,
    base: CarbonParameters | None = None,
    equation: str | None = None,
    height_model: str | None = None,
    region: str | None = None,
    e: float | None = None,
    root_shoot: float | None = None,
    carbon_fraction: float | None = None,
    dmin: float | None = None,
    wood_density_table: str | None = None,
) -> CarbonParameters:
    """Parameter set of a command line. Without ``base`` the CLI defaults apply: Chave 2014
    Eq. 4, Feldpausch W-Amazonia for missing heights, R 0.27, CF 0.47, Dmin 5 cm."""
    params = base or CarbonParameters(height_method=height.METHOD_FELDPAUSCH)
    changes: dict[str, Any] = {
        "default_equation": equation,
        "feldpausch_region": region,
        "e_index": e,
        "root_shoot_ratio": root_shoot,
        "carbon_fraction": carbon_fraction,
        "dmin_cm": dmin,
        "wood_density_table": wood_density_table,
    }
    if height_model is not None:
        changes.update(_height_changes(height_model))
    return params.replace(**{k: v for k, v in changes.items() if v is not None})


def _height_changes(choice: str) -> dict[str, str]:
    if choice not in HEIGHT_CHOICES:
        raise ParameterError("height_model", f"must be one of {', '.join(HEIGHT_CHOICES)}")
    if choice in (height.METHOD_FELDPAUSCH, height.METHOD_CHAVE_E, height.METHOD_MEASURED):
        return {"height_method": choice}
    model = height.HD_BEST if choice == height.METHOD_LOCAL else choice
    return {"height_method": height.METHOD_LOCAL, "height_model": model}


def load_parameters(path: str | Path) -> CarbonParameters:
    """A parameter set saved as JSON (``CarbonParameters.to_dict()``)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ParameterError("parameters", f"cannot read {path}: {error}") from None
    return CarbonParameters.from_dict(data)


# --- reading -------------------------------------------------------------------------------------
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

    def line(self, row: int) -> int:
        return int(self.lines[row])

    def get(self, name: str) -> list[str] | None:
        return self.columns.get(name)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building millions of small strings makes the cyclic GC rescan them again and again;
    none of them can form a cycle, so pause it (re-enabled on exit, also on errors)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_csv(path: str | Path, required: Sequence[str], optional: Sequence[str] = ()):
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
    with _gc_paused():
        if '"' in text:
            return _read_quoted(str(path), text, required, optional)
        return _read_plain(str(path), text, required, optional)


def _read_plain(path: str, text: str, required, optional) -> CsvColumns:
    """Unquoted CSV: one C-level split over the whole body, then one slice per column."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    names = _header(lines[0].split(",") if lines else [], required)
    body, width = lines[1:], len(names)
    numbers = np.arange(2, len(body) + 2, dtype=np.int64)
    counts = np.fromiter(map(str.count, body, repeat(",")), dtype=np.int64, count=len(body))
    bad = np.flatnonzero(counts != width - 1)
    errors = tuple(
        _width_error(width, int(counts[i]) + 1 if body[i] else 0, int(numbers[i])) for i in bad
    )
    if bad.size:
        keep = np.ones(len(body), bool)
        keep[bad] = False
        body = [line for line, ok in zip(body, keep.tolist(), strict=True) if ok]
        numbers = numbers[keep]
    cells = ",".join(body).split(",") if body else []
    wanted = _wanted(names, required, optional)
    columns = {name: cells[j::width] for name, j in wanted.items()}
    return CsvColumns(path, columns, len(body), numbers, errors=errors)


def _read_quoted(path: str, text: str, required, optional) -> CsvColumns:
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""))
    names = _header(next(reader, []), required)
    rows, lines = [], []
    for row in reader:
        rows.append(row)
        lines.append(reader.line_num)
    while rows and not rows[-1]:
        rows.pop()
        lines.pop()
    width = len(names)
    errors = tuple(
        _width_error(width, len(row), lines[i]) for i, row in enumerate(rows) if len(row) != width
    )
    kept = [i for i, row in enumerate(rows) if len(row) == width]
    wanted = _wanted(names, required, optional)
    columns = {name: [rows[i][j] for i in kept] for name, j in wanted.items()}
    numbers = np.asarray([lines[i] for i in kept], np.int64)
    return CsvColumns(path, columns, len(kept), numbers, quoted=True, errors=errors)


def _width_error(expected: int, found: int, line: int) -> RowError:
    return RowError(
        "csv.fields",
        gettext_noop("expected %(expected)d fields, found %(found)d"),
        {"expected": expected, "found": found},
        line,
        "",
    )


def _wanted(names: list[str], required, optional) -> dict[str, int]:
    return {n: names.index(n) for n in (*required, *optional) if n in names}


def _header(cells: list[str], required: Sequence[str]) -> list[str]:
    names = [h.strip() for h in cells]
    missing = [c for c in required if c not in names]
    repeated = sorted(n for n, k in Counter(names).items() if k > 1 and n)
    errors = [RowError("csv.header", gettext_noop("missing column"), {}, 1, c) for c in missing]
    errors += [RowError("csv.header", gettext_noop("repeated column"), {}, 1, c) for c in repeated]
    if errors:
        raise CarbonInputError(errors)
    return names


def parse_floats(table: CsvColumns, name: str, *, required: bool):
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
    with _gc_paused():
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
            species=_stripped(table.get("species")),
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


def _value_errors(table: CsvColumns, trees: TreeTable) -> list[Notice]:
    """The engine's own row checks (D > 0 on live trees...), with file line numbers."""
    return [_relined(e, table) for e in validate_trees(trees)]


# --- writing -------------------------------------------------------------------------------------
def _format_floats(values: np.ndarray) -> list[str]:
    """Each float with 6 decimals, "" for NaN; formatted once per distinct value (modelled
    heights and the biomass of unmeasured trees repeat a lot in field data)."""
    if values.size == 0:
        return []
    unique, inverse = np.unique(values, return_inverse=True)
    text = np.array(list(map(_DECIMALS.__mod__, unique.tolist())), dtype=object)
    text[np.isnan(unique)] = ""
    return text[inverse.reshape(-1)].tolist()


_DECIMALS = "%.6f"


def output_lines(table: CsvColumns, trees: TreeTable, results: TreeResults) -> Iterator[str]:
    """The output CSV as text chunks (header first), in input row order."""
    yield ",".join(OUTPUT_COLUMNS) + "\n"
    ids, species, dbh = table.get("tree_id"), table.get("species"), table.get("dbh_cm")
    quote = _csv_cells if table.quoted else _same
    for start in range(0, len(trees), _CHUNK):
        part = slice(start, min(start + _CHUNK, len(trees)))
        columns = [
            quote(ids[part]),
            quote(species[part]),
            quote(dbh[part]),
            _format_floats(results.wood_density[part]),
            _decode(results.wood_density_level, part),
            _format_floats(results.height_m[part]),
            _decode(results.height_source, part),
            *(
                _format_floats(getattr(results, c)[part])
                for c in ("agb_kg", "bgb_kg", "carbon_kg", "co2e_kg")
            ),
            _decode(results.equation, part),
        ]
        yield "\n".join(map(",".join, zip(*columns, strict=True))) + "\n"


def _decode(column: Categorical, part: slice) -> list[str]:
    return np.asarray(column.labels, dtype=object)[column.codes[part]].tolist()


def _same(cells: list[str]) -> list[str]:
    return cells


def _csv_cells(cells: list[str]) -> list[str]:
    """Quote cells that need it (input text may contain commas or quotes)."""
    if not any(("," in c or '"' in c or "\n" in c) for c in cells):
        return cells
    return [
        f'"{c.replace(chr(34), chr(34) * 2)}"' if ("," in c or '"' in c or "\n" in c) else c
        for c in cells
    ]


def write_atomically(path: str | Path, chunks: Iterator[str]) -> None:
    """Write to a temporary file beside ``path`` and rename it: never a partial output."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- commands ------------------------------------------------------------------------------------
Render = Callable[[Notice], str]


def _english(notice: Notice) -> str:
    return notice.message


def report(
    notices: Sequence[Notice], stream: IO[str], render: Render = _english, *, prefix: str = ""
) -> None:
    for notice in notices:
        stream.write(f"{prefix}{render(notice)}\n")


def add_parameter_arguments(
    parser: argparse.ArgumentParser, translate: Callable[[str], str] = gettext_noop
) -> None:
    """The parameter options shared by both commands (argparse; ``translate`` the help)."""
    _ = translate
    parser.add_argument(
        "--parameters",
        metavar="PARAMS.json",
        help=_("parameter set saved as JSON (CarbonParameters.to_dict); options override it"),
    )
    parser.add_argument(
        "--equation", choices=sorted(EQUATIONS), help=_("default allometric equation")
    )
    parser.add_argument(
        "--height-model", choices=HEIGHT_CHOICES, help=_("how missing heights are filled")
    )
    parser.add_argument("--region", help=_("Feldpausch 2012 region (WAmazonia)"))
    parser.add_argument("--e", type=float, help=_("Chave 2014 environmental index E"))
    parser.add_argument("--root-shoot", type=float, help=_("root:shoot ratio R (0.27)"))
    parser.add_argument("--carbon-fraction", type=float, help=_("carbon fraction CF (0.47)"))
    parser.add_argument("--dmin", type=float, help=_("minimum diameter in cm (5)"))
    parser.add_argument(
        "--wood-density-table", choices=TABLES, help=_("wood density table version (gwdd_v1)")
    )


def parameters_from_options(options: Mapping[str, Any]) -> CarbonParameters:
    """Parameter set of parsed options (raises :class:`ParameterError`)."""
    base = load_parameters(options["parameters"]) if options.get("parameters") else None
    return cli_parameters(
        base=base,
        equation=options.get("equation"),
        height_model=options.get("height_model"),
        region=options.get("region"),
        e=options.get("e"),
        root_shoot=options.get("root_shoot"),
        carbon_fraction=options.get("carbon_fraction"),
        dmin=options.get("dmin"),
        wood_density_table=options.get("wood_density_table"),
    )


def carbon_trees(
    input_path: str | Path,
    output_path: str | Path,
    *,
    params: CarbonParameters | None = None,
    stderr: IO[str] = sys.stderr,
    render: Render = _english,
) -> int:
    """``carbon_trees`` without Django: returns the exit status (0 ok, 1 bad input)."""
    params = params or cli_parameters()
    try:
        table, trees = read_trees(input_path)
        results = _compute(table, trees, params)
    except CarbonInputError as error:
        report(error.errors, stderr, render)
        stderr.write(
            render(
                Notice(
                    "cli.failed",
                    gettext_noop("%(n)d error(s) in %(path)s; nothing was written"),
                    {"n": len(error.errors), "path": str(input_path)},
                )
            )
            + "\n"
        )
        return 1
    report(results.warnings, stderr, render, prefix="warning: ")
    with _gc_paused():
        write_atomically(output_path, output_lines(table, trees, results))
    return 0


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
        plot_id=[p.strip() for p in table.get("plot_id")],
        stratum=[s.strip() for s in table.get("stratum")],
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
        tuple(s.strip() for s in table.get("stratum")),
        area,
        np.array([c in _TRUE for c in census], dtype=bool),
    )


def estimate_document(
    trees_path: str | Path,
    plots_path: str | Path,
    strata_path: str | Path,
    params: CarbonParameters,
) -> dict[str, Any]:
    """The ``carbon_estimate`` JSON document (raises :class:`CarbonInputError`)."""
    table, trees = read_trees(trees_path, require_plot=True)
    plots, strata = read_plots(plots_path), read_strata(strata_path)
    results = _compute(table, trees, params)
    try:
        totals = aggregate_plots(trees, results, plots, params)
    except CarbonInputError as error:  # tree rows -> file lines
        raise CarbonInputError([_relined(e, table) for e in error.errors]) from None
    estimate = estimate_project(totals, strata, params)
    return _document(estimate, results, params)


def _compute(table: CsvColumns, trees: TreeTable, params: CarbonParameters) -> TreeResults:
    """``compute_trees`` with its row errors reported on file lines."""
    try:
        return compute_trees(trees, params)
    except CarbonInputError as error:
        raise CarbonInputError([_relined(e, table) for e in error.errors]) from None


def _relined(error: Notice, table: CsvColumns) -> Notice:
    if isinstance(error, RowError):
        return RowError(
            error.code, error.template, error.params, table.line(error.line), error.column
        )
    return error


def _document(estimate, results: TreeResults, params: CarbonParameters) -> dict[str, Any]:
    return {
        "method_version": METHOD_VERSION,
        "parameters_fingerprint": params.fingerprint(),
        "parameters": params.to_dict(),
        "reference_data": dict(results.reference_data),
        "unit": estimate.unit,
        "confidence": estimate.confidence,
        "strata": [
            {
                "stratum": s.stratum,
                "area_ha": s.area_ha,
                "n_plots": s.n_plots,
                "census": s.census,
                "mean_t_co2e_ha": s.mean,
                "se_t_co2e_ha": s.se,
                "ci_half_width_pct": _pct(s.u),
                "total_t_co2e": s.total,
            }
            for s in estimate.strata
        ],
        "project": {
            "area_ha": estimate.area_ha,
            "n_plots": estimate.n_plots,
            "df": estimate.df,
            "t_value": estimate.t_value,
            "mean_t_co2e_ha": estimate.mean,
            "se_t_co2e_ha": estimate.se,
            "ci_half_width_pct": _pct(estimate.u),
            "total_t_co2e": estimate.total,
            "total_after_deduction_t_co2e": estimate.total_adjusted,
            "uncertainty_target_pct": _pct(estimate.uncertainty_target),
            "deduction_rule": estimate.deduction_rule,
        },
        "warnings": [n.to_dict() for n in results.warnings],
    }


def _pct(fraction: float) -> float | None:
    return 100.0 * fraction if fraction == fraction and fraction != float("inf") else None


def carbon_estimate(
    trees_path: str | Path,
    plots_path: str | Path,
    strata_path: str | Path,
    output_path: str | Path | None = None,
    *,
    params: CarbonParameters | None = None,
    stdout: IO[str] = sys.stdout,
    stderr: IO[str] = sys.stderr,
    render: Render = _english,
) -> int:
    """``carbon_estimate`` without Django: JSON on stdout (and in ``output_path``)."""
    params = params or cli_parameters()
    try:
        document = estimate_document(trees_path, plots_path, strata_path, params)
    except CarbonInputError as error:
        report(error.errors, stderr, render)
        stderr.write(
            render(
                Notice(
                    "cli.no_estimate",
                    gettext_noop("%(n)d error(s); no estimate was produced"),
                    {"n": len(error.errors)},
                )
            )
            + "\n"
        )
        return 1
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if output_path is not None:
        write_atomically(output_path, iter([text]))
    stdout.write(text)
    return 0
