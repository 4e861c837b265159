"""Height-diameter models, regional heights and the height resolver (carbon-methods §3.2)."""

import numpy as np
import pytest

from quantification.engine import hd_models
from quantification.engine import height as hd
from quantification.engine.notices import CarbonInputError, ParameterError

from .conftest import REL_ROUNDED, assert_rel, assert_stated

#: BIOMASS tests/testthat/test-modelHD.R "Without parameters" (example V6).
V6 = {
    "log1": (4.305060, 0.2231136, -0.01559652),
    "log2": (4.222718, 0.2215495, -0.01595885),
    "weibull": (4.220562, None, -0.01878870),
    "michaelis": (4.235974, None, -0.02018496),
}


def test_it_reproduces_the_biomass_modelhd_comparison_table_v6(nouragues_hd):
    models = hd_models.compare_hd_models(*nouragues_hd)
    assert [m.method for m in models] == list(V6)
    for model in models:
        rse, rse_log, bias = V6[model.method]
        assert_rel(model.rse, rse)
        assert_rel(model.average_bias, bias)
        if rse_log is None:
            assert np.isnan(model.rse_log)
        else:
            assert_rel(model.rse_log, rse_log)
        assert model.n_heights == 888


def test_it_picks_the_model_with_the_lowest_rse(nouragues_hd):
    assert hd_models.best_hd_model(hd_models.compare_hd_models(*nouragues_hd)).method == "weibull"


def test_it_reproduces_the_weighted_log2_vignette_model_v7(nouragues_hd, vignette):
    model = hd_models.fit_hd_model(*nouragues_hd, "log2", use_weight=True)
    assert_rel(model.coefficients, (0.5169498, 1.1418811, -0.0985429), REL_ROUNDED)
    assert_rel(model.rse_log, 0.2240379, REL_ROUNDED)
    assert_stated(model.predict(30.0), "26.732")
    # The vignette's H_model column was predicted with this model for its 2050 trees.
    assert_rel(model.predict(vignette["D"]), vignette["H_model"])
    assert model.weighted and model.model_id == "local:log2"


def test_it_applies_the_baskerville_correction_to_log_models(nouragues_hd):
    model = hd_models.fit_hd_model(*nouragues_hd, "log1")
    a, b = model.coefficients
    assert model.predict(20.0) == pytest.approx(np.exp(a + b * np.log(20.0) + model.rse_log**2 / 2))


def test_it_refuses_a_model_on_fewer_than_15_heights():
    d = np.linspace(5, 60, 20)
    h = np.where(np.arange(20) < 14, 2 + 0.5 * d, np.nan)
    with pytest.raises(CarbonInputError, match="at least 15 measured heights"):
        hd_models.fit_hd_model(d, h, "log1")
    with pytest.raises(ParameterError, match="height_model"):
        hd_models.fit_hd_model(d, h, "cubic")


def test_it_warns_about_few_heights_and_uneven_diameter_bins():
    d = np.array([10.0] * 16 + [80.0, 90.0])
    notes = hd_models.hd_data_warnings(d, 5 + 0.3 * d)
    assert [n.code for n in notes] == ["hd.uneven_diameters"]
    assert "16/0/2" in notes[0].message
    few = hd_models.hd_data_warnings(d[:10], 5 + 0.3 * d[:10])
    assert few[0].code == "hd.few_heights"
    spread = np.linspace(5, 80, 40)
    assert hd_models.hd_data_warnings(spread, 3 + 0.4 * spread) == ()


def test_it_reproduces_feldpausch_coefficients_for_every_region():
    regions = hd.feldpausch_coefficients()
    assert len(regions) == 12
    wam = regions["WAmazonia"]
    assert (wam.a, wam.b, wam.c, wam.rse) == (46.263, 0.0876, 0.6072, 5.277)
    for k in regions.values():
        expected = k.a * (1 - np.exp(-k.b * 30.0**k.c))
        assert hd.feldpausch_height(30.0, k.region) == pytest.approx(expected, rel=1e-15)
    with pytest.raises(ParameterError, match="feldpausch_region"):
        hd.feldpausch_height(30.0, "Andes")


