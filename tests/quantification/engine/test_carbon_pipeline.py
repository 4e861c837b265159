"""compute_trees -> aggregate_plots -> estimate_project on TreeTables (no database)."""

import time

import numpy as np
import pytest

from quantification.engine import CarbonParameters, pipeline
from quantification.engine.allometry import chave2014_eq4, segura2006_coffee
from quantification.engine.height import feldpausch_height
from quantification.engine.notices import CarbonInputError

from .conftest import assert_rel, assert_stated

FELD = CarbonParameters(height_method="feldpausch")


def _trees(**columns):
    columns.setdefault("tree_id", [f"t{i}" for i in range(len(columns["dbh_cm"]))])
    return pipeline.TreeTable.from_columns(**columns)


def _column(results, name):
    return list(getattr(results, name).values())


def test_it_computes_the_tree_examples_t1_t2_t6_t7():
    trees = _trees(
        species=[
            "Cedrela odorata",
            "Cedrela odorata",
            "Calycophyllum spruceanum",
            "Swietenia macrophylla",
        ],
        dbh_cm=[25, 25, 3, 120],
        height_m=[18, np.nan, 2.5, 38],
        wood_density=[0.447, 0.447, 0.719, 0.52],
    )
    r = pipeline.compute_trees(trees, FELD)
    assert_stated(r.agb_kg[0], "275.829")
    assert_stated(r.bgb_kg[0], "74.474")
    assert_stated(r.carbon_kg[0], "164.642")
    assert_stated(r.co2e_kg[0], "603.689")
    assert r.height_m[1] == feldpausch_height(25.0, "WAmazonia")
    assert _column(r, "height_source")[:2] == ["measured", "feldpausch:WAmazonia"]
    assert_stated(r.agb_kg_raw[2], "1.018")
    assert r.agb_kg[2] == 0 and r.co2e_kg[2] == 0
    assert r.flag_names(2) == ("below_dmin",)
    assert_stated(r.agb_kg[3], "14166.6")
    assert _column(r, "wood_density_level") == ["local"] * 4
    assert _column(r, "equation") == ["chave2014_eq4"] * 4


def test_it_looks_up_wood_density_and_fills_the_plot_mean_t10():
    trees = _trees(
        species=[
            "Cedrela odorata",
            "Inga edulis",
            "Inga edulis",
            "Cordia alliodora",
            "Inga densiflora",
            "desconocida",
        ],
        dbh_cm=[20, 20, 20, 20, 20, 20],
        plot_id=["P"] * 6,
    )
    r = pipeline.compute_trees(trees, FELD)
    assert _column(r, "wood_density_level") == ["species"] * 4 + ["genus", "plot"]
    assert r.wood_density[5] == pytest.approx(r.wood_density[:5].mean(), rel=1e-15)
    assert_stated(r.wood_density[5], "0.544")
    assert _column(r, "taxon")[5] == ""


def test_it_excludes_palms_bananas_and_coffee_unless_an_equation_is_given_t11():
    trees = _trees(
        species=["Bactris gasipaes", "platano", "Coffea arabica", "Inga edulis"],
        dbh_cm=[20, 15, 3, 20],
        height_m=[8, 3, 1.8, 12],
    )
    r = pipeline.compute_trees(trees, FELD)
    assert _column(r, "equation")[:3] == ["excluded:palm", "excluded:banana", "excluded:coffee"]
    assert list(r.agb_kg[:3]) == [0, 0, 0] and r.agb_kg[3] > 0
    assert _column(r, "wood_density_level")[:3] == ["not_applicable"] * 3
    assert all("excluded_growth_form" in r.flag_names(i) for i in range(3))
    coffee = FELD.replace(species_equations={"Coffea arabica": "segura2006_coffee"})
    r = pipeline.compute_trees(trees, coffee)
    assert_stated(r.agb_kg[2], "0.614")  # d15 = 3 cm: Dmin does not apply to coffee
    assert r.agb_kg[2] == segura2006_coffee(3.0, 1.8)


def test_it_uses_a_species_equation_from_the_parameters_t5():
    trees = _trees(
        species=["Cordia alliodora", "Cordia alliodora"],
        dbh_cm=[30, 30],
        height_m=[20, 20],
        wood_density=[0.52, 0.52],
    )
    segura = FELD.replace(species_equations={"Cordia alliodora": "segura2006_cordia"})
    assert_stated(pipeline.compute_trees(trees, segura).agb_kg[0], "202")
    assert_stated(pipeline.compute_trees(trees, FELD).agb_kg[0], "506")


