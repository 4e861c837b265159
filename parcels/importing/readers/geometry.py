"""Build and check parcel boundaries from coordinates, WKT, GeoJSON geometries and ODK strings.

Everything ends in :func:`build_multipolygon`, the one place where a boundary is checked: non-empty,
rings of at least 4 positions and closed, longitude/latitude in range (and, by default, inside
Peru, with a hint when the axes look swapped), and GEOS-valid. Nothing is repaired: an invalid
boundary raises :class:`CellError` with GEOS's reason and location in words
(:func:`parcels.importing.readers.validity.invalid_reason`). ODK geoshapes are the one exception by
design: ODK defines them as closed, so an open one is closed here.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.gis.gdal import GDALException, OGRGeometry
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils.translation import gettext as _

from parcels.importing.readers.cells import is_blank
from parcels.importing.readers.errors import CellError
from parcels.importing.readers.validity import invalid_reason
from pichanaki.parsers import JSONTooDeep, loads_bounded

WGS84 = 4326
Position = tuple[float, float]
Ring = Sequence[Position]
PolygonRings = Sequence[Ring]
Bounds = tuple[float, float, float, float]
"""``(min_lon, min_lat, max_lon, max_lat)``."""

PERU_BOUNDS: Bounds = (-82.0, -18.5, -68.0, 0.5)
_PROJECTED = 1000.0  # beyond this many "degrees" the numbers are surely metres or feet
_WKT_START = re.compile(r"\s*(SRID=\d+;)?\s*[A-Z]+\s*(Z|M|ZM)?\s*(\(|EMPTY)", re.IGNORECASE)
_POLYGONAL = ("Polygon", "MultiPolygon")
_LINEAR = ("LineString", "MultiLineString", "LinearRing")


@dataclass(frozen=True)
class OdkPosition:
    """One vertex of an ODK/Kobo geo value (written ``lat lon [alt [acc]]``).

    ``accuracy`` is in metres; ODK writes 0 for hand-placed or mock-GPS points, so 0 means
    "unknown or manual", not "perfect".
    """

    lat: float
    lon: float
    altitude: float | None = None
    accuracy: float | None = None


@dataclass(frozen=True)
class Shape:
    """A checked parcel boundary, plus the per-vertex GPS accuracies when the source had them."""

    geometry: MultiPolygon
    accuracies: tuple[float | None, ...] = ()


def build_multipolygon(
    polygons: Sequence[PolygonRings], field: str, *, bounds: Bounds | None = PERU_BOUNDS
) -> MultiPolygon:
    """A checked MultiPolygon in SRID 4326 from lon/lat rings (outer ring first, then holes)."""
    rings = [ring for polygon in polygons for ring in polygon]
    if not polygons or not all(polygons):
        raise CellError(field, _("The boundary is empty."))
    for number, ring in enumerate(rings, start=1):
        _check_ring(ring, number, field)
        _check_positions(ring, field, bounds)
    geometry = MultiPolygon([Polygon(*polygon) for polygon in polygons], srid=WGS84)
    if not geometry.valid:
        reason = invalid_reason(geometry)
        raise CellError(field, _("The boundary is not valid: %(reason)s.") % {"reason": reason})
    return geometry


def _check_ring(ring: Ring, number: int, field: str) -> None:
    if len(ring) < 4:
        message = _(
            "Ring %(ring)s has %(count)s positions; a boundary needs at least 4 (3 corners and "
            "the first one repeated to close it)."
        ) % {"ring": number, "count": len(ring)}
        raise CellError(field, message)
    if tuple(ring[0]) != tuple(ring[-1]):
        message = _(
            "Ring %(ring)s is not closed: the first position %(first)s differs from the last "
            "%(last)s."
        ) % {"ring": number, "first": _show(ring[0]), "last": _show(ring[-1])}
        raise CellError(field, message)


def _check_positions(ring: Ring, field: str, bounds: Bounds | None) -> None:
    for lon, lat in ring:
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise CellError(field, _("A coordinate is not a number."))
        if abs(lon) > 180 or abs(lat) > 90:
            raise CellError(field, _out_of_range_message(lon, lat))
        if bounds and not _inside(lon, lat, bounds):
            raise CellError(field, _outside_message(lon, lat, bounds))


def _out_of_range_message(lon: float, lat: float) -> str:
    if max(abs(lon), abs(lat)) > _PROJECTED:
        return _(
            "Position %(point)s is not longitude/latitude in degrees; it looks like projected "
            "coordinates (e.g. UTM metres). Export it in WGS 84 (EPSG:4326)."
        ) % {"point": _show((lon, lat))}
    return _("Position %(point)s is outside the longitude/latitude range.") % {
        "point": _show((lon, lat))
    }


def _outside_message(lon: float, lat: float, bounds: Bounds) -> str:
    if _inside(lat, lon, bounds):
        return _(
            "Position %(point)s is outside Peru, but would be inside with latitude and "
            "longitude swapped; check the coordinate order (longitude first in GeoJSON/WKT/KML, "
            "latitude first in ODK)."
        ) % {"point": _show((lon, lat))}
    return _("Position %(point)s is outside Peru.") % {"point": _show((lon, lat))}


def _inside(lon: float, lat: float, bounds: Bounds) -> bool:
    return bounds[0] <= lon <= bounds[2] and bounds[1] <= lat <= bounds[3]


def _show(position: Sequence[float]) -> str:
    """Format a position the way GEOS reasons do: ``[-74.88 -10.93]``."""
    return "[" + " ".join(format(value, ".10g") for value in position[:2]) + "]"


def shape_from_geojson(
    geometry: object, field: str, *, bounds: Bounds | None = PERU_BOUNDS
) -> Shape:
    """A :class:`Shape` from a GeoJSON geometry object (Polygon or MultiPolygon)."""
    if not isinstance(geometry, dict) or not geometry.get("type"):
        raise CellError(field, _("The feature has no geometry."))
    kind, coordinates = geometry["type"], geometry.get("coordinates")
    require_polygonal(kind, field)
    try:
        parts = [coordinates] if kind == "Polygon" else list(coordinates)
        polygons = [[[_lon_lat(p) for p in ring] for ring in part] for part in parts]
    except (TypeError, ValueError, IndexError):
        message = _("The %(type)s coordinates are malformed.") % {"type": kind}
        raise CellError(field, message) from None
    return Shape(build_multipolygon(polygons, field, bounds=bounds))


def _lon_lat(position: object) -> Position:
    if isinstance(position, str | bytes) or len(position) < 2:  # type: ignore[arg-type]
        raise ValueError(position)
    lon, lat = position[0], position[1]  # type: ignore[index]
    if isinstance(lon, bool) or isinstance(lat, bool):
        raise ValueError(position)
    return float(lon), float(lat)


def require_polygonal(kind: str, field: str) -> None:
    """Raise a :class:`CellError` explaining why a non-polygon geometry cannot be a boundary."""
    if kind in _POLYGONAL:
        return
    if kind in _LINEAR:
        message = _(
            "The geometry is a line (%(type)s), e.g. an ODK geotrace; a parcel boundary must be "
            "a closed polygon (use a geoshape)."
        )
    elif kind in ("Point", "MultiPoint"):
        message = _("The geometry is a point (%(type)s); a parcel boundary must be a polygon.")
    else:
        message = _("Geometry type %(type)s is not supported; use Polygon or MultiPolygon.")
    raise CellError(field, message % {"type": kind})


def shape_from_wkt(text: str, field: str, *, bounds: Bounds | None = PERU_BOUNDS) -> Shape:
    """A :class:`Shape` from WKT or EWKT (``POLYGON((lon lat, ...))``; SRID 4326 if given).

    Parsed by OGR rather than GEOS so that an open ring reaches the ring check and its message.
    """
    try:
        parsed = OGRGeometry(text.strip())
    except GDALException:
        message = _("The text is not valid WKT (e.g. POLYGON((-74.87 -10.93, …))).")
        raise CellError(field, message) from None
    if parsed.srid not in (None, WGS84):
        message = _(
            "The geometry is in SRID %(srid)s; only WGS 84 longitude/latitude (EPSG:4326) is "
            "accepted."
        ) % {"srid": parsed.srid}
        raise CellError(field, message)
    kind = parsed.geom_type.name.removesuffix("25D")
    require_polygonal(kind, field)
    polygons = [parsed.coords] if kind == "Polygon" else list(parsed.coords)
    rings = [[[(x, y) for x, y, *_z in ring] for ring in polygon] for polygon in polygons]
    return Shape(build_multipolygon(rings, field, bounds=bounds))


def parse_odk_positions(text: str, field: str) -> list[OdkPosition]:
    """Split an ODK/Kobo geo value ``lat lon [alt [acc]];…`` (trailing ``;`` or ``; `` allowed)."""
    positions = []
    for number, chunk in enumerate((c for c in text.split(";") if c.strip()), start=1):
        parts = chunk.split()
        try:
            numbers = [float(part) for part in parts]
        except ValueError:
            numbers = []
        if not 2 <= len(numbers) <= 4:
            message = _(
                "Point %(number)s “%(text)s” is not “latitude longitude [altitude [accuracy]]”."
            ) % {"number": number, "text": chunk.strip()}
            raise CellError(field, message)
        positions.append(OdkPosition(*numbers))
    return positions


def is_closed_odk_value(text: str) -> bool:
    """True when an ODK geo value has several points and ends where it starts (a geoshape)."""
    try:
        positions = parse_odk_positions(text, "")
    except CellError:
        return False
    return len(positions) > 1 and _latlon(positions[0]) == _latlon(positions[-1])


def _latlon(position: OdkPosition) -> tuple[float, float]:
    return position.lat, position.lon


def parse_odk_geoshape(text: str, field: str, *, bounds: Bounds | None = PERU_BOUNDS) -> Shape:
    """A :class:`Shape` from an ODK/Kobo geoshape string; an open ring is closed."""
    positions = parse_odk_positions(text, field)
    if not positions:
        raise CellError(field, _("The boundary is empty."))
    if _latlon(positions[0]) != _latlon(positions[-1]):
        positions.append(positions[0])
    ring = [(p.lon, p.lat) for p in positions]
    geometry = build_multipolygon([[ring]], field, bounds=bounds)
    return Shape(geometry, tuple(p.accuracy for p in positions))


def parse_odk_geopoint(
    text: str, field: str, *, bounds: Bounds | None = PERU_BOUNDS
) -> tuple[Point, OdkPosition]:
    """A Point (SRID 4326) and its altitude/accuracy from an ODK geopoint ``lat lon alt acc``."""
    positions = parse_odk_positions(text, field)
    if len(positions) != 1:
        message = _("Expected one point, found %(count)s.") % {"count": len(positions)}
        raise CellError(field, message)
    position = positions[0]
    _check_positions([(position.lon, position.lat)], field, bounds)
    return Point(position.lon, position.lat, srid=WGS84), position


def parse_shape_cell(value: object, field: str, *, bounds: Bounds | None = PERU_BOUNDS) -> Shape:
    """A boundary from a table cell holding WKT/EWKT, a GeoJSON geometry or an ODK geoshape."""
    if is_blank(value):
        raise CellError(field, _("The boundary is empty."))
    text = str(value).strip()
    if text.startswith("{"):
        try:
            geometry = loads_bounded(text)
        except JSONTooDeep as exc:
            raise CellError(field, str(exc)) from None
        except json.JSONDecodeError:
            raise CellError(field, _("The text is not valid GeoJSON.")) from None
        return shape_from_geojson(geometry, field, bounds=bounds)
    if _WKT_START.match(text):
        return shape_from_wkt(text, field, bounds=bounds)
    return parse_odk_geoshape(text, field, bounds=bounds)