def test_it_fills_only_missing_heights_and_records_the_source():
    d = np.array([25.0, 25.0, 30.0])
    h = np.array([18.0, np.nan, np.nan])
    options = hd.HeightOptions(method=hd.METHOD_FELDPAUSCH, region="WAmazonia")
    resolved = hd.resolve_heights(d, h, options)
    sources = np.asarray(resolved.source_labels)[resolved.source_codes]
    assert list(sources) == ["measured", "feldpausch:WAmazonia", "feldpausch:WAmazonia"]
    assert resolved.height_m[0] == 18.0
    assert resolved.height_m[1] == hd.feldpausch_height(25.0, "WAmazonia")


def test_it_fills_heights_with_chave_e_only_when_e_is_known():
    d, h = np.array([20.0]), np.array([np.nan])
    resolved = hd.resolve_heights(d, h, hd.HeightOptions(method=hd.METHOD_CHAVE_E, e=0.1))
    assert resolved.height_m[0] == hd.chave_e_height(20.0, 0.1)
    assert resolved.source_labels[resolved.source_codes[0]] == "chave_e"
    with pytest.raises(ParameterError, match="e_index"):
        hd.resolve_heights(d, h, hd.HeightOptions(method=hd.METHOD_CHAVE_E))


def test_it_fits_a_local_model_when_there_are_enough_heights(nouragues_hd):
    d, h = nouragues_hd
    resolved = hd.resolve_heights(d, h, hd.HeightOptions(model="log2"))
    missing = np.isnan(h)
    assert resolved.source_labels[resolved.source_codes[missing][0]] == "local:log2"
    model = resolved.models[0]
    assert np.array_equal(resolved.height_m[missing], model.predict(d[missing]))
    assert np.array_equal(resolved.height_m[~missing], h[~missing])


def test_it_falls_back_to_feldpausch_with_too_few_heights():
    d = np.linspace(10, 50, 30)
    h = np.where(np.arange(30) < 5, 0.5 * d, np.nan)
    resolved = hd.resolve_heights(d, h, hd.HeightOptions())
    assert "feldpausch:WAmazonia" in resolved.source_labels
    assert "hd.fallback" in {n.code for n in resolved.warnings}
    assert resolved.models == ()


def test_it_fits_one_model_per_plot_and_pools_plots_with_too_few_heights():
    rng = np.random.default_rng(7)
    d = rng.uniform(5, 60, 90)
    h = np.exp(0.9 + 0.6 * np.log(d)) * rng.lognormal(0, 0.1, 90)
    plot = np.repeat([0, 1, 2], 30)
    h[(plot == 2) & (np.arange(90) % 3 != 0)] = np.nan  # plot C: 10 heights only
    h[(plot < 2) & (np.arange(90) % 5 == 0)] = np.nan
    options = hd.HeightOptions(model="log1", by_group=True)
    resolved = hd.resolve_heights(d, h, options, group_codes=plot, group_labels=("A", "B", "C"))
    sources = np.asarray(resolved.source_labels)[resolved.source_codes]
    missing = np.isnan(h)
    assert set(sources[missing & (plot == 0)]) == {"local:log1[A]"}
    assert set(sources[missing & (plot == 1)]) == {"local:log1[B]"}
    assert set(sources[missing & (plot == 2)]) == {"local:log1"}
    assert [m.model_id for m in resolved.models] == ["local:log1[A]", "local:log1[B]", "local:log1"]


def test_it_gives_an_unmeasured_stem_the_height_of_its_tree():
    d = np.array([12.0, 15.0, 20.0])
    h = np.array([np.nan, 14.0, np.nan])
    stem_of = np.array([0, 0, 1])
    options = hd.HeightOptions(method=hd.METHOD_FELDPAUSCH)
    resolved = hd.resolve_heights(d, h, options, stem_of=stem_of)
    sources = np.asarray(resolved.source_labels)[resolved.source_codes]
    assert list(sources) == ["measured:tree", "measured", "feldpausch:WAmazonia"]
    assert resolved.height_m[0] == 14.0


def test_it_leaves_heights_missing_with_the_measured_method():
    resolved = hd.resolve_heights(
        np.array([20.0]), np.array([np.nan]), hd.HeightOptions(method=hd.METHOD_MEASURED)
    )
    assert np.isnan(resolved.height_m[0])
    assert resolved.source_labels[resolved.source_codes[0]] == "none"
