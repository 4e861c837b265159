"""Which of a project's parcels a boundary overlaps, and by how much (a read of the database).

Forms, services and importers all ask here, so the overlap rule is decided in one place;
`geo.overlap_error` words the refusal.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.gis.db.models.functions import Area, Intersection, Transform
from django.contrib.gis.geos import GEOSGeometry

from parcels import geo
from parcels.models import Parcel


@dataclass(frozen=True)
class Overlap:
    """Another parcel of the same project that `geom` overlaps, and by how much."""

    parcel_id: int
    code: str
    overlap_m2: float


def find_overlaps(
    geom: GEOSGeometry,
    *,
    project_id: int,
    exclude_id: int | None = None,
    tolerance_m2: float | None = None,
) -> list[Overlap]:
    """The project's other parcels overlapping `geom` by more than `tolerance_m2`, largest first.

    The `boundary__intersects` filter lets PostGIS use the GiST index (ST_Intersects implies a
    bounding-box `&&` test); only those few candidates get the exact ST_Intersection, whose area
    is measured in `geom`'s UTM zone. Touching neighbours (shared edge) overlap by 0 m².
    """
    if tolerance_m2 is None:
        tolerance_m2 = float(geo.limit("PARCEL_OVERLAP_TOLERANCE_M2", "10"))
    rows = overlap_queryset(geom, project_id=project_id, exclude_id=exclude_id)
    overlaps = [Overlap(pk, code, _square_metres(shared)) for pk, code, shared in rows]
    return sorted((o for o in overlaps if o.overlap_m2 > tolerance_m2), key=lambda o: -o.overlap_m2)


def overlap_queryset(geom: GEOSGeometry, *, project_id: int, exclude_id: int | None = None):
    """(id, code, shared area) of the project's parcels intersecting `geom` (see find_overlaps)."""
    candidates = Parcel.objects.filter(project_id=project_id, boundary__intersects=geom)
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    shared = Transform(Intersection("boundary", geom), geo.utm_epsg_for(geom))
    rows = candidates.annotate(shared=Area(shared)).values_list("pk", "code", "shared")
    return rows.order_by()  # no join for Meta.ordering: find_overlaps sorts by overlap


def _square_metres(value: Any) -> float:  # an Area measure, or None (a database value)
    """Area() gives a Measure on PostGIS and SpatiaLite alike; None for an empty intersection."""
    if value is None:
        return 0.0
    return float(getattr(value, "sq_m", value))
