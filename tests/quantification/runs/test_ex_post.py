"""End-to-end ex-post runs on the fixture project, checked against the pure engine."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.db.models import Sum

from parcels.models import TreeMeasurement
from quantification import services
from quantification.engine import pipeline, removals
from quantification.engine.parameters import CarbonParameters
from quantification.exceptions import InvalidParameters, RunNotReady
from quantification.figures import decimal
from quantification.models import (
    CalculationRun,
    ParcelResult,
    ParcelVintage,
    PlotResult,
    RunKind,
    RunStatus,
    RunVintage,
    StratumResult,
    TreeResult,
)
from tests.quantification.runs import fixture_project

TREE_VALUES = ("wood_density", "height_m", "agb_raw_kg", "agb_kg", "bgb_kg", "co2e_kg")


@pytest.fixture
def field(personas):
    return fixture_project.build(personas)


def _ex_post(field, actor, **kwargs) -> CalculationRun:
    return fixture_project.run(field, actor, kind=RunKind.EX_POST, **kwargs)


def _pure_inputs(field):
    """The engine's inputs rebuilt straight from the ORM (independently of the loaders)."""
    trees = list(
        TreeMeasurement.objects.filter(plot__in=field.plots)
        .order_by("pk")
        .select_related("species", "plot__parcel")
    )
    table = pipeline.TreeTable.from_columns(
        tree_id=[t.pk for t in trees],
        species=[t.species.scientific_name for t in trees],
        family=[t.species.family for t in trees],
        dbh_cm=[float(t.dbh_cm) for t in trees],
        height_m=[np.nan if t.height_m is None else float(t.height_m) for t in trees],
        plot_id=[str(t.plot_id) for t in trees],
        wood_density=[np.nan] * len(trees),
        status=[t.status for t in trees],
    )
    plots = pipeline.PlotTable.from_columns(
        plot_id=[str(p.pk) for p in field.plots],
        stratum=[p.parcel.stratum.code for p in field.plots],
        area_m2=[float(p.area_m2) for p in field.plots],
    )
    areas = {"s1": 0.0, "s2": 0.0}
    for parcel in field.parcels.values():
        parcel.refresh_from_db()
        areas[parcel.stratum.code] += float(parcel.area_ha)
    strata = pipeline.StrataTable(("s1", "s2"), np.array([areas["s1"], areas["s2"]]))
    pre = np.array([t.origin == "pre_existing" for t in trees])
    return trees, table, plots, strata, pre


def test_it_stores_the_figures_the_pure_engine_computes_on_the_same_inputs(field, personas):
    run = _ex_post(field, personas.manager_a)
    assert run.status == RunStatus.SUCCEEDED, run.error
    params = CarbonParameters()
    trees, table, plots, strata, pre = _pure_inputs(field)
    results = pipeline.compute_trees(table, params)
    stored = {r.tree_measurement_id: r for r in TreeResult.objects.filter(run=run)}
    for i, tree in enumerate(trees):
        row = stored[tree.pk]
        for name in TREE_VALUES:
            expected = float(getattr(results, "agb_kg_raw" if name == "agb_raw_kg" else name)[i])
            value = getattr(row, name)
            if np.isnan(expected):  # NULL on SQLite, NaN kept by PostgreSQL's COPY
                assert value is None or np.isnan(value), (tree.pk, name)
            else:
                assert value == expected, (tree.pk, name)
        assert row.height_source == results.height_source.values()[i]
        assert row.wood_density_level == results.wood_density_level.values()[i]
    totals = pipeline.aggregate_plots(table, results, plots, params)
    estimate = pipeline.estimate_project(totals, strata, params)
    only_pre = pipeline.TreeResults(
        **{
            **results.__dict__,
            "agb_kg": np.where(pre, results.agb_kg, 0.0),
            "alive": results.alive & pre,
        }
    )
    baseline = pipeline.estimate_project(
        pipeline.aggregate_plots(table, only_pre, plots, params), strata, params
    )
    issuance = removals.compute_issuance(
        c_t1=0,
        c_t2=estimate.total,
        params=params,
        uncertainty=estimate.u,
        baseline=decimal(baseline.total),
    )
    assert run.stock_tco2e == decimal(estimate.total)
    assert run.uncertainty_pct == decimal(Decimal(repr(estimate.u)) * 100, Decimal("0.0001"))
    assert run.baseline_tco2e == decimal(baseline.total)
    assert run.net_tco2e == decimal(issuance.delta_c_net)
    assert (run.buffer_tco2e, run.issuable_tco2e) == (issuance.buffer, issuance.issuable)
    assert run.details["height_models"][0]["model_id"].startswith("local:")


