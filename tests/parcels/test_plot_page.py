"""A monitoring plot's admin page is one page of rows however many stems its visit measured: the
first stems as inline rows (editable by those who edit field data, read-only for those who
read it), their count, and a link to every stem in the measurements' list."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcels.admin import TREES_SHOWN
from parcels.models import MonitoringPlot, TreeMeasurement
from tests.parcels.builders import cell, make_parcel, make_smallholder, species
from tests.parcels.test_admin import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcel(personas):
    return make_parcel(make_smallholder(personas.project_a, personas.coop_a1), "PCH-1", cell(0))


def _plot(parcel, code: str, stems: int) -> MonitoringPlot:
    plot = MonitoringPlot.objects.create(
        parcel=parcel,
        code=code,
        centre=Point(-74.8996, -10.8996, srid=4326),
        radius_m=Decimal("5.64"),
        area_m2=Decimal("99.93"),
        measured_on=dt.date(2016, 1, 1),
    )
    TreeMeasurement.objects.bulk_create(
        TreeMeasurement(
            plot=plot, tree_tag=f"T{i:03}", species=species(), dbh_cm=Decimal("10.0") + i
        )
        for i in range(stems)
    )
    return plot


def _page(client, plot: MonitoringPlot):
    """The plot's page, with the queries and model instances it took (after a warm-up)."""
    url = reverse("admin:parcels_monitoringplot_change", args=[plot.pk])
    client.get(url)
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    post_init.connect(count)
    try:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
    finally:
        post_init.disconnect(count)
    assert page.status_code == 200
    return page, len(queries), len(built)


def test_the_page_costs_the_same_for_a_small_and_a_large_visit(personas, parcel):
    client = login(personas.staff_a1)
    costs = []
    for code, stems in (("M1", TREES_SHOWN + 5), ("M2", 3 * TREES_SHOWN)):
        plot = _plot(parcel, code, stems)
        page, queries, instances = _page(client, plot)
        formset = page.context["inline_admin_formsets"][0].formset
        assert len(formset.forms) == TREES_SHOWN
        html = page.content.decode()
        assert f"{stems} fustes medidos" in html
        listed = reverse("admin:parcels_treemeasurement_changelist") + f"?plot__id__exact={plot.pk}"
        assert listed in html
        assert client.get(listed).context["cl"].result_count == stems
        costs.append((queries, instances))
    assert costs[0] == costs[1]


def _post(plot: MonitoringPlot, trees: list[TreeMeasurement], dbh: dict[int, str]) -> dict:
    data = {
        "parcel": plot.parcel_id,
        "code": plot.code,
        "centre": plot.centre.ewkt,
        "radius_m": "5.64",
        "measured_on": "01/01/2016",
        "permanent": "on",
        "trees-TOTAL_FORMS": str(len(trees)),
        "trees-INITIAL_FORMS": str(len(trees)),
    }
    for i, tree in enumerate(trees):
        row = {
            "id": tree.pk,
            "plot": plot.pk,
            "tree_tag": tree.tree_tag,
            "stem": tree.stem,
            "species": tree.species_id,
            "dbh_cm": dbh.get(tree.pk, str(tree.dbh_cm)),
            "status": tree.status,
            "origin": tree.origin,
        }
        data.update({f"trees-{i}-{name}": value for name, value in row.items()})
    return data


def test_staff_edit_the_stems_shown_and_verifiers_read_them(personas, parcel):
    plot = _plot(parcel, "M1", TREES_SHOWN + 5)
    url = reverse("admin:parcels_monitoringplot_change", args=[plot.pk])
    shown = list(plot.trees.order_by("tree_tag", "stem")[:TREES_SHOWN])
    response = login(personas.staff_a1).post(url, _post(plot, shown, {shown[-1].pk: "42.5"}))
    assert response.status_code == 302
    assert TreeMeasurement.objects.get(pk=shown[-1].pk).dbh_cm == Decimal("42.5")
    assert plot.trees.count() == TREES_SHOWN + 5  # the stems not shown are left as they were

    page = login(personas.verifier).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="trees-0-dbh_cm"' not in html and "42,5" in html
    assert len(page.context["inline_admin_formsets"][0].formset.forms) == TREES_SHOWN
