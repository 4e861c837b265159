"""parcels.bulk_monitoring: plot visits and stems through one door, with the single-row
services' validators; parcels.bulk's register_parcels likewise."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError

from parcels import bulk_monitoring, bulk_parcels, services
from parcels.choices import LandUse
from parcels.models import MonitoringPlot, Parcel, TreeMeasurement
from pichanaki.rows import RowsInvalid
from tests.parcels.builders import (
    DEG_100M_LON,
    cell,
    make_parcel,
    make_smallholder,
    species,
    square,
)

pytestmark = pytest.mark.django_db

OUTSIDE = Point(-74.5, -10.5, srid=4326)


@pytest.fixture
def owner(personas):
    return make_smallholder(personas.project_a, personas.coop_a1)


@pytest.fixture
def planted(owner):
    parcel = make_parcel(owner, "PCH-1", cell(0))
    services.record_planting(
        parcel=parcel, species=species(), planted_on=dt.date(2011, 2, 1), trees_planted=300
    )
    return parcel


def _visit(parcel, centre=None, on=dt.date(2016, 5, 1), code="M1") -> MonitoringPlot:
    return MonitoringPlot(
        parcel=parcel,
        code=code,
        centre=centre or parcel.boundary.centroid,
        measured_on=on,
        radius_m=Decimal("5.64"),
    )


def test_plot_visits_are_refused_by_row_with_the_single_services_messages(planted):
    rows = [_visit(planted), _visit(planted, OUTSIDE, dt.date(2010, 5, 1), "M2"), _visit(planted)]
    with pytest.raises(RowsInvalid) as caught:
        bulk_monitoring.record_monitoring_plots(rows=rows)
    assert sorted(caught.value.by_row) == [2, 3]  # row 3 repeats row 1's visit
    assert not MonitoringPlot.objects.exists()
    with pytest.raises(ValidationError) as single:
        services.record_monitoring_plot(
            parcel=planted,
            code="M2",
            centre=OUTSIDE,
            measured_on=dt.date(2010, 5, 1),
            radius_m=Decimal("5.64"),
        )
    assert caught.value.by_row[2].message_dict == single.value.message_dict
    (saved,) = bulk_monitoring.record_monitoring_plots(rows=rows[:1])
    assert saved.area_m2 == Decimal("99.93")
    assert saved.history.count() == 1


def test_stems_are_refused_by_row_as_one_by_one_and_as_columns(planted):
    (plot,) = bulk_monitoring.record_monitoring_plots(rows=[_visit(planted)])
    inga = species()

    def stem(tag: str, dbh: str, height: str | None = None) -> TreeMeasurement:
        return TreeMeasurement(
            plot=plot,
            species=inga,
            tree_tag=tag,
            dbh_cm=Decimal(dbh),
            height_m=None if height is None else Decimal(height),
        )

    rows = [stem("T1", "18.5", "12"), stem("T2", "4", "1.2"), stem("T3", "400"), stem("T1", "9")]
    with pytest.raises(RowsInvalid) as caught:
        bulk_monitoring.record_tree_measurements(rows=rows)
    assert sorted(caught.value.by_row) == [2, 3, 4]
    columns = {
        name: [getattr(row, name) for row in rows]
        for name in ("plot_id", "species_id", "tree_tag", "stem", "dbh_cm", "height_m")
    }
    assert sorted(bulk_monitoring.tree_measurement_column_errors(columns)) == [2, 3, 4]
    with pytest.raises(RowsInvalid):
        bulk_monitoring.record_tree_measurement_columns(columns=columns, count=4)
    assert not TreeMeasurement.objects.exists()
    for bad in rows[1:3]:
        with pytest.raises(ValidationError) as single:
            services.record_tree_measurement(
                plot=plot,
                species=inga,
                tree_tag=bad.tree_tag,
                dbh_cm=bad.dbh_cm,
                height_m=bad.height_m,
            )
        number = rows.index(bad) + 1
        assert caught.value.by_row[number].message_dict == single.value.message_dict
        by_column = bulk_monitoring.tree_measurement_column_errors(columns)[number]
        assert by_column.message_dict == single.value.message_dict
    bulk_monitoring.record_tree_measurements(rows=rows[:1])
    assert TreeMeasurement.history.count() == 1


def test_parcels_are_refused_by_row_for_overlaps_within_the_batch_and_stored(owner):
    stored = make_parcel(owner, "PCH-1", cell(0))

    def parcel(code: str, boundary) -> Parcel:
        return Parcel(
            project=owner.project,
            smallholder=owner,
            code=code,
            boundary=boundary,
            land_use_before=LandUse.COFFEE,
        )

    rows = [
        parcel("PCH-2", cell(2)),
        parcel("PCH-3", square(-74.90 + DEG_100M_LON / 2, -10.90)),  # half on PCH-1
        parcel("PCH-4", cell(2)),  # on row 1
        parcel("PCH-1", cell(4)),  # PCH-1's code
    ]
    with pytest.raises(RowsInvalid) as caught:
        bulk_parcels.register_parcels(rows=rows)
    assert sorted(caught.value.by_row) == [2, 3, 4]
    assert "PCH-1" in caught.value.by_row[2].message_dict["boundary"][0]
    assert "PCH-2" in caught.value.by_row[3].message_dict["boundary"][0]
    assert list(Parcel.objects.values_list("code", flat=True)) == [stored.code]
    with pytest.raises(ValidationError) as single:
        make_parcel(owner, "PCH-3", square(-74.90 + DEG_100M_LON / 2, -10.90))
    assert caught.value.by_row[2].message_dict == single.value.message_dict
    (saved,) = bulk_parcels.register_parcels(rows=rows[:1])
    assert saved.area_ha > 0 and saved.history.count() == 1
