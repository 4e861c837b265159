import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError

from parcels import services
from parcels.choices import ParcelStatus
from parcels.exceptions import BoundaryLocked, InvalidTransition
from smallholders import services as smallholder_services
from tests.parcels.builders import (
    DEG_100M_LON,
    cell,
    make_parcel,
    make_smallholder,
    species,
    square,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(personas):
    return make_smallholder(personas.project_a, personas.coop_a1)


def test_it_registers_a_parcel_with_its_area_in_the_utm_zone(owner):
    parcel = make_parcel(owner, "PCH-1", cell(0))
    assert parcel.status == ParcelStatus.DRAFT
    assert parcel.area_epsg == 32718
    assert Decimal("0.98") < parcel.area_ha < Decimal("1.02")
    assert parcel.history.count() == 1


def test_it_rejects_a_parcel_overlapping_another_naming_it_and_the_m2(owner):
    make_parcel(owner, "PCH-1", cell(0))
    with pytest.raises(ValidationError) as caught:
        make_parcel(owner, "PCH-2", square(-74.90 + DEG_100M_LON / 2, -10.90))
    message = caught.value.message_dict["boundary"][0]
    assert "PCH-1" in message
    assert "m²" in message
    assert owner.parcels.count() == 1


def test_it_rejects_an_overlapping_boundary_edit(owner):
    make_parcel(owner, "PCH-1", cell(0))
    second = make_parcel(owner, "PCH-2", cell(1))
    with pytest.raises(ValidationError):
        services.update_parcel_boundary(parcel=second, boundary=cell(0))
    services.update_parcel_boundary(parcel=second, boundary=cell(2))


def test_it_rejects_a_duplicate_code_and_an_owner_of_another_project(owner, personas):
    make_parcel(owner, "PCH-1", cell(0))
    with pytest.raises(ValidationError) as caught:
        make_parcel(owner, "PCH-1", cell(3))
    assert "__all__" in caught.value.message_dict or "code" in caught.value.message_dict


def test_it_walks_the_status_workflow_with_compare_and_set(owner, personas):
    parcel = make_parcel(owner, "PCH-1", cell(0))
    services.submit_parcel(parcel_id=parcel.pk, actor=personas.staff_a1)
    with pytest.raises(InvalidTransition):
        services.submit_parcel(parcel_id=parcel.pk, actor=personas.staff_a1)
    with pytest.raises(PermissionDenied):
        services.validate_parcel(parcel_id=parcel.pk, actor=personas.staff_a1)
    validated = services.validate_parcel(parcel_id=parcel.pk, actor=personas.manager_a)
    assert validated.status == ParcelStatus.VALIDATED
    with pytest.raises(InvalidTransition):
        services.validate_parcel(parcel_id=parcel.pk, actor=personas.manager_a)
    latest = validated.history.first()
    assert latest.status == ParcelStatus.VALIDATED
    assert latest.history_user == personas.manager_a


def test_it_rejects_with_a_reason_and_reopens_on_redraw(owner, personas):
    parcel = make_parcel(owner, "PCH-1", cell(0))
    services.submit_parcel(parcel_id=parcel.pk, actor=personas.staff_a1)
    with pytest.raises(ValidationError):
        services.reject_parcel(parcel_id=parcel.pk, actor=personas.manager_a, reason=" ")
    rejected = services.reject_parcel(
        parcel_id=parcel.pk, actor=personas.manager_a, reason="Bosque en 2005"
    )
    assert (rejected.status, rejected.rejection_reason) == (ParcelStatus.REJECTED, "Bosque en 2005")
    redrawn = services.update_parcel_boundary(parcel=rejected, boundary=cell(4))
    assert redrawn.status == ParcelStatus.DRAFT


def test_it_locks_the_boundary_of_submitted_parcels(owner, personas):
    parcel = make_parcel(owner, "PCH-1", cell(0))
    submitted = services.submit_parcel(parcel_id=parcel.pk, actor=personas.staff_a1)
    with pytest.raises(BoundaryLocked):
        services.update_parcel_boundary(parcel=submitted, boundary=cell(5))
    submitted.boundary = cell(5)
    with pytest.raises(BoundaryLocked):
        services.save_parcel(parcel=submitted)


def test_it_records_plantings_checking_density_and_dates(owner):
    parcel = make_parcel(owner, "PCH-1", cell(0))
    inga = species("INGAEDU")
    planting = services.record_planting(
        parcel=parcel, species=inga, planted_on=dt.date(2011, 2, 1), trees_planted=300
    )
    assert planting.pk
    with pytest.raises(ValidationError) as caught:
        services.record_planting(
            parcel=parcel, species=inga, planted_on=dt.date(2011, 2, 1), trees_planted=9000
        )
    assert "trees_planted" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.record_planting(
            parcel=parcel, species=inga, planted_on=dt.date(2999, 1, 1), trees_planted=100
        )
    assert "planted_on" in caught.value.message_dict


def test_it_records_survival_counts_within_bounds(owner):
    parcel = make_parcel(owner, "PCH-1", cell(0))
    planting = services.record_planting(
        parcel=parcel, species=species(), planted_on=dt.date(2011, 2, 1), trees_planted=300
    )
    services.record_survival_count(
        planting=planting, counted_on=dt.date(2012, 2, 1), trees_alive=250
    )
    with pytest.raises(ValidationError) as caught:
        services.record_survival_count(
            planting=planting, counted_on=dt.date(2010, 2, 1), trees_alive=301
        )
    assert set(caught.value.message_dict) == {"counted_on", "trees_alive"}


def test_it_records_a_plot_with_its_horizontal_area_and_trees(owner):
    parcel = make_parcel(owner, "PCH-1", cell(0))
    services.record_planting(
        parcel=parcel, species=species(), planted_on=dt.date(2011, 2, 1), trees_planted=300
    )
    centre = parcel.boundary.centroid
    plot = services.record_monitoring_plot(
        parcel=parcel,
        code="M1",
        centre=centre,
        measured_on=dt.date(2016, 5, 1),
        radius_m=Decimal("5.64"),
    )
    assert plot.area_m2 == Decimal("99.93")
    tree = services.record_tree_measurement(
        plot=plot,
        species=species("CEDRODO"),
        tree_tag="T1",
        dbh_cm=Decimal("18.5"),
        height_m=Decimal("12"),
    )
    assert tree.pk
    with pytest.raises(ValidationError) as caught:
        services.record_tree_measurement(
            plot=plot,
            species=species(),
            tree_tag="T2",
            dbh_cm=Decimal("4"),
            height_m=Decimal("1.2"),
        )
    assert "height_m" in caught.value.message_dict


def test_it_refuses_plots_outside_the_parcel_or_before_planting(owner):
    parcel = make_parcel(owner, "PCH-1", cell(0))
    services.record_planting(
        parcel=parcel, species=species(), planted_on=dt.date(2011, 2, 1), trees_planted=300
    )
    with pytest.raises(ValidationError) as caught:
        services.record_monitoring_plot(
            parcel=parcel,
            code="M1",
            centre=Point(-74.5, -10.5, srid=4326),
            measured_on=dt.date(2010, 5, 1),
            radius_m=Decimal("5.64"),
        )
    assert set(caught.value.message_dict) == {"centre", "measured_on"}


def test_it_registers_smallholders_with_a_membership_and_unique_dni(personas):
    first = make_smallholder(personas.project_a, personas.coop_a1, dni="40123456")
    assert first.memberships.get().cooperative == personas.coop_a1
    with pytest.raises(ValidationError):
        make_smallholder(personas.project_a, personas.coop_a1, dni="40123456")
    with pytest.raises(ValidationError) as caught:
        make_smallholder(personas.project_a, personas.coop_b1, dni="40123457")
    assert "cooperative" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        make_smallholder(personas.project_a, personas.coop_a1, dni="4012345")
    assert "dni" in caught.value.message_dict


def test_it_updates_only_updatable_smallholder_fields(personas):
    person = make_smallholder(personas.project_a, personas.coop_a1)
    smallholder_services.update_smallholder(smallholder=person, fields={"phone": "987654321"})
    person.refresh_from_db()
    assert person.phone == "987654321"
    with pytest.raises(ValidationError):
        smallholder_services.update_smallholder(smallholder=person, fields={"dni": "11111111"})
    with pytest.raises(ValidationError):
        smallholder_services.update_smallholder(smallholder=person, fields={"birth_year": 1850})
