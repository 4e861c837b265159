"""Parcel geometry: UTM zone, area in hectares, boundary checks and overlap detection.

Boundaries are stored in WGS84 (EPSG:4326). Anything measured in metres is computed in the UTM
zone of the geometry's centroid (EPSG:327xx south, 326xx north), derived, never hard-coded:
Pichanaki (-74.9, -10.9) falls in zone 18 south, EPSG:32718.

Limits are settings so that a project can tune them (all optional):
``PARCEL_MIN_AREA_HA`` (0.01), ``PARCEL_MAX_AREA_HA`` (100), ``PARCEL_OVERLAP_TOLERANCE_M2`` (10)
and ``PARCEL_OUTSIDE_TOLERANCE_M2`` (10, the part of a parcel allowed outside the project area).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from parcels.importing.readers.validity import invalid_reason

WGS84 = 4326
HECTARE_M2 = 10_000
_HA_PLACES = Decimal("0.0001")


def utm_epsg_for(geom: GEOSGeometry) -> int:
    """EPSG code of the WGS84 UTM zone holding `geom`'s centroid (326xx north, 327xx south)."""
    centroid = _in_wgs84(geom).centroid
    zone = min(max(int(math.floor((centroid.x + 180) / 6)) + 1, 1), 60)
    return (32600 if centroid.y >= 0 else 32700) + zone


def area_m2(geom: GEOSGeometry, *, epsg: int | None = None) -> float:
    """Planar area in m² in the UTM zone of `geom` (or the zone `epsg` given)."""
    return _in_wgs84(geom).transform(epsg or utm_epsg_for(geom), clone=True).area


def area_hectares(geom: GEOSGeometry) -> Decimal:
    """Area in hectares computed in the geometry's UTM zone, rounded to 4 decimals (1 m²)."""
    return Decimal(repr(area_m2(geom) / HECTARE_M2)).quantize(_HA_PLACES, ROUND_HALF_UP)


def as_multipolygon(geom: GEOSGeometry) -> MultiPolygon:
    """`geom` as a MultiPolygon (a Polygon is wrapped; other types are left for the checks)."""
    if isinstance(geom, Polygon):
        return MultiPolygon(geom, srid=geom.srid or WGS84)
    return geom


def limit(name: str, default: str) -> Decimal:
    return Decimal(str(getattr(settings, name, default)))


def validate_boundary(geom: GEOSGeometry | None, *, project: object) -> None:
    """Raise ValidationError({"boundary": [...]}) unless `geom` may be a parcel of `project`.

    Checks, in order: present and non-empty; a MultiPolygon in SRID 4326; GEOS-valid (the reason
    and location are in the message, e.g. a self-intersection); inside the project area (up to
    PARCEL_OUTSIDE_TOLERANCE_M2); area within PARCEL_MIN_AREA_HA..PARCEL_MAX_AREA_HA.
    `project` needs an `area` attribute (a MultiPolygon or None: no area, no check).
    """
    error = _boundary_error(geom, project_area=getattr(project, "area", None))
    if error is not None:
        raise ValidationError({"boundary": [error]})


def _boundary_error(geom: GEOSGeometry | None, *, project_area: GEOSGeometry | None):
    if geom is None or geom.empty:
        return ValidationError(_("The boundary is empty."), code="empty")
    if geom.geom_type != "MultiPolygon" or geom.srid != WGS84:
        return ValidationError(
            _(
                "The boundary must be a polygon or multipolygon in WGS84 (EPSG:4326), not %(type)s "
                "in EPSG:%(srid)s."
            ),
            code="type",
            params={"type": geom.geom_type, "srid": geom.srid},
        )
    if not geom.valid:
        return invalid_geometry_error(geom)
    return _outside_error(geom, project_area) or _area_error(geom)


def invalid_geometry_error(geom: GEOSGeometry) -> ValidationError:
    """A translated error from GEOS's `valid_reason`, with the location when GEOS gives one.

    The reason is lazy, like the message: both are rendered in the language active then.
    """
    return ValidationError(
        _("The boundary is not a valid polygon: %(reason)s."),
        code="invalid",
        params={"reason": lazy(invalid_reason, str)(geom)},
    )


def _outside_error(geom: GEOSGeometry, project_area: GEOSGeometry | None):
    if project_area is None or project_area.empty:
        return None
    if project_area.prepared.contains(geom):  # the cheap, common case
        return None
    outside = geom.difference(project_area)
    outside_m2 = 0.0 if outside.empty else area_m2(outside, epsg=utm_epsg_for(geom))
    if outside_m2 <= float(limit("PARCEL_OUTSIDE_TOLERANCE_M2", "10")):
        return None
    return ValidationError(
        _("The boundary lies %(m2)s m² outside the project area."),
        code="outside_project",
        params={"m2": f"{outside_m2:.0f}"},
    )


def _area_error(geom: GEOSGeometry):
    hectares = area_hectares(geom)
    low = limit("PARCEL_MIN_AREA_HA", "0.01")
    high = limit("PARCEL_MAX_AREA_HA", "100")
    if low <= hectares <= high:
        return None
    return ValidationError(
        _("The parcel measures %(area)s ha; a plausible parcel measures %(low)s to %(high)s ha."),
        code="area_bounds",
        params={"area": hectares, "low": low, "high": high},
    )


def overlap_error(overlaps: Iterable[HasOverlap]) -> ValidationError:
    """The error for a parcel overlapping others: names each parcel and the overlap in m²."""
    parts = ", ".join(f"{o.code} ({o.overlap_m2:.0f} m²)" for o in overlaps)
    return ValidationError(
        {
            "boundary": ValidationError(
                _("The boundary overlaps other parcels of this project: %(parcels)s."),
                code="overlap",
                params={"parcels": parts},
            )
        }
    )


class HasOverlap(Protocol):
    """An overlapping parcel as the error names it (`parcels.overlaps.Overlap`)."""

    @property
    def code(self) -> str: ...
    @property
    def overlap_m2(self) -> float: ...


def _in_wgs84(geom: GEOSGeometry) -> GEOSGeometry:
    if geom.srid in (None, WGS84):
        return geom
    return geom.transform(WGS84, clone=True)
