"""Parcels validated once: the importer's plan is checked by check_parcels and written as
CheckedParcels without a second check, while every other way to write them is still checked
(rows changed after the check, a check outside the writing transaction, rows never checked).
And the single-row services write through the bulk door: the request's user in the history,
the back-office told after the commit, an uploaded file stored."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from simple_history.models import HistoricalRecords

from parcels import bulk_parcels, services
from parcels.choices import LandUse
from parcels.importing.services import import_context, import_file
from parcels.models import Parcel
from parcels.signals import field_data_written
from pichanaki.rows import RowsInvalid
from tests.parcels.builders import DEG_100M_LON, cell, make_parcel, make_smallholder, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(personas):
    return make_smallholder(personas.project_a, personas.coop_a1)


def _new(owner, code: str, boundary) -> Parcel:
    return Parcel(
        project=owner.project,
        smallholder=owner,
        code=code,
        boundary=boundary,
        land_use_before=LandUse.COFFEE,
    )


def _overlap_reads(queries: CaptureQueriesContext) -> int:
    """The overlap checks run: one query a parcel, the only ones measuring an intersection."""
    return sum("intersection(" in q["sql"].lower() for q in queries.captured_queries)


def _feature(code: str, i: int) -> dict:
    ring = [list(point) for point in cell(i)[0][0].coords]
    return {
        "type": "Feature",
        "properties": {"ProductionPlace": code, "dni": "40123456", "uso_anterior": "pasto"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_an_imported_parcel_file_is_checked_once_at_its_commit(personas, owner):
    make_parcel(owner, "PCH-0001", cell(0))
    features = [_feature(f"PCH-01{i:02}", i) for i in range(2, 5)]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    context = import_context(user=personas.staff_a1, project=personas.project_a)
    with CaptureQueriesContext(connection) as queries:
        outcome = import_file(
            kind="parcels", data=data, filename="p.geojson", context=context, commit=True
        )
    assert outcome.committed, outcome.plan.errors
    assert Parcel.objects.filter(code__startswith="PCH-01").count() == 3
    assert _overlap_reads(queries) == 3  # twice as many when the write checked again


def test_checked_rows_are_written_without_a_second_check(owner):
    with transaction.atomic():
        checked = bulk_parcels.check_parcels(rows=[_new(owner, "PCH-2", cell(2))])
        assert checked.holds()
        with CaptureQueriesContext(connection) as queries:
            (saved,) = bulk_parcels.register_parcels(rows=checked)
    assert _overlap_reads(queries) == 0 and saved.pk and saved.area_ha > 0


def test_rows_changed_after_their_check_are_checked_again(owner):
    make_parcel(owner, "PCH-1", cell(0))
    with transaction.atomic():
        row = _new(owner, "PCH-2", cell(2))
        checked = bulk_parcels.check_parcels(rows=[row])
        row.boundary = square(-74.90 + DEG_100M_LON / 2, -10.90)  # now half on PCH-1
        assert not checked.holds()
        with pytest.raises(RowsInvalid) as caught:
            bulk_parcels.register_parcels(rows=checked)
    assert "PCH-1" in caught.value.by_row[1].message_dict["boundary"][0]
    assert not Parcel.objects.filter(code="PCH-2").exists()


@pytest.mark.django_db(transaction=True)
def test_a_check_outside_the_writing_transaction_does_not_hold(personas):
    owner = make_smallholder(personas.project_a, personas.coop_a1)
    make_parcel(owner, "PCH-1", cell(0))
    checked = bulk_parcels.check_parcels(rows=[_new(owner, "PCH-2", cell(2))])  # a preview
    assert not checked.errors and not checked.holds()
    with transaction.atomic():
        checked = bulk_parcels.check_parcels(rows=[_new(owner, "PCH-2", cell(2))])
    assert not checked.holds()  # committed: its lock is gone
    make_parcel(owner, "PCH-3", cell(2))  # the land is taken meanwhile
    with pytest.raises(RowsInvalid):
        bulk_parcels.register_parcels(rows=checked)


def test_only_rows_checked_without_errors_can_be_taken(owner):
    make_parcel(owner, "PCH-1", cell(0))
    good, bad = _new(owner, "PCH-2", cell(2)), _new(owner, "PCH-1", cell(4))
    with transaction.atomic():
        checked = bulk_parcels.check_parcels(rows=[good, bad])
        assert list(checked.errors) == [2] and not checked.holds()
        assert checked.only([good]).holds()
        with pytest.raises(ValueError):
            checked.only([bad])
        with pytest.raises(ValueError):
            checked.only([_new(owner, "PCH-5", cell(6))])


def test_a_single_row_save_goes_through_the_door_with_the_requests_user(
    personas, owner, django_capture_on_commit_callbacks
):
    told: list[int] = []

    def listen(sender, project_id: int, **kwargs) -> None:
        told.append(project_id)

    field_data_written.connect(listen, dispatch_uid="test-one-door")
    request = type("Request", (), {"user": personas.staff_a1})()
    HistoricalRecords.context.request = request
    try:
        parcel = _new(owner, "PCH-9", cell(8))
        parcel.eligibility_file = SimpleUploadedFile("evidencia.pdf", b"%PDF-1.4 test")
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            services.save_parcel(parcel=parcel)
            assert told == []  # not before the commit
    finally:
        del HistoricalRecords.context.request
        field_data_written.disconnect(dispatch_uid="test-one-door")
    stored = Parcel.objects.get(code="PCH-9")
    assert stored.eligibility_file.name.endswith(".pdf")
    assert stored.eligibility_file.read() == b"%PDF-1.4 test"
    assert stored.history.get().history_user == User.objects.get(pk=personas.staff_a1.pk)
    assert told == [owner.project_id]
