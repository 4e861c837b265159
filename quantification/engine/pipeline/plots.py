"""Plots, strata and the project: plot sums per hectare (:func:`aggregate_plots`) and the
stratified estimates of the stock (:func:`estimate_project`) and of its change
(:func:`estimate_change`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .. import biomass, sampling
from ..notices import CarbonInputError, Notice, RowError, gettext_noop
from ..parameters import DEFAULT_PARAMETERS, METHOD_VERSION, CarbonParameters
from ..sampling import ProjectEstimate
from .inputs import Column, TreeTable, raise_if_errors
from .trees import TreeResults


@dataclass(frozen=True)
class PlotTable:
    """Plots: id, stratum and horizontal area in ha (slope-corrected)."""

    plot_id: tuple[str, ...]
    stratum: tuple[str, ...]
    area_ha: np.ndarray

    @classmethod
    def from_columns(
        cls,
        *,
        plot_id: Column,
        stratum: Column,
        area_m2: Column | None = None,
        area_ha: Column | None = None,
    ) -> PlotTable:
        if (area_m2 is None) == (area_ha is None):
            raise ValueError("give exactly one of area_m2 or area_ha")
        area = np.asarray(
            area_ha if area_m2 is None else np.asarray(area_m2, float) / 1e4, dtype=np.float64
        )
        return cls(tuple(map(str, plot_id)), tuple(map(str, stratum)), area)


@dataclass(frozen=True)
class StrataTable:
    """Strata: name, area in ha, and whether the stratum is a census (no sampling error)."""

    stratum: tuple[str, ...]
    area_ha: np.ndarray
    census: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    def __post_init__(self) -> None:
        if self.census.size == 0:
            object.__setattr__(self, "census", np.zeros(len(self.stratum), bool))


@dataclass(frozen=True)
class PlotTotals:
    """Per plot: ``n_alive`` live rows (stems), totals in t and per-hectare values
    (t ha⁻¹ and tCO2e ha⁻¹)."""

    plot_id: tuple[str, ...]
    stratum: tuple[str, ...]
    area_ha: np.ndarray
    n_alive: np.ndarray
    agb_t: np.ndarray
    bgb_t: np.ndarray
    co2e_t: np.ndarray
    agb_t_ha: np.ndarray
    bgb_t_ha: np.ndarray
    carbon_t_ha: np.ndarray
    co2e_t_ha: np.ndarray
    bgb_method: str
    parameters_fingerprint: str
    method_version: str = METHOD_VERSION


def aggregate_plots(
    trees: TreeTable,
    results: TreeResults,
    plots: PlotTable,
    params: CarbonParameters = DEFAULT_PARAMETERS,
    *,
    line_offset: int = 0,
) -> PlotTotals:
    """Plot sums -> t ha⁻¹ (§7.1). A plot without trees is a valid zero. BGB per hectare uses
    the parameter set's method (Cairns/Mokany only here, on plot AGB)."""
    index = _plot_index(trees, plots, line_offset)
    n = len(plots.plot_id)
    agb_t = np.bincount(index, weights=results.agb_kg, minlength=n) / 1000.0
    agb_t_ha = agb_t / plots.area_ha
    bgb_t_ha = biomass.plot_bgb_t_ha(agb_t_ha, params.bgb_method, params.root_shoot_ratio)
    carbon_t_ha = biomass.carbon(agb_t_ha, bgb_t_ha, params.carbon_fraction)
    co2e_t_ha = biomass.co2e(carbon_t_ha)
    return PlotTotals(
        plot_id=plots.plot_id,
        stratum=plots.stratum,
        area_ha=plots.area_ha,
        n_alive=np.bincount(index, weights=results.alive.astype(float), minlength=n).astype(int),
        agb_t=agb_t,
        bgb_t=bgb_t_ha * plots.area_ha,
        co2e_t=co2e_t_ha * plots.area_ha,
        agb_t_ha=agb_t_ha,
        bgb_t_ha=bgb_t_ha,
        carbon_t_ha=carbon_t_ha,
        co2e_t_ha=co2e_t_ha,
        bgb_method=params.bgb_method,
        parameters_fingerprint=params.fingerprint(),
    )


