"""Field data the import tests refer to: species, smallholders, parcels, plantings, plots."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from parcels import geo
from parcels.models import MonitoringPlot, Parcel, Planting, Species
from smallholders.models import Smallholder
from tests.base import Personas


def square(lon: float, lat: float, side: float = 0.002) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((lon, lat, lon + side, lat + side)), srid=4326)


def make_parcel(personas_project, smallholder, code: str, lon: float, lat: float) -> Parcel:
    boundary = square(lon, lat)
    return Parcel.objects.create(
        project=personas_project,
        smallholder=smallholder,
        code=code,
        boundary=boundary,
        area_ha=geo.area_hectares(boundary),
        area_epsg=geo.utm_epsg_for(boundary),
        land_use_before="pasture",
    )


@dataclass
class Field:
    personas: Personas
    inga: Species
    cedro: Species
    juana: Smallholder
    pedro_b: Smallholder
    parcel: Parcel
    parcel_b: Parcel
    plot: MonitoringPlot


@pytest.fixture
def field(personas: Personas) -> Field:
    inga, _ = Species.objects.get_or_create(
        scientific_name="Inga edulis",
        defaults={"code": "INGAEDU", "genus": "Inga", "common_name_es": "pacae"},
    )
    cedro, _ = Species.objects.get_or_create(
        scientific_name="Cedrela odorata",
        defaults={"code": "CEDRODO", "genus": "Cedrela", "common_name_es": "cedro"},
    )
    juana = Smallholder.objects.create(
        project=personas.project_a,
        cooperative=personas.coop_a1,
        dni="40123456",
        first_name="Juana",
        last_name="Quispe",
    )
    pedro_b = Smallholder.objects.create(
        project=personas.project_b,
        cooperative=personas.coop_b1,
        dni="40999999",
        first_name="Pedro",
        last_name="Rojas",
    )
    parcel = make_parcel(personas.project_a, juana, "PCH-0001", -74.90, -10.90)
    parcel_b = make_parcel(personas.project_b, pedro_b, "PCH-B001", -74.80, -10.80)
    Planting.objects.create(
        parcel=parcel,
        species=inga,
        planted_on=dt.date(2011, 1, 10),
        trees_planted=20,
        arrangement="shade",
    )
    plot = MonitoringPlot.objects.create(
        parcel=parcel,
        code="P1",
        centre=Point(-74.899, -10.899, srid=4326),
        radius_m=Decimal("11.28"),
        area_m2=Decimal("399.72"),
        measured_on=dt.date(2024, 6, 20),
    )
    return Field(personas, inga, cedro, juana, pedro_b, parcel, parcel_b, plot)
