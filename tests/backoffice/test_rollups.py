"""The panel's field and money figures come from rollups: they equal a recomputation from the
raw rows, and every commit that changes those rows refreshes them (rows saved one by one, bulk
writes that announce themselves), while a rolled-back write or a stale request does nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery, Sum
from django.utils import timezone

from backoffice.selectors.access import access_panel_view
from backoffice.selectors.charts import (
    money_over_months,
    monitoring_coverage,
    survival_by_species,
)
from backoffice.selectors.dashboard import dashboard
from backoffice.selectors.worklists import worklist
from backoffice.services import refresh_panel_rollups
from benefits.selectors import money_over_time, money_summary
from parcels.choices import ParcelStatus
from parcels.models import MonitoringPlot, Parcel, Planting, SurvivalCount
from parcels.services import record_survival_count
from parcels.signals import announce_field_data_written
from smallholders.models import Cooperative, Smallholder


def recomputed(project, cooperative) -> dict:
    """The figures straight from the field rows, the way the dashboard computed them before."""
    parcels = Parcel.objects.filter(project=project)
    families = Smallholder.objects.filter(project=project)
    if cooperative:
        parcels = parcels.filter(smallholder__cooperative=cooperative)
        families = families.filter(cooperative=cooperative)
    counts = SurvivalCount.objects.filter(planting=OuterRef("pk"))
    last = counts.order_by("-counted_on").values("trees_alive")[:1]
    plantings = Planting.objects.filter(parcel__in=parcels)
    counted = plantings.filter(Exists(counts)).annotate(alive=Subquery(last))
    validated = parcels.filter(status=ParcelStatus.VALIDATED)
    since = timezone.localdate() - dt.timedelta(days=365 * 5)
    recent = MonitoringPlot.objects.filter(parcel=OuterRef("pk"), measured_on__gte=since)
    low = plantings.annotate(alive=Subquery(last)).filter(alive__lt=F("trees_planted") * 0.6)
    return {
        "families": families.count(),
        "parcels": parcels.count(),
        "hectares": validated.aggregate(s=Sum("area_ha"))["s"].quantize(Decimal("0.01")),
        "planted": plantings.aggregate(s=Sum("trees_planted"))["s"],
        "counted": counted.aggregate(s=Sum("trees_planted"))["s"],
        "alive": counted.aggregate(s=Sum("alive"))["s"],
        "unmonitored": validated.filter(~Exists(recent)).count(),
        "low_survival": low.count(),
        "plots": MonitoringPlot.objects.filter(parcel__in=parcels).count(),
        "money": money_summary(project=project, cooperative=cooperative),
        "paid_by_month": {
            m.strftime("%Y-%m"): paid
            for m, _r, paid in money_over_time(project=project, cooperative=cooperative)
        },  # fmt: skip
    }


def shown(user, project, cooperative) -> dict:
    view = access_panel_view(
        user=user, project_code=project.code, cooperative_code=cooperative and cooperative.code
    )
    board = dashboard(user=user, view=view)
    work = {item.key: item.count for item in worklist(user=user, view=view)}
    survival = survival_by_species(user=user, view=view).rows
    money = money_over_months(user=user, view=view)
    return {
        "families": board.field.families,
        "parcels": board.field.parcels,
        "hectares": board.field.hectares,
        "planted": board.field.trees_planted,
        "counted": board.field.trees_counted,
        "alive": board.field.trees_alive,
        "unmonitored": work["unmonitored"],
        "low_survival": work["survival"],
        "plots": sum(row[1] for row in monitoring_coverage(user=user, view=view).rows),
        "money": board.money,
        "paid_by_month": {row[0]: row[-1] for row in money.rows},
        "survival_sums": (sum(r[2] for r in survival), sum(r[3] for r in survival)),
    }


def test_every_figure_equals_a_recomputation_from_the_rows(demo, settings) -> None:
    settings.PANEL_MONITORING_YEARS = 5
    manager = User.objects.get(username="gestor")
    for cooperative in (None, *Cooperative.objects.filter(projects=demo)):
        figures = shown(manager, demo, cooperative)
        expected = recomputed(demo, cooperative)
        assert figures["survival_sums"] == (expected["counted"], expected["alive"])
        del figures["survival_sums"]
        if cooperative is None:  # revenue is attributed per cooperative only once distributed
            assert figures == expected
        else:
            assert figures["money"].paid_pen == expected["money"].paid_pen
            figures.pop("money"), expected.pop("money")
            assert figures == expected, cooperative
    assert expected["alive"] and expected["unmonitored"] >= 0 and expected["plots"]


def test_a_committed_count_refreshes_the_figures_and_a_rolled_back_one_does_not(
    demo, tasks_run_inline, django_capture_on_commit_callbacks
) -> None:
    manager = User.objects.get(username="gestor")
    before = shown(manager, demo, None)
    planting = Planting.objects.filter(parcel__project=demo).order_by("pk").first()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        record_survival_count(planting=planting, counted_on=timezone.localdate(), trees_alive=0)
        raise RuntimeError
    assert callbacks == []  # nothing asked: the write was rolled back
    with django_capture_on_commit_callbacks(execute=True):
        record_survival_count(planting=planting, counted_on=timezone.localdate(), trees_alive=0)
    after = shown(manager, demo, None)
    assert after == {**after, **recomputed(demo, None)}
    assert after["alive"] < before["alive"]


def test_a_bulk_write_is_seen_once_it_announces_its_commit(
    demo, tasks_run_inline, django_capture_on_commit_callbacks
) -> None:
    manager = User.objects.get(username="gestor")
    before = shown(manager, demo, None)
    draft = Parcel.objects.filter(project=demo).order_by("pk").first()
    Parcel.objects.filter(pk=draft.pk).update(status=ParcelStatus.REJECTED)  # no model signal
    assert shown(manager, demo, None)["hectares"] == before["hectares"]
    with django_capture_on_commit_callbacks(execute=True):
        announce_field_data_written(project_id=demo.pk)
    assert shown(manager, demo, None)["hectares"] == recomputed(demo, None)["hectares"]


def test_a_refresh_asked_before_the_last_one_ran_does_nothing(demo) -> None:
    assert refresh_panel_rollups(project_id=demo.pk)
    asked = timezone.now() - dt.timedelta(minutes=1)
    assert not refresh_panel_rollups(project_id=demo.pk, requested_at=asked)
    assert refresh_panel_rollups(project_id=demo.pk, requested_at=timezone.now())
    assert not refresh_panel_rollups(project_id=10**9, requested_at=timezone.now())


def test_a_payment_is_seen_once_the_benefits_app_announces_its_commit(
    demo, tasks_run_inline, django_capture_on_commit_callbacks
) -> None:
    from benefits.chain import append_payment_events
    from benefits.models import PaymentEvent
    from benefits.signals import announce_money_changed

    manager = User.objects.get(username="gestor")
    before = shown(manager, demo, None)["money"].paid_pen
    event = PaymentEvent.objects.filter(line__distribution__project=demo, status="paid").first()
    extra = PaymentEvent(
        line_id=event.line_id,
        status="paid",
        amount=Decimal("1.00"),
        paid_on=event.paid_on,
        method=event.method,
        reference=f"{event.reference}-extra",
        created_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        append_payment_events(project_id=demo.pk, events=[extra])  # a bulk write: no model signal
        announce_money_changed(project_id=demo.pk)
    after = shown(manager, demo, None)["money"].paid_pen
    assert after == before + 1 == money_summary(project=demo).paid_pen