def test_it_credits_nothing_for_dead_cut_or_missing_trees():
    trees = _trees(
        species=["Inga edulis"] * 4,
        dbh_cm=[20, 20, np.nan, 20],
        status=["alive", "dead_standing", "cut", "not_found"],
    )
    r = pipeline.compute_trees(trees, FELD)
    assert r.agb_kg[0] > 0 and list(r.agb_kg[1:]) == [0, 0, 0]
    assert list(r.alive) == [True, False, False, False]
    assert "not_alive" in r.flag_names(1)


def test_it_sums_the_stems_of_multi_stem_trees():
    trees = _trees(
        tree_id=["a1", "a2", "b"],
        species=["Inga edulis"] * 3,
        dbh_cm=[12, 15, 30],
        height_m=[np.nan, 11, np.nan],
        stem_of=["A", "A", "B"],
        wood_density=[0.6, 0.6, 0.6],
    )
    r = pipeline.compute_trees(trees, FELD)
    assert r.height_m[0] == 11.0 and _column(r, "height_source")[0] == "measured:tree"
    totals = pipeline.tree_totals(trees, r)
    assert list(totals["tree"]) == ["A", "B"]
    expected = chave2014_eq4(12.0, 11.0, 0.6) + chave2014_eq4(15.0, 11.0, 0.6)
    assert totals["agb_kg"][0] == pytest.approx(expected, rel=1e-14)


def test_it_reports_every_bad_row_at_once():
    trees = _trees(
        species=["Inga edulis"] * 5,
        dbh_cm=[20, -1, np.nan, 20, 20],
        height_m=[0, 12, 12, np.nan, 12],
        wood_density=[np.nan, 0.5, 0.5, -0.2, 0.5],
        status=["alive", "alive", "alive", "alive", "zombie"],
    )
    with pytest.raises(CarbonInputError) as error:
        pipeline.compute_trees(trees, FELD, line_offset=2)
    found = [(e.line, e.column) for e in error.value.errors]
    assert found == [
        (2, "height_m"),
        (3, "dbh_cm"),
        (4, "dbh_cm"),
        (5, "wood_density"),
        (6, "status"),
    ]


def test_it_refuses_to_credit_a_tree_whose_equation_lacks_a_height():
    trees = _trees(species=["Inga edulis", "Inga edulis"], dbh_cm=[20, 25], height_m=[12, np.nan])
    with pytest.raises(CarbonInputError, match="lacks an input") as error:
        pipeline.compute_trees(trees, CarbonParameters(height_method="measured"))
    assert [e.line for e in error.value.errors] == [1]
    no_height = CarbonParameters(
        height_method="measured", default_equation="chave2014_eq7", e_index=0.0
    )
    assert pipeline.compute_trees(trees, no_height).agb_kg[1] > 0


def test_it_carries_what_is_needed_to_trace_a_result():
    r = pipeline.compute_trees(_trees(species=["Inga edulis"], dbh_cm=[200.0]), FELD)
    assert r.parameters_fingerprint == FELD.fingerprint()
    assert r.method_version == "pichanaki-carbon 1.0.0"
    assert set(r.reference_data) >= {
        "wood_density/gwdd.csv",
        "taxonomy/synonyms.csv",
        "wood_density/feldpausch_coefficients.csv",
    }
    assert "flag.d_over_150" in {n.code for n in r.warnings}
    assert r.flag_counts()["d_over_150"] == 1


def test_it_is_deterministic_bit_for_bit():
    rng = np.random.default_rng(11)
    n = 5000
    species = rng.choice(["Inga edulis", "Cedrela odorata", "Guazuma crinita", "x"], n)
    columns = {
        "species": species,
        "dbh_cm": np.round(rng.uniform(5, 60, n), 1),
        "height_m": np.where(rng.random(n) < 0.4, np.round(rng.uniform(4, 30, n), 1), np.nan),
        "plot_id": rng.choice(["a", "b", "c"], n),
    }
    first = pipeline.compute_trees(_trees(**columns), CarbonParameters())
    second = pipeline.compute_trees(_trees(**columns), CarbonParameters())
    for name in ("wood_density", "height_m", "agb_kg", "co2e_kg", "flags"):
        assert getattr(first, name).tobytes() == getattr(second, name).tobytes()
    assert first.height_models == second.height_models


