"""Field-data builders for tests: everything goes through the services."""

import datetime as dt
from decimal import Decimal

from django.contrib.gis.geos import MultiPolygon, Polygon

from parcels import services as parcel_services
from parcels.choices import LandUse
from parcels.models import Parcel, Species
from smallholders import services as smallholder_services
from smallholders.models import Cooperative, Project, Smallholder

# One hectare is about 0.0009 degrees at Pichanaki's latitude (100 m ≈ 0.000915° of longitude).
DEG_100M_LON = 0.000915
DEG_100M_LAT = 0.000905
ORIGIN = (-74.90, -10.90)


def square(x0: float, y0: float, side_m: float = 100) -> MultiPolygon:
    """A square parcel of about `side_m` metres a side, south-west corner at (x0, y0)."""
    dx, dy = DEG_100M_LON * side_m / 100, DEG_100M_LAT * side_m / 100
    return MultiPolygon(Polygon.from_bbox((x0, y0, x0 + dx, y0 + dy)), srid=4326)


def cell(i: int, j: int = 0, side_m: float = 100) -> MultiPolygon:
    """The (i, j) square of a grid with 200 m spacing from ORIGIN: never overlapping."""
    return square(ORIGIN[0] + i * 2 * DEG_100M_LON, ORIGIN[1] + j * 2 * DEG_100M_LAT, side_m)


def make_smallholder(
    project: Project, cooperative: Cooperative, dni: str = "40123456", **fields: object
) -> Smallholder:
    return smallholder_services.register_smallholder(
        project=project,
        cooperative=cooperative,
        dni=dni,
        first_name=fields.pop("first_name", "Juana"),
        last_name=fields.pop("last_name", "Quispe"),
        joined_on=dt.date(2010, 1, 1),
        fields=fields,
    )


def make_parcel(
    smallholder: Smallholder, code: str = "PCH-0001", boundary: MultiPolygon | None = None
) -> Parcel:
    return parcel_services.register_parcel(
        smallholder=smallholder,
        code=code,
        boundary=boundary or cell(0),
        land_use_before=LandUse.COFFEE,
    )


def species(code: str = "INGAEDU") -> Species:
    return Species.objects.get(code=code)


def make_species(code: str, scientific: str, **fields: object) -> Species:
    defaults = {"genus": scientific.split()[0], "wood_density": Decimal("0.5")}
    return Species.objects.create(code=code, scientific_name=scientific, **{**defaults, **fields})