def test_it_gives_parcels_without_plots_their_stratum_mean_and_sums_exactly(field, personas):
    run = _ex_post(field, personas.manager_a)
    p5 = ParcelResult.objects.get(run=run, parcel=field.parcels["P5"])
    s2 = StratumResult.objects.get(run=run, stratum=field.strata["s2"])
    assert (p5.basis, p5.n_plots, p5.n_trees) == ("stratum", 0, 0)
    assert p5.stock_tco2e == decimal(_mean(run, str(s2.stratum_id)) * float(p5.area_ha))
    p1 = ParcelResult.objects.get(run=run, parcel=field.parcels["P1"])
    assert (p1.basis, p1.n_plots, p1.n_trees) == ("plots", 2, 19)
    parcels = ParcelResult.objects.filter(run=run)
    assert parcels.aggregate(s=Sum("net_tco2e"))["s"] == run.net_tco2e
    assert parcels.aggregate(s=Sum("issuable_tco2e"))["s"] == run.issuable_tco2e
    vintages = RunVintage.objects.filter(run=run)
    assert [v.year for v in vintages] == [2019, 2020]
    assert sum(v.issuable_tco2e for v in vintages) == run.issuable_tco2e
    assert sum(v.buffer_tco2e for v in vintages) == run.buffer_tco2e
    assert sum(v.net_tco2e for v in vintages) == run.net_tco2e
    for v in vintages:
        per_parcel = ParcelVintage.objects.filter(run=run, year=v.year)
        assert per_parcel.aggregate(s=Sum("issuable_tco2e"))["s"] == v.issuable_tco2e
    # 184 days of 2019 and 366 of 2020 in the period: pro rata to days.
    assert abs(vintages[0].net_tco2e / run.net_tco2e - Decimal(184) / 550) < Decimal("0.00001")
    assert p1.trees().count() == 19


def _mean(run, stratum_key: str) -> float:
    return next(s for s in run.details["estimate"]["strata"] if s["stratum"] == stratum_key)["mean"]


def test_it_reproduces_a_run_bit_for_bit(field, personas):
    first = _ex_post(field, personas.manager_a)
    second = _ex_post(field, personas.manager_a)
    assert first.input_hash == second.input_hash and len(first.input_hash) == 64

    def stored(run):
        trees = TreeResult.objects.filter(run=run).order_by("tree_measurement_id")
        return (
            [
                tuple(np.float64(v).tobytes() if v is not None else None for v in t)
                for t in trees.values_list(*TREE_VALUES, "carbon_kg")
            ],
            list(
                run.parcels.order_by("parcel_id").values_list(
                    "stock_tco2e", "change_tco2e", "net_tco2e", "issuable_tco2e"
                )
            ),
            list(run.plots.order_by("plot_id").values_list("co2e_t_ha", "baseline_co2e_t_ha")),
            (run.stock_tco2e, run.net_tco2e, run.buffer_tco2e, run.issuable_tco2e, run.details),
        )

    assert stored(first) == stored(second)


def test_it_changes_the_hash_when_an_input_changes(field, personas):
    first = _ex_post(field, personas.manager_a)
    TreeMeasurement.objects.filter(plot=field.plots[0], tree_tag="T00").update(
        dbh_cm=Decimal("20.1")
    )
    second = _ex_post(field, personas.manager_a)
    assert first.input_hash != second.input_hash
    assert first.stock_tco2e != second.stock_tco2e


def test_it_deducts_the_project_emissions_from_the_net_removals_exactly(field, personas):
    without = _ex_post(field, personas.manager_a)
    emitted = _ex_post(field, personas.manager_a, project_emissions_tco2e=Decimal("12.345"))
    assert emitted.status == RunStatus.SUCCEEDED, emitted.error
    assert without.emissions_tco2e == Decimal(0)
    assert emitted.emissions_tco2e == Decimal("12.345")
    assert emitted.stock_tco2e == without.stock_tco2e
    assert emitted.leakage_tco2e == without.leakage_tco2e == 0  # the default leakage rule
    assert emitted.net_tco2e == without.net_tco2e - Decimal("12.345")
    assert emitted.details["issuance"]["ghg_emissions"] == "12.345000"
    assert emitted.input_hash != without.input_hash
    assert sum(emitted.parcels.values_list("net_tco2e", flat=True)) == emitted.net_tco2e


