from decimal import Decimal

import pytest
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from parcels import geo, overlaps
from tests.parcels.builders import (
    DEG_100M_LON,
    cell,
    make_parcel,
    make_smallholder,
    square,
)


class Area:
    area = MultiPolygon(Polygon.from_bbox((-75.10, -11.10, -74.60, -10.70)), srid=4326)


def test_it_derives_utm_18_south_for_pichanaki():
    assert geo.utm_epsg_for(Point(-74.9, -10.9, srid=4326)) == 32718


def test_it_derives_a_northern_zone_north_of_the_equator():
    assert geo.utm_epsg_for(Point(2.35, 48.85, srid=4326)) == 32631  # Paris


def test_it_derives_another_southern_zone_from_the_centroid():
    assert geo.utm_epsg_for(Point(-69.1, -12.6, srid=4326)) == 32719  # Puerto Maldonado
    assert geo.utm_epsg_for(square(-80.7, -5.2)) == 32717  # Piura


def test_it_measures_a_hectare_in_the_parcels_utm_zone():
    area = geo.area_hectares(square(-74.9, -10.9))
    assert area == pytest.approx(Decimal("1.0"), abs=Decimal("0.02"))
    assert isinstance(area, Decimal)


def test_it_accepts_a_plausible_boundary_inside_the_project():
    geo.validate_boundary(cell(0), project=Area)


def test_it_rejects_a_self_intersection_with_its_location():
    bowtie = GEOSGeometry(
        "MULTIPOLYGON(((-74.9 -10.9, -74.899 -10.899, -74.899 -10.9, -74.9 -10.899, -74.9 -10.9)))",
        srid=4326,
    )
    with pytest.raises(ValidationError) as caught:
        geo.validate_boundary(bowtie, project=Area)
    with translation.override("en"):
        message = caught.value.message_dict["boundary"][0]
    assert "self-intersection" in message
    assert "-74.899500" in message and "-10.899500" in message
    with translation.override("es"):
        assert "autointersección" in caught.value.message_dict["boundary"][0]


def test_it_rejects_an_empty_or_missing_boundary():
    for empty in (None, MultiPolygon(srid=4326)):
        with pytest.raises(ValidationError) as caught:
            geo.validate_boundary(empty, project=Area)
        assert caught.value.error_dict["boundary"][0].code == "empty"


def test_it_rejects_a_point_or_another_srid():
    with pytest.raises(ValidationError) as caught:
        geo.validate_boundary(Point(-74.9, -10.9, srid=4326), project=Area)
    assert caught.value.error_dict["boundary"][0].code == "type"
    utm = square(-74.9, -10.9).transform(32718, clone=True)
    with pytest.raises(ValidationError):
        geo.validate_boundary(utm, project=Area)


def test_it_rejects_a_boundary_outside_the_project_area_with_the_m2_outside():
    straddling = square(-74.6 - DEG_100M_LON / 2, -10.9)
    with pytest.raises(ValidationError) as caught:
        geo.validate_boundary(straddling, project=Area)
    error = caught.value.error_dict["boundary"][0]
    assert error.code == "outside_project"
    assert 4000 < float(error.params["m2"]) < 6000


def test_it_tolerates_a_sliver_outside_the_project_area():
    sliver = square(-74.6 - DEG_100M_LON + DEG_100M_LON / 2000, -10.9)  # ~5 cm outside
    geo.validate_boundary(sliver, project=Area)


def test_it_rejects_implausibly_small_and_large_parcels():
    for side in (5, 1200):  # 0.0025 ha and 144 ha
        with pytest.raises(ValidationError) as caught:
            geo.validate_boundary(square(-74.9, -10.9, side_m=side), project=Area)
        assert caught.value.error_dict["boundary"][0].code == "area_bounds"


@override_settings(PARCEL_MAX_AREA_HA="200")
def test_it_reads_the_area_bounds_from_settings():
    geo.validate_boundary(square(-74.9, -10.9, side_m=1200), project=Area)


@pytest.mark.django_db
def test_it_finds_overlapping_parcels_of_the_same_project_with_the_m2(personas):
    owner = make_smallholder(personas.project_a, personas.coop_a1)
    first = make_parcel(owner, "P-1", cell(0))
    shifted = square(-74.90 + DEG_100M_LON / 2, -10.90)  # half of P-1: about 5,000 m²
    found = overlaps.find_overlaps(shifted, project_id=personas.project_a.pk)
    assert [o.code for o in found] == ["P-1"]
    assert found[0].parcel_id == first.pk
    assert 4500 < found[0].overlap_m2 < 5500


@pytest.mark.django_db
def test_it_ignores_touching_neighbours_other_projects_and_the_parcel_itself(personas):
    owner = make_smallholder(personas.project_a, personas.coop_a1)
    first = make_parcel(owner, "P-1", cell(0))
    neighbour = square(-74.90 + DEG_100M_LON, -10.90)
    assert overlaps.find_overlaps(neighbour, project_id=personas.project_a.pk) == []
    assert overlaps.find_overlaps(cell(0), project_id=personas.project_b.pk) == []
    assert (
        overlaps.find_overlaps(cell(0), project_id=personas.project_a.pk, exclude_id=first.pk) == []
    )


@pytest.mark.django_db
def test_it_applies_the_overlap_tolerance(personas):
    owner = make_smallholder(personas.project_a, personas.coop_a1)
    make_parcel(owner, "P-1", cell(0))
    # 1 m wide strip along the east edge: about 100 m² of overlap
    strip = square(-74.90 + DEG_100M_LON * 0.99, -10.90)
    assert overlaps.find_overlaps(strip, project_id=personas.project_a.pk, tolerance_m2=150) == []
    found = overlaps.find_overlaps(strip, project_id=personas.project_a.pk, tolerance_m2=10)
    assert 50 < found[0].overlap_m2 < 150