def _plot_index(trees: TreeTable, plots: PlotTable, offset: int) -> np.ndarray:
    errors: list[Notice] = [
        Notice("plots.area", gettext_noop("plot %(plot)s: area must be > 0"), {"plot": p})
        for p, a in zip(plots.plot_id, plots.area_ha, strict=True)
        if not a > 0
    ]
    position = {p: i for i, p in enumerate(plots.plot_id)}
    if len(position) != len(plots.plot_id):
        errors.append(Notice("plots.duplicate", gettext_noop("duplicate plot ids in the plots")))
    if trees.plot is None:
        errors.append(Notice("trees.no_plot", gettext_noop("trees have no plot_id column")))
        raise CarbonInputError(errors)
    per_label = np.array([position.get(label, -1) for label in trees.plot.labels], np.int64)
    index: np.ndarray = per_label[trees.plot.codes]
    errors.extend(
        RowError(
            "trees.unknown_plot",
            gettext_noop("plot %(plot)s is not in the plots table"),
            {"plot": trees.plot.labels[trees.plot.codes[r]]},
            int(r) + offset,
            "plot_id",
        )
        for r in np.flatnonzero(index < 0)
    )
    raise_if_errors(errors)
    return index


def estimate_project(
    plots: PlotTotals,
    strata: StrataTable,
    params: CarbonParameters = DEFAULT_PARAMETERS,
    *,
    value: str = "co2e_t_ha",
) -> ProjectEstimate:
    """Stratum means -> project mean, SE, 90% CI half-width u, total and the total after the
    uncertainty deduction (§7.2–7.4). ``value`` picks the per-hectare column."""
    codes = _stratum_codes(plots.stratum, strata)
    return sampling.stratified_estimate(
        getattr(plots, value),
        codes,
        strata.stratum,
        strata.area_ha,
        census=strata.census,
        unit_area_ha=plots.area_ha,
        confidence=params.confidence,
        target=params.uncertainty_target,
        rule=params.deduction_rule,
        unit="tCO2e/ha" if value == "co2e_t_ha" else "t/ha",
    )


def estimate_change(
    plots_t1: PlotTotals,
    plots_t2: PlotTotals,
    strata: StrataTable,
    params: CarbonParameters = DEFAULT_PARAMETERS,
) -> ProjectEstimate:
    """Stock change from permanent plots: per-plot Δ(tCO2e ha⁻¹) through the stratified
    estimator, giving the u to use for the deduction on the change (§7.4)."""
    ids, delta = sampling.paired_changes(
        plots_t1.plot_id, plots_t1.co2e_t_ha, plots_t2.plot_id, plots_t2.co2e_t_ha
    )
    position = {p: i for i, p in enumerate(plots_t2.plot_id)}
    rows = [position[i] for i in ids]
    stratum = tuple(plots_t2.stratum[r] for r in rows)
    return sampling.stratified_estimate(
        delta,
        _stratum_codes(stratum, strata),
        strata.stratum,
        strata.area_ha,
        census=strata.census,
        unit_area_ha=plots_t2.area_ha[rows],
        confidence=params.confidence,
        target=params.uncertainty_target,
        rule=params.deduction_rule,
        unit="tCO2e/ha",
    )


def _stratum_codes(plot_strata: Sequence[str], strata: StrataTable) -> np.ndarray:
    position = {s: i for i, s in enumerate(strata.stratum)}
    unknown = sorted({s for s in plot_strata if s not in position})
    if unknown or len(position) != len(strata.stratum):
        raise CarbonInputError(
            [
                Notice(
                    "strata.unknown",
                    gettext_noop(
                        "plots refer to strata missing from the strata table (or the "
                        "table repeats one): %(strata)s"
                    ),
                    {"strata": ", ".join(unknown)},
                )
            ]
        )
    return np.array([position[s] for s in plot_strata], dtype=np.int64)
