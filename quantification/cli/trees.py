"""``carbon_trees``: every tree of a CSV with its wood density, height, biomass, carbon and CO2e."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np

from quantification.cli.parameters import cli_parameters
from quantification.cli.reading import CsvColumns, compute, gc_paused, read_trees
from quantification.cli.reporting import Render, english, report, write_atomically
from quantification.engine.notices import CarbonInputError, Notice, gettext_noop
from quantification.engine.parameters import CarbonParameters
from quantification.engine.pipeline import Categorical, TreeResults, TreeTable

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
_CHUNK = 100_000
_DECIMALS = "%.6f"


def _format_floats(values: np.ndarray) -> list[str]:
    """Each float with 6 decimals, "" for NaN; formatted once per distinct value (modelled
    heights and the biomass of unmeasured trees repeat a lot in field data)."""
    if values.size == 0:
        return []
    unique, inverse = np.unique(values, return_inverse=True)
    text = np.array(list(map(_DECIMALS.__mod__, unique.tolist())), dtype=object)
    text[np.isnan(unique)] = ""
    return text[inverse.reshape(-1)].tolist()


def output_lines(table: CsvColumns, trees: TreeTable, results: TreeResults) -> Iterator[str]:
    """The output CSV as text chunks (header first), in input row order."""
    yield ",".join(OUTPUT_COLUMNS) + "\n"
    ids, species, dbh = table.column("tree_id"), table.column("species"), table.column("dbh_cm")
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


def carbon_trees(
    input_path: str | Path,
    output_path: str | Path,
    *,
    params: CarbonParameters | None = None,
    stderr: IO[str] = sys.stderr,
    render: Render = english,
) -> int:
    """``carbon_trees`` without Django: returns the exit status (0 ok, 1 bad input)."""
    params = params or cli_parameters()
    try:
        table, trees = read_trees(input_path)
        results = compute(table, trees, params)
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
    with gc_paused():
        write_atomically(output_path, output_lines(table, trees, results))
    return 0
