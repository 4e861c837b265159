"""Ex-ante projections, the long-term average and growth calibration (§9; P2, P3)."""

import numpy as np
import pytest

from quantification.engine import CarbonParameters, GrowthCurve, growth
from quantification.engine import exante as ex
from quantification.engine.notices import CarbonInputError

from .conftest import assert_stated

MEDIUM = GrowthCurve(45.0, 0.12, 1.3)
# P2/P3: Feldpausch W-Amazonia heights, R 0.27 (the defaults otherwise).
P2_PARAMS = CarbonParameters(height_method="feldpausch")


def test_it_reproduces_the_chapman_richards_example_p2():
    tree = ex.tree_trajectory([5, 10, 20], MEDIUM, wood_density=0.447, params=P2_PARAMS)
    for value, stated in zip(tree.dbh_cm, ("15.99", "28.24", "39.77"), strict=True):
        assert_stated(value, stated)
    for value, stated in zip(tree.co2e_kg, ("244.0", "952.0", "2129.5"), strict=True):
        assert_stated(value, stated)


def test_it_reproduces_the_long_term_average_and_buffer_of_p3():
    cohort = ex.Cohort(
        "Cedrela odorata", n_planted=400 * 1.5, wood_density=0.447, survival=0.8, mortality=0.0
    )
    projection = ex.project_exante([cohort], P2_PARAMS.replace(cap_rule="lta"))
    assert projection.years[0] == 1 and projection.years[-1] == 30
    assert projection.stock_t_co2e[0] == 0.0  # D(1) = 2.6 cm is below Dmin
    assert_stated(projection.stock_t_co2e[9], "456.96")
    assert_stated(projection.stock_t_co2e[29], "1253.61")
    assert_stated(projection.long_term_average, "716.15")
    credits = ex.exante_credits(projection, P2_PARAMS)
    assert_stated(credits.issuable_exact, "501.31")
    assert (credits.buffer, credits.issuable) == (215, 501)


def test_it_caps_at_the_end_stock_without_harvest_and_at_the_lta_with_thinning():
    plain = ex.project_exante([ex.Cohort("Cedrela odorata", 100, wood_density=0.447)], P2_PARAMS)
    assert plain.cap_rule == "end_stock" and plain.cap == plain.stock_t_co2e[-1]
    thinned = ex.project_exante(
        [ex.Cohort("Cedrela odorata", 100, wood_density=0.447, thinning=((15, 0.5),))], P2_PARAMS
    )
    assert thinned.cap_rule == "lta"
    assert thinned.cap == pytest.approx(thinned.stock_t_co2e.mean())
    year = thinned.years
    assert thinned.stock_t_co2e[year == 15] == pytest.approx(plain.stock_t_co2e[year == 15] / 2)


def test_it_applies_survival_mortality_and_replanting_cohorts():
    n = ex.survivors(1000, np.array([0, 1, 2, 5]), survival=0.8, mortality=0.05)
    assert list(n) == pytest.approx([800, 800, 760, 800 * 0.95**4])
    first = ex.Cohort("Inga edulis", 200, planting_year=0)
    replant = ex.Cohort("Inga edulis", 50, planting_year=3, label="replanting")
    projection = ex.project_exante([first, replant], P2_PARAMS)
    late = projection.cohort_stock_t_co2e[1]
    assert np.all(late[projection.years <= 3] == 0)
    alone = ex.project_exante([first], P2_PARAMS).stock_t_co2e
    shifted = np.concatenate([np.zeros(3), alone[:-3]]) * 50 / 200
    assert late == pytest.approx(shifted)
    assert projection.growth_groups == ("service_shade", "service_shade")
    assert projection.wood_densities[0] == pytest.approx(0.587, abs=5e-4)


def test_it_refuses_cohorts_it_cannot_project():
    with pytest.raises(CarbonInputError, match="no growth curve"):
        ex.project_exante([ex.Cohort("Persea americana", 10)], P2_PARAMS)
    with pytest.raises(CarbonInputError, match="growth form coffee is excluded"):
        ex.project_exante([ex.Cohort("Coffea arabica", 10, growth_group="exotic")], P2_PARAMS)
    mapped = P2_PARAMS.replace(species_growth_groups={"Persea americana": "medium_native"})
    assert ex.project_exante([ex.Cohort("Persea americana", 10)], mapped).cap > 0


def test_it_calibrates_the_growth_curve_within_its_constraints():
    truth = GrowthCurve(38.0, 0.18, 1.4)
    ages = np.repeat([2.0, 4, 6, 8, 10, 12], 5)
    noise = np.random.default_rng(3).normal(0, 0.4, ages.size)
    observed = growth.chapman_richards(ages, truth) + noise
    fit = growth.calibrate_growth(ages, observed, MEDIUM)
    assert fit.calibrated and fit.n_ages == 6
    assert fit.curve.dmax_cm == pytest.approx(38.0, rel=0.1)
    assert fit.curve.k == pytest.approx(0.18, rel=0.2)
    assert fit.curve.dmax_cm > observed.max() and 0 < fit.curve.k < 1 and fit.curve.p >= 1
    assert fit.rss < growth.calibrate_growth(ages, observed, MEDIUM).rss + 1e-9
    assert fit.rss < float(np.sum((observed - growth.chapman_richards(ages, MEDIUM)) ** 2))


def test_it_keeps_the_prior_with_fewer_than_three_ages():
    fit = growth.calibrate_growth([3.0, 3.0, 6.0], [8.0, 9.0, 15.0], MEDIUM)
    assert not fit.calibrated and fit.curve is MEDIUM
    assert fit.reason.code == "growth.too_few_ages"
    with pytest.raises(CarbonInputError, match="growth observation 1"):
        growth.calibrate_growth([3.0, -1.0, 6.0], [8.0, 9.0, 15.0], MEDIUM)


def test_it_serialises_a_projection():
    projection = ex.project_exante([ex.Cohort("Guazuma crinita", 100)], P2_PARAMS)
    data = projection.to_dict()
    assert len(data["years"]) == 30
    assert data["cohorts"][0]["growth_group"] == "fast_pioneer"
    assert data["parameters_fingerprint"] == P2_PARAMS.fingerprint()