def test_it_handles_a_million_trees_without_per_tree_python_loops():
    n = 1_000_000
    rng = np.random.default_rng(5)
    labels = ("Inga edulis", "Cedrela odorata", "Cordia alliodora", "Guazuma crinita", "x y")
    trees = pipeline.TreeTable(
        tree_id=np.arange(n),
        species=pipeline.Categorical(rng.integers(0, len(labels), n).astype(np.int32), labels),
        dbh_cm=rng.uniform(3, 80, n),
        height_m=np.full(n, np.nan),
        plot=pipeline.Categorical(
            (np.arange(n) // 40).astype(np.int32), tuple(map(str, range(n // 40)))
        ),
    )
    pipeline.compute_trees(trees, FELD)  # warm the reference-table caches
    start = time.perf_counter()
    r = pipeline.compute_trees(trees, FELD)
    elapsed = time.perf_counter() - start
    assert r.agb_kg.shape == (n,)
    assert elapsed < 3.0, f"{elapsed:.2f} s for 1e6 trees"  # ~0.2 s on an idle machine


def test_it_aggregates_plots_per_hectare_and_applies_plot_level_roots_p1():
    # One tree whose AGB makes exactly 22.74 t/ha on a 400 m2 plot; an empty plot counts as 0.
    agb_kg = 22.74 * 0.04 * 1000
    h = (agb_kg / 0.0673) ** (1 / 0.976) / (0.6 * 30.0**2)
    trees = _trees(
        species=["Inga edulis"], dbh_cm=[30.0], height_m=[h], wood_density=[0.6], plot_id=["p1"]
    )
    plots = pipeline.PlotTable.from_columns(
        plot_id=["p1", "p2"], stratum=["s", "s"], area_m2=[400.0, 400.0]
    )
    for method, stated in (("cairns1997", "6.09"), ("mokany2006", "7.89")):
        params = FELD.replace(bgb_method=method)
        totals = pipeline.aggregate_plots(
            trees, pipeline.compute_trees(trees, params), plots, params
        )
        assert_rel(totals.agb_t_ha[0], 22.74, 1e-12)
        assert_stated(totals.bgb_t_ha[0], stated)
        assert totals.agb_t_ha[1] == 0 and totals.co2e_t_ha[1] == 0
        assert list(totals.n_alive) == [1, 0]
    ratio = pipeline.aggregate_plots(trees, pipeline.compute_trees(trees, FELD), plots, FELD)
    assert_rel(ratio.bgb_t_ha[0], 22.74 * 0.27, 1e-12)
    assert_rel(ratio.co2e_t_ha[0], 22.74 * 1.27 * 0.47 * 44 / 12, 1e-12)
    parcel_ha = 2.5
    assert_rel(ratio.co2e_t_ha[0] * parcel_ha, ratio.co2e_t[0] / 0.04 * parcel_ha, 1e-12)


def test_it_estimates_the_project_and_the_change_on_permanent_plots():
    rng = np.random.default_rng(2)
    plot_ids = [f"p{i}" for i in range(12)]
    plots = pipeline.PlotTable.from_columns(
        plot_id=plot_ids, stratum=["a"] * 6 + ["b"] * 6, area_ha=[0.04] * 12
    )
    strata = pipeline.StrataTable(("a", "b"), np.array([300.0, 500.0]))

    def census(growth: float):
        d = np.repeat(rng.uniform(10, 25, 12), 5) + growth
        trees = _trees(species=["Inga edulis"] * 60, dbh_cm=d, plot_id=np.repeat(plot_ids, 5))
        return pipeline.aggregate_plots(trees, pipeline.compute_trees(trees, FELD), plots, FELD)

    t1 = census(0.0)
    rng = np.random.default_rng(2)
    t2 = census(3.0)
    stock = pipeline.estimate_project(t2, strata, FELD)
    assert stock.total == pytest.approx(
        300 * t2.co2e_t_ha[:6].mean() + 500 * t2.co2e_t_ha[6:].mean()
    )
    change = pipeline.estimate_change(t1, t2, strata, FELD)
    assert change.total == pytest.approx(
        stock.total - pipeline.estimate_project(t1, strata, FELD).total
    )
    assert change.u < stock.u


def test_it_refuses_trees_in_unknown_plots_and_plots_in_unknown_strata():
    trees = _trees(species=["Inga edulis"] * 2, dbh_cm=[20, 20], plot_id=["p1", "zz"])
    plots = pipeline.PlotTable.from_columns(plot_id=["p1"], stratum=["s"], area_m2=[400])
    r = pipeline.compute_trees(trees, FELD)
    with pytest.raises(CarbonInputError, match="zz is not in the plots table") as error:
        pipeline.aggregate_plots(trees, r, plots, FELD, line_offset=2)
    assert error.value.errors[0].line == 3
    one = _trees(species=["Inga edulis"], dbh_cm=[20], plot_id=["p1"])
    totals = pipeline.aggregate_plots(one, pipeline.compute_trees(one, FELD), plots, FELD)
    with pytest.raises(CarbonInputError, match="missing from the strata table"):
        pipeline.estimate_project(totals, pipeline.StrataTable(("t",), np.array([1.0])), FELD)


def test_it_refuses_columns_of_different_lengths():
    with pytest.raises(ValueError, match="one value per row"):
        pipeline.TreeTable.from_columns(tree_id=["a"], species=["x", "y"], dbh_cm=[1.0, 2.0])
