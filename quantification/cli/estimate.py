"""``carbon_estimate``: the stratified project estimate of tree, plot and stratum CSVs, as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from quantification.cli.parameters import cli_parameters
from quantification.cli.reading import compute, read_plots, read_strata, read_trees, relined
from quantification.cli.reporting import Render, english, report, write_atomically
from quantification.engine.notices import CarbonInputError, Notice, gettext_noop
from quantification.engine.parameters import METHOD_VERSION, CarbonParameters
from quantification.engine.pipeline import TreeResults, aggregate_plots, estimate_project


def estimate_document(
    trees_path: str | Path,
    plots_path: str | Path,
    strata_path: str | Path,
    params: CarbonParameters,
) -> dict[str, Any]:
    """The ``carbon_estimate`` JSON document (raises :class:`CarbonInputError`)."""
    table, trees = read_trees(trees_path, require_plot=True)
    plots, strata = read_plots(plots_path), read_strata(strata_path)
    results = compute(table, trees, params)
    try:
        totals = aggregate_plots(trees, results, plots, params)
    except CarbonInputError as error:  # tree rows -> file lines
        raise CarbonInputError([relined(e, table) for e in error.errors]) from None
    estimate = estimate_project(totals, strata, params)
    return _document(estimate, results, params)


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
    render: Render = english,
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
