"""End-to-end ex-ante runs from the fixture project's plantings, against the pure engine."""

import datetime as dt

import numpy as np
from django.db.models import Sum

from parcels.models import Planting
from quantification.engine import exante, removals
from quantification.engine.parameters import CarbonParameters
from quantification.figures import decimal
from quantification.models import ParcelResult, ParcelVintage, RunKind, RunStatus, RunVintage
from tests.quantification.runs import fixture_project

PERIOD = (dt.date(2012, 1, 1), dt.date(2020, 12, 31))


def _cohorts() -> list[exante.Cohort]:
    cohorts = []
    for planting in Planting.objects.order_by("pk").select_related("species"):
        count = planting.survival_counts.order_by("counted_on").last()
        cohorts.append(
            exante.Cohort(
                species=planting.species.scientific_name,
                n_planted=float(planting.trees_planted),
                planting_year=planting.planted_on.year - 2011,
                # 96 of 120 alive two years after planting, no mortality after year 1: s = 0.8
                survival=count.trees_alive / planting.trees_planted if count else None,
            )
        )
    return cohorts


def test_it_projects_plantings_as_the_pure_engine_does(personas):
    field = fixture_project.build(personas)
    run = fixture_project.run(field, personas.manager_a, kind=RunKind.EX_ANTE, period=PERIOD)
    assert run.status == RunStatus.SUCCEEDED, run.error
    params = CarbonParameters()
    projection = exante.project_exante(_cohorts(), params)
    assert run.stock_tco2e == decimal(float(projection.stock_t_co2e[2020 - 2011 - 1]))
    assert run.previous_stock_tco2e == decimal(float(projection.stock_t_co2e[0]))
    credits = exante.exante_credits(projection, params)
    assert run.details["exante_credits"]["net"] == str(credits.net)
    vintages = list(RunVintage.objects.filter(run=run))
    assert [v.year for v in vintages] == list(range(2012, 2021))
    for v in vintages:
        t = v.year - 2011
        issuance = removals.compute_issuance(
            c_t1=float(projection.stock_t_co2e[t - 2]),
            c_t2=float(projection.stock_t_co2e[t - 1]),
            params=params,
        )
        assert (v.buffer_tco2e, v.issuable_tco2e) == (issuance.buffer, issuance.issuable)
        per_parcel = ParcelVintage.objects.filter(run=run, year=v.year)
        assert per_parcel.aggregate(s=Sum("issuable_tco2e"))["s"] in (v.issuable_tco2e, None)
    assert sum(v.issuable_tco2e for v in vintages) == run.issuable_tco2e > 0
    parcels = ParcelResult.objects.filter(run=run)
    assert parcels.count() == 5 and {p.basis for p in parcels} == {"plantings"}
    assert parcels.aggregate(s=Sum("issuable_tco2e"))["s"] == run.issuable_tco2e
    assert parcels.aggregate(s=Sum("net_tco2e"))["s"] == run.net_tco2e
    p5 = parcels.get(parcel=field.parcels["P5"])
    rows = [i for i, c in enumerate(projection.cohorts) if c.planting_year == 2] + [4]
    expected = np.sum(projection.cohort_stock_t_co2e[rows, 2020 - 2011 - 1])
    assert p5.stock_tco2e == decimal(float(expected)) and p5.n_trees == 300 + 80 + 120


def test_it_caps_ex_post_credits_with_the_approved_ex_ante_run(personas):
    from quantification import services

    field = fixture_project.build(personas)
    ex_ante = fixture_project.run(
        field, personas.manager_a, kind=RunKind.EX_ANTE, period=(PERIOD[0], dt.date(2013, 12, 31))
    )
    services.approve_calculation_run(run_id=ex_ante.pk, actor=personas.verifier)
    run = fixture_project.run(field, personas.manager_a, kind=RunKind.EX_POST)
    assert run.details["cap_run"] == ex_ante.pk
    assert run.details["issuance"]["cap"] == ex_ante.details["exante_credits"]["net"]
    assert "run.no_cap" not in [w["code"] for w in run.warnings]