def test_it_refuses_negative_or_ex_ante_project_emissions(field, personas):
    with pytest.raises(InvalidParameters, match="project_emissions_tco2e"):
        _ex_post(field, personas.manager_a, project_emissions_tco2e=Decimal("-1"))
    with pytest.raises(InvalidParameters, match="project_emissions_tco2e"):
        fixture_project.run(
            field, personas.manager_a, kind=RunKind.EX_ANTE, project_emissions_tco2e=Decimal(1)
        )
    assert not CalculationRun.objects.exists()


def _no_results(run) -> bool:
    return not any(
        model.objects.filter(run=run).exists()
        for model in (
            TreeResult,
            PlotResult,
            ParcelResult,
            StratumResult,
            RunVintage,
            ParcelVintage,
        )
    )


def test_it_fails_without_partial_results_on_a_tree_the_engine_refuses(field, personas):
    bad = TreeMeasurement.objects.get(plot=field.plots[2], tree_tag="T21")
    TreeMeasurement.objects.filter(pk=bad.pk).update(wood_density=Decimal("0.000"))
    run = _ex_post(field, personas.manager_a)
    assert run.status == RunStatus.FAILED and run.failure_code == "engine.trees"
    assert f"tree measurement {bad.pk}, wood_density" in run.error
    assert run.failure_params["errors"][0]["tree"] == bad.pk
    assert run.stock_tco2e is None and _no_results(run)


def test_it_fails_without_partial_results_on_parameters_refused_at_compute_time(field, personas):
    # Valid parameters, but only measured heights: the trees without one have no biomass.
    measured_only = services.create_parameter_set_version(
        project_id=field.project.pk,
        parameters={**CarbonParameters().to_dict(), "height_method": "measured"},
        actor=personas.manager_a,
    )
    run = _ex_post(field, personas.manager_a, parameter_set=measured_only)
    assert run.status == RunStatus.FAILED
    assert "no biomass" in run.error and "height_m" in run.error
    assert run.failure_code == "engine.trees" and _no_results(run)


def test_it_refuses_to_start_when_a_stratum_has_a_single_plot(field, personas):
    field.plots[4].delete()  # the plots of P3 and P4 were S2's only two
    with pytest.raises(RunNotReady, match="tratum s2 has 1 plots"):
        _ex_post(field, personas.manager_a)
    assert not CalculationRun.objects.exists()


def test_it_uses_per_plot_changes_after_a_verified_run(field, personas):
    first = _ex_post(field, personas.manager_a)
    services.approve_calculation_run(run_id=first.pk, actor=personas.verifier)
    fixture_project.remeasure(field, dt.date(2022, 6, 15), Decimal("3.0"))
    second = _ex_post(
        field, personas.manager_a, period=(dt.date(2021, 1, 1), dt.date(2022, 12, 31))
    )
    assert second.status == RunStatus.SUCCEEDED, second.error
    assert second.previous_run_id == first.pk
    assert second.previous_stock_tco2e == first.stock_tco2e
    assert second.delta_c_tco2e == second.stock_tco2e - first.stock_tco2e
    assert second.details["change"]["method"] == "paired_plots"
    # The change of paired plots is much more precise than the stock.
    assert Decimal(second.details["change"]["uncertainty"]) < second.uncertainty_pct / 100
    parcels = second.parcels.all()
    assert sum(p.net_tco2e for p in parcels) == second.net_tco2e
    assert sum(p.issuable_tco2e for p in parcels) == second.issuable_tco2e


def test_it_records_a_reversal_when_the_stock_falls(field, personas):
    first = _ex_post(field, personas.manager_a)
    services.approve_calculation_run(run_id=first.pk, actor=personas.verifier)
    fixture_project.remeasure(field, dt.date(2022, 6, 15), Decimal("0.0"))
    TreeMeasurement.objects.filter(
        plot__measured_on=dt.date(2022, 6, 15), tree_tag__in=["T00", "T01", "T10", "T20"]
    ).update(status="cut")
    second = _ex_post(
        field, personas.manager_a, period=(dt.date(2021, 1, 1), dt.date(2022, 12, 31))
    )
    assert second.net_tco2e < 0 and second.issuable_tco2e == 0 and second.buffer_tco2e == 0
    assert decimal(Decimal(second.details["issuance"]["reversal"])) == -second.net_tco2e
    assert "run.reversal" in [w["code"] for w in second.warnings]
