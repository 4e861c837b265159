"""A cooperative's carbon, credit and revenue figures come from its rollup: they equal the runs'
per-parcel results, the ledger's contributions and the benefits app's own attribution, and a run
approval and an issuance refresh them once committed."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Sum

from backoffice.selectors.access import access_panel_view
from backoffice.selectors.charts import money_over_months
from backoffice.selectors.dashboard import dashboard
from benefits.selectors import revenue_rows
from credits.models import IssuanceContribution
from credits.services import issue_credits
from parcels.choices import ParcelStatus
from parcels.models import Parcel
from quantification.models import (
    CalculationRun,
    ParameterSet,
    ParcelResult,
    ParcelVintage,
    RunKind,
    RunStatus,
    RunVintage,
)
from quantification.services import approve_calculation_run
from smallholders.models import Cooperative


def board(cooperative: Cooperative):
    manager = User.objects.get(username="gestor")
    view = access_panel_view(user=manager, project_code="pch", cooperative_code=cooperative.code)
    return dashboard(user=manager, view=view), money_over_months(user=manager, view=view)


def from_the_ledger(cooperative: Cooperative) -> dict:
    """The same figures straight from the runs, the contributions and the distributions."""
    approved = CalculationRun.objects.filter(project__code="pch", status=RunStatus.APPROVED)
    mine = ParcelResult.objects.filter(parcel__smallholder__cooperative=cooperative)
    ex_ante = approved.filter(kind=RunKind.EX_ANTE).order_by("-period_end", "-pk").first()
    ex_post = mine.filter(run__in=approved.filter(kind=RunKind.EX_POST))
    issued = IssuanceContribution.objects.filter(parcel__smallholder__cooperative=cooperative)
    credits = {
        row["issuance__unit_type"]: {"issued": row["u"], "buffer": row["b"]}
        for row in issued.values("issuance__unit_type")
        .annotate(u=Sum("units"), b=Sum("buffer_units"))
        .order_by("issuance__unit_type")
    }
    revenue: dict[str, Decimal] = {}
    for currency, _month, amount in revenue_rows(cooperative.projects.get(), cooperative):
        revenue[currency] = revenue.get(currency, Decimal(0)) + amount
    return {
        "ex_ante": mine.filter(run=ex_ante).aggregate(s=Sum("net_tco2e"))["s"],
        "verified": ex_post.aggregate(s=Sum("net_tco2e"))["s"] or Decimal(0),
        "credits": credits,
        "revenue": {c: v.quantize(Decimal("0.01")) for c, v in sorted(revenue.items())},
    }


def shown(cooperative: Cooperative) -> dict:
    figures, _chart = board(cooperative)
    return {
        "ex_ante": figures.carbon.ex_ante_tco2e,
        "verified": figures.carbon.verified_tco2e,
        "credits": figures.credits,
        "revenue": figures.money.revenue,
    }


def test_each_cooperatives_figures_equal_the_runs_the_ledger_and_the_distributions(demo) -> None:
    cooperatives = list(Cooperative.objects.filter(projects=demo))
    for cooperative in cooperatives:
        assert shown(cooperative) == from_the_ledger(cooperative), cooperative
    assert any(from_the_ledger(c)["revenue"] for c in cooperatives)
    assert all(from_the_ledger(c)["credits"]["VER"]["issued"] for c in cooperatives)
    # The revenue chart draws the same rows, month by month.
    for cooperative in cooperatives:
        _figures, chart = board(cooperative)
        expected: dict[str, Decimal] = {}
        for _currency, month, amount in revenue_rows(demo, cooperative):
            key = month.strftime("%Y-%m")
            expected[key] = expected.get(key, Decimal(0)) + amount
        drawn = {row[0]: sum(c for c in row[1:-1] if c is not None) for row in chart.rows}
        assert {k: v for k, v in drawn.items() if v} == {
            k: v.quantize(Decimal("0.01")) for k, v in expected.items() if v
        }


def _succeeded_run(demo, cooperative: Cooperative) -> CalculationRun:
    """A 2023–2024 ex-post run over the cooperative's validated parcels, awaiting approval."""
    run = CalculationRun.objects.create(
        project=demo,
        kind=RunKind.EX_POST,
        period_start=dt.date(2023, 1, 1),
        period_end=dt.date(2024, 12, 31),
        parameter_set=ParameterSet.objects.filter(project=demo).first(),
        method_version="test",
        status=RunStatus.SUCCEEDED,
    )
    parcels = Parcel.objects.filter(
        smallholder__cooperative=cooperative, status=ParcelStatus.VALIDATED
    )
    for parcel in parcels:
        ParcelResult.objects.create(
            run=run, parcel=parcel, basis="plots", area_ha=parcel.area_ha, n_plots=0, n_trees=0,
            stock_tco2e=Decimal("50.000"), change_tco2e=Decimal("11.000"),
            baseline_stock_tco2e=0, net_tco2e=Decimal("10.500"), issuable_tco2e=7,
        )  # fmt: skip
        for year in (2023, 2024):
            ParcelVintage.objects.create(
                run=run, parcel=parcel, year=year, issuable_tco2e=3 + year % 2
            )
    for year in (2023, 2024):
        total = ParcelVintage.objects.filter(run=run, year=year).aggregate(s=Sum("issuable_tco2e"))
        RunVintage.objects.create(
            run=run, year=year, net_tco2e=total["s"], buffer_tco2e=2, issuable_tco2e=total["s"]
        )
    return run


def test_a_run_approval_and_its_issuance_refresh_the_cooperatives_figures(
    demo, tasks_run_inline, django_capture_on_commit_callbacks
) -> None:
    cooperative = Cooperative.objects.get(code="cac-ubiriki")
    before = shown(cooperative)
    run = _succeeded_run(demo, cooperative)
    parcels = ParcelResult.objects.filter(run=run).count()
    assert shown(cooperative) == before  # a run awaiting approval counts for nothing

    with django_capture_on_commit_callbacks(execute=True):
        approve_calculation_run(run_id=run.pk, actor=User.objects.get(username="verificador"))
    after_approval = shown(cooperative)
    assert after_approval == from_the_ledger(cooperative)
    assert after_approval["verified"] == before["verified"] + Decimal("10.500") * parcels

    with django_capture_on_commit_callbacks(execute=True):
        issue_credits(run_id=run.pk, actor=User.objects.get(username="gestor"))
    after_issuance = shown(cooperative)
    assert after_issuance == from_the_ledger(cooperative)
    issued = after_issuance["credits"]["VER"]["issued"] - before["credits"]["VER"]["issued"]
    assert issued == RunVintage.objects.filter(run=run).aggregate(s=Sum("issuable_tco2e"))["s"]
