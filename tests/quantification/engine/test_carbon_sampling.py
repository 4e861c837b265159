"""Roots, carbon, plot and stratified estimates (carbon-methods §5-§7; P1, P4, P5, P7)."""

import math

import numpy as np
import pytest

from quantification.engine import biomass, sampling
from quantification.engine.notices import CarbonInputError

from .conftest import assert_rel, assert_stated


def test_it_computes_roots_carbon_and_co2e_of_example_t1():
    agb = 0.0673 * (0.447 * 25.0**2 * 18.0) ** 0.976
    bgb = biomass.bgb_from_ratio(agb, 0.27)
    carbon = biomass.carbon(agb, bgb, 0.47)
    assert_stated(bgb, "74.474")
    assert_stated(carbon, "164.642")
    assert_stated(biomass.co2e(carbon), "603.689")


def test_it_converts_one_tonne_of_biomass_to_co2e_p7():
    assert_stated(biomass.co2e(biomass.carbon(1.0, 0.0, 0.47)), "1.72333")
    assert biomass.CO2_PER_C == 44 / 12


def test_it_applies_cairns_and_mokany_per_hectare_p1():
    assert_stated(biomass.cairns1997_bgb_t_ha(22.74), "6.09")
    assert_stated(biomass.mokany2006_bgb_t_ha(22.74), "7.89")
    assert_rel(biomass.cairns1997_bgb_t_ha(20.0) / 20.0, 0.27, 0.01)
    assert_rel(biomass.cairns1997_bgb_t_ha(100.0) / 100.0, 0.24, 0.02)
    assert biomass.cairns1997_bgb_t_ha(0.0) == 0.0
    assert biomass.plot_bgb_t_ha(np.array([10.0]), "ratio", 0.27)[0] == pytest.approx(2.7)


def test_it_reproduces_the_deduction_rules_of_p5():
    estimate = sampling.stratified_estimate(
        np.array([20.0, 35, 12, 41, 25]), np.zeros(5, int), ["S"], np.array([100.0])
    )
    assert_stated(estimate.total, "2660")
    assert_stated(estimate.u, "0.4154")
    assert_stated(estimate.total_adjusted, "1821.14")
    lower = sampling.apply_deduction(estimate.total, estimate.u, rule="lower_bound", target=0.1)
    assert_stated(lower, "1555.14")
    assert estimate.df == 4
    values = np.array([20.0, 35, 12, 41, 25])
    n = values.size
    spec_variance = (n * np.sum(values**2) - values.sum() ** 2) / (n * (n - 1))
    assert estimate.strata[0].variance == pytest.approx(spec_variance, rel=1e-14)


def _plots_with(mean: float, variance: float, n: int) -> np.ndarray:
    """n plot values with exactly this mean and sample variance."""
    z = np.arange(n, dtype=float)
    z = (z - z.mean()) / z.std(ddof=1)
    return mean + math.sqrt(variance) * z


def test_it_reproduces_the_stratified_uncertainty_of_p4():
    # P4 gives the strata (320 ha / 8 plots, 480 ha / 10 plots) and the results, not the plot
    # values; these plots are built to have the moments that give those results.
    s1 = _plots_with(35.0, 50.0, 8)
    m2 = (38.259 - 0.4 * 35.0) / 0.6
    v2 = (1.71736**2 - 0.02 * 50.0) / 0.036
    s2 = _plots_with(m2, v2, 10)
    estimate = sampling.stratified_estimate(
        np.concatenate([s1, s2]),
        np.repeat([0, 1], [8, 10]),
        ["upper", "lower"],
        np.array([320.0, 480.0]),
    )
    assert_stated(estimate.mean, "38.259")
    assert_stated(estimate.se, "1.71736")
    assert estimate.df == 16
    assert_stated(estimate.t_value, "1.74588")
    assert_stated(estimate.u, "0.0784")
    assert_stated(estimate.total, "30607.2")
    assert estimate.total_adjusted == estimate.total  # u below the 10% target
    assert [s.weight for s in estimate.strata] == [0.4, 0.6]


def test_it_gives_census_strata_no_sampling_error():
    values = np.array([10.0, 12.0, 30.0, 50.0])
    estimate = sampling.stratified_estimate(
        values,
        np.array([0, 0, 1, 1]),
        ["sampled", "census"],
        np.array([10.0, 3.0]),
        census=np.array([False, True]),
        unit_area_ha=np.array([0.1, 0.1, 1.0, 2.0]),
    )
    census = estimate.strata[1]
    assert census.total == pytest.approx(30.0 * 1 + 50.0 * 2)
    assert census.mean == pytest.approx(130.0 / 3)
    assert census.se == 0 and census.u == 0
    assert estimate.df == 1
    sampled_only = estimate.strata[0].se * estimate.strata[0].weight
    assert estimate.se == pytest.approx(sampled_only)


def test_it_refuses_strata_it_cannot_estimate():
    with pytest.raises(CarbonInputError) as error:
        sampling.stratified_estimate(
            np.array([5.0, 6.0]), np.array([0, 1]), ["A", "B"], np.array([1.0, 0.0])
        )
    codes = [e.code for e in error.value.errors]
    assert codes == ["stratum.too_few_plots", "stratum.area", "stratum.too_few_plots"]


def test_it_estimates_changes_from_permanent_plots():
    ids, delta = sampling.paired_changes(
        ["a", "b", "c"], [10.0, 20, 30], ["c", "a", "b"], [33.0, 12, 21]
    )
    assert ids == ["c", "a", "b"] and list(delta) == [3.0, 2.0, 1.0]
    with pytest.raises(CarbonInputError, match="measured only once: d"):
        sampling.paired_changes(["a"], [1.0], ["a", "d"], [2.0, 3.0])


def test_it_combines_the_uncertainty_of_independent_stocks():
    u = sampling.independent_change_uncertainty(12500.0, 0.05, 19800.0, 0.06)
    assert u == pytest.approx(math.sqrt(625.0**2 + 1188.0**2) / 7300.0)
    assert sampling.independent_change_uncertainty(1.0, 0.1, 1.0, 0.1) == math.inf


def test_it_computes_deduction_factors():
    assert sampling.deduction_factor(0.08, rule="excess", target=0.1) == 1
    assert sampling.deduction_factor(0.25, rule="excess", target=0.1) == pytest.approx(0.85)
    assert sampling.deduction_factor(0.25, rule="lower_bound", target=0.1) == pytest.approx(0.75)
    assert sampling.deduction_factor(1.5, rule="lower_bound", target=0.1) == 0
    assert sampling.apply_deduction(-100.0, 0.5, rule="excess", target=0.1) == -100.0
