"""The demo tells a coherent, believable story: every date in the story's order, and carbon
figures in the range smallholder coffee-agroforestry projects claim."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Max, Min, Sum
from django.utils import timezone

from credits.models import Issuance, LedgerEvent, Retirement, Sale
from demo import catalogue, story
from demo.clock import story_moment
from demo.services import load_demo
from parcels.models import MonitoringPlot, Parcel, Planting
from quantification.models import CalculationRun, RunKind, RunStatus
from smallholders.models import Project

# Fields that bound a period or a validity rather than date an event of the story.
PERIOD_FIELDS = {
    ("smallholders.Project", "crediting_start"),
    ("smallholders.Project", "crediting_end"),
    ("quantification.CalculationRun", "period_start"),
    ("quantification.CalculationRun", "period_end"),
    ("credits.Reservation", "expires_at"),
    ("credits.ApiKey", "expires_at"),
    ("sessions.Session", "expire_date"),
    ("benefits.TrustHold", "deadline"),
}
STORY_START = dt.date(1998, 1, 1)  # the earliest cooperative membership


def _dated_models() -> list:
    """Every model with a date, history models aside (they are the audit trail of this
    database, not events of the story)."""
    return [
        model
        for model in apps.get_models()
        if not model.__name__.startswith("Historical")
        and any(isinstance(f, models.DateField) for f in model._meta.concrete_fields)
    ]


def _rows_before() -> dict:
    """The rows that exist before the demo is loaded (written by other fixtures)."""
    return {model: set(model.objects.values_list("pk", flat=True)) for model in _dated_models()}


def _dated_values(before: dict):
    """(model label, field, date) of every date of every row the demo wrote."""
    for model in _dated_models():
        label = model._meta.label
        rows = model.objects.exclude(pk__in=before[model])
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.DateField) or (label, field.name) in PERIOD_FIELDS:
                continue
            for value in rows.exclude(**{field.name: None}).values_list(field.name, flat=True):
                day = value.date() if isinstance(value, dt.datetime) else value
                yield label, field.name, day


def _day(value: dt.datetime) -> dt.date:
    return value.date()


@pytest.mark.django_db
def test_every_demo_date_follows_the_story() -> None:
    before = _rows_before()
    load_demo(scale=0.1)
    retired = Retirement.objects.get()
    assert retired.retired_on == catalogue.RETIREMENT.retired_on <= story.STORY_END
    span = (STORY_START, story.STORY_END)
    late = [(m, f, d) for m, f, d in _dated_values(before) if not span[0] <= d <= span[1]]
    assert late == [], f"dates outside the story (1998 – its last day): {late}"

    last_planting = Planting.objects.aggregate(d=Max("planted_on"))["d"]
    assert Planting.objects.aggregate(d=Min("planted_on"))["d"] >= dt.date(2010, 1, 1)
    assert last_planting <= dt.date(2012, 12, 31)
    assert MonitoringPlot.objects.aggregate(d=Min("measured_on"))["d"] > last_planting
    assert Parcel.objects.aggregate(d=Max("created_at"))["d"] < story_moment(last_planting)

    ex_ante = CalculationRun.objects.get(kind=RunKind.EX_ANTE, status=RunStatus.APPROVED)
    _check_run(ex_ante, after=last_planting)
    forward = Sale.objects.get(reservation__unit_type="PER")
    ex_ante_issued = Issuance.objects.filter(run=ex_ante).aggregate(d=Max("issued_at"))["d"]
    assert ex_ante_issued < forward.sold_at

    issued_runs = 0
    for run in CalculationRun.objects.filter(kind=RunKind.EX_POST).order_by("period_end"):
        visits = MonitoringPlot.objects.filter(
            measured_on__gte=run.period_start, measured_on__lte=run.period_end
        )
        issued_runs += _check_run(run, after=visits.aggregate(d=Max("measured_on"))["d"])
    assert issued_runs >= 2
    verified = Sale.objects.get(reservation__unit_type="VER")
    vintage = Issuance.objects.get(unit_type="VER", vintage=catalogue.VERIFIED_SALE.vintage)
    assert vintage.issued_at < verified.sold_at < retired.created_at
    assert _day(verified.sold_at) < retired.retired_on
    assert LedgerEvent.objects.aggregate(d=Max("created_at"))["d"] <= retired.created_at

    # The story clock leaves no trace: rows written after the load carry the real time.
    after = User.objects.create(username="after-the-demo")
    assert abs(after.date_joined - timezone.now()) < dt.timedelta(minutes=1)


def _check_run(run: CalculationRun, *, after: dt.date) -> bool:
    """Queued after its inputs, finished, approved, then issued (if it had anything to issue:
    at this small scale a run's uncertainty may deduct everything), each on a later day."""
    issued = Issuance.objects.filter(run=run).aggregate(d=Min("issued_at"))["d"]
    assert after < _day(run.queued_at) <= _day(run.finished_at) < _day(run.reviewed_at)
    assert issued is None or _day(run.reviewed_at) < _day(issued), run
    return issued is not None


@pytest.mark.django_db
def test_the_demo_claims_what_smallholder_agroforestry_projects_claim() -> None:
    """About 5 tCO2e/ha/yr, like comparable projects (a VCS coffee agroforestry project in
    northern Peru: 1.3 Mt over 8,250 ha and 30 years), not the 20+ of uncalibrated curves."""
    load_demo(scale=1)
    project = Project.objects.get(code=catalogue.PROJECT_CODE)
    area = Parcel.objects.filter(project=project, status="validated").aggregate(a=Sum("area_ha"))
    area = area["a"]
    runs = CalculationRun.objects.filter(project=project, status=RunStatus.APPROVED)
    ex_ante = runs.get(kind=RunKind.EX_ANTE)
    years = Decimal(ex_ante.period_end.year - ex_ante.period_start.year + 1)
    ex_ante_rate = (ex_ante.issuable_tco2e + ex_ante.buffer_tco2e) / area / years
    verified = runs.filter(kind=RunKind.EX_POST).aggregate(
        units=Sum("issuable_tco2e") + Sum("buffer_tco2e"),
        first=Min("period_start"),
        last=Max("period_end"),
    )
    years = Decimal(verified["last"].year - verified["first"].year + 1)
    ex_post_rate = verified["units"] / area / years
    assert 3 <= ex_ante_rate <= 7, f"ex ante {ex_ante_rate:.2f} tCO2e/ha/yr"
    assert 3 <= ex_post_rate <= 7, f"ex post {ex_post_rate:.2f} tCO2e/ha/yr"
