"""Admin lists whose cost does not grow with the project: capped counts, the date drill-down by
probes and scopes as the selectors' own conditions give the same answers as Django's way."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.db.models import Max, Min
from django.test import Client
from django.utils import timezone

from parcels.models import Parcel, Planting
from parcels.selectors import parcels_for, plantings_for
from parcels.services import record_planting
from pichanaki.admin_counts import CappedCountPaginator
from pichanaki.admin_dates import ProbedDates
from smallholders.admin_scoping import within
from tests.base import PASSWORD
from tests.parcels.builders import cell, make_parcel, make_smallholder, species

pytestmark = pytest.mark.django_db


class CappedAtFifty(CappedCountPaginator):
    exact_up_to = 50


def test_a_short_list_is_counted_exactly():
    rows = Permission.objects.filter(pk__in=Permission.objects.order_by("pk").values("pk")[:30])
    paginator = CappedAtFifty(rows, 10)
    assert paginator.count == rows.count() and not paginator.estimated


def test_a_long_list_is_estimated_on_postgresql_and_counted_elsewhere():
    rows = Permission.objects.all()
    assert rows.count() > 50
    paginator = CappedAtFifty(rows, 10)
    if settings.POSTGRES:
        assert paginator.estimated and paginator.count > 50
        beyond = paginator.page(paginator.num_pages + 5)  # an estimate may fall short
        assert list(beyond.object_list) == []
    else:
        assert not paginator.estimated and paginator.count == rows.count()


@pytest.fixture
def plantings(personas):
    owner = make_smallholder(personas.project_a, personas.coop_a1)
    parcels = [make_parcel(owner, code=f"P-{i}", boundary=cell(i)) for i in range(2)]
    dates = [dt.date(2011, 3, 4), dt.date(2011, 3, 9), dt.date(2011, 7, 1), dt.date(2014, 1, 2)]
    for i, day in enumerate(dates):
        record_planting(parcel=parcels[i % 2], species=species(), planted_on=day, trees_planted=100)
    other = make_smallholder(personas.project_b, personas.coop_b1, dni="40999999")
    record_planting(
        parcel=make_parcel(other, code="B-1"),
        species=species(),
        planted_on=dt.date(2009, 5, 5),
        trees_planted=100,
    )
    return Planting.objects.all()


@pytest.mark.parametrize(
    "lookups",
    [{}, {"planted_on__year": 2011}, {"planted_on__year": 2011, "planted_on__month": 3}],
)
def test_the_probed_dates_are_djangos_dates(personas, plantings, lookups):
    for user in (personas.superuser, personas.manager_a, personas.staff_b1, personas.buyer):
        rows = within(Planting.objects.all(), plantings_for(user=user)).filter(**lookups)
        probed = ProbedDates(rows, "planted_on")
        ends = rows.aggregate(first=Min("planted_on"), last=Max("planted_on"))
        assert probed.aggregate(first=Min("planted_on"), last=Max("planted_on")) == ends
        for kind in ("year", "month", "day"):
            assert probed.dates("planted_on", kind) == list(rows.dates("planted_on", kind))


def test_the_probed_datetimes_are_djangos_datetimes(personas):
    here = timezone.get_current_timezone()
    joined = [(2020, 12, 31, 23, 30), (2021, 1, 1, 8, 0), (2023, 6, 1, 0, 0)]
    for i, moment in enumerate(joined):
        date_joined = dt.datetime(*moment, tzinfo=here)
        User.objects.create(username=f"joined-{i}", date_joined=date_joined)
    rows = User.objects.filter(username__startswith="joined-")
    probed = ProbedDates(rows, "date_joined")
    for kind in ("year", "month", "day"):
        assert probed.datetimes("date_joined", kind) == list(rows.datetimes("date_joined", kind))


def test_a_scope_within_a_list_is_the_selectors_scope(personas, plantings):
    p = personas
    for user in (p.superuser, p.manager_a, p.staff_a1, p.staff_b1, p.verifier, p.buyer, p.nobody):
        for model, selector in ((Parcel, parcels_for), (Planting, plantings_for)):
            scoped = within(model.objects.all(), selector(user=user))
            assert set(scoped.values_list("pk", flat=True)) == set(
                selector(user=user).values_list("pk", flat=True)
            ), (user.username, model.__name__)


def test_the_planting_list_drills_down_by_date_for_staff(personas, plantings):
    client = Client()
    client.login(username=personas.staff_a1.username, password=PASSWORD)
    page = client.get("/admin/parcels/planting/").content.decode()
    assert "?planted_on__year=2011" in page and "?planted_on__year=2014" in page
    assert "?planted_on__year=2009" not in page  # project B's planting is not theirs
    months = client.get("/admin/parcels/planting/?planted_on__year=2011").content.decode()
    assert "planted_on__month=3" in months and "planted_on__month=7" in months
