"""Where the demo parcels lie: non-overlapping quadrilaterals inside the district (no database).

The district is cut, in its UTM zone, into square cells of `CELL_M` metres; only cells wholly
inside the district are used. Each community gets a centre cell, and its parcels take the free
cells nearest to it (some cells are left empty, as neighbours outside the project). A parcel is a
jittered, rotated rectangle of the requested area that stays `MARGIN_M` inside its cell, so two
parcels can never overlap and every parcel lies inside the district, by construction.
"""

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon

from parcels.geo import WGS84, as_multipolygon, utm_epsg_for

GEO_FILE = Path(__file__).resolve().parent / "data" / "geo" / "chanchamayo_districts.geojson"
CELL_M = 400.0
MARGIN_M = 6.0
EMPTY_CELL_SHARE = 0.3
COMMUNITY_SPACING_M = 2500.0
MAX_ROTATION_RAD = math.radians(25)


@dataclass(frozen=True)
class ParcelShape:
    """One parcel's boundary (WGS84, 6 decimals) and its centre in the UTM zone `epsg`."""

    boundary: MultiPolygon
    centre: tuple[float, float]
    epsg: int


def load_district(ubigeo: str, path: Path = GEO_FILE) -> MultiPolygon:
    """The district with INEI code `ubigeo` from the bundled GeoJSON, as a WGS84 MultiPolygon."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    for feature in features:
        if feature["properties"]["ubigeo"] == ubigeo:
            geometry = GEOSGeometry(json.dumps(feature["geometry"]), srid=WGS84)
            return as_multipolygon(geometry)
    raise LookupError(f"no district with ubigeo {ubigeo} in {path}")


@functools.cache
def inner_cells(ubigeo: str) -> tuple[np.ndarray, int]:
    """Lower-left corners (UTM metres, shape (n, 2)) of the grid cells wholly inside the
    district `ubigeo`, and the EPSG code of its UTM zone. Cached: it is the slow part (~0.5 s).
    """
    district = load_district(ubigeo)
    epsg = utm_epsg_for(district)
    area = district.transform(epsg, clone=True)
    inside = area.buffer(-MARGIN_M).prepared
    xmin, ymin, xmax, ymax = area.extent
    corners = [
        (x, y)
        for x in np.arange(xmin, xmax - CELL_M, CELL_M)
        for y in np.arange(ymin, ymax - CELL_M, CELL_M)
        if inside.contains(_square(x, y))
    ]
    cells = np.array(corners, dtype=float)
    cells.flags.writeable = False  # shared by every caller through the cache
    return cells, epsg


def _square(x: float, y: float) -> GEOSGeometry:
    """A CELL_M square from its lower-left corner (WKT parses faster than Polygon.from_bbox)."""
    x2, y2 = x + CELL_M, y + CELL_M
    return GEOSGeometry(f"POLYGON(({x} {y},{x2} {y},{x2} {y2},{x} {y2},{x} {y}))")


def community_centres(cells: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` cell centres at least COMMUNITY_SPACING_M apart, drawn from `cells`."""
    centres: list[np.ndarray] = []
    for index in rng.permutation(len(cells)):
        candidate = cells[index] + CELL_M / 2
        if all(np.hypot(*(candidate - c)) >= COMMUNITY_SPACING_M for c in centres):
            centres.append(candidate)
            if len(centres) == count:
                return np.array(centres)
    raise ValueError(f"cannot place {count} communities {COMMUNITY_SPACING_M} m apart")


def assign_cells(
    cells: np.ndarray, centres: np.ndarray, communities: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A distinct cell index for each parcel, near the centre of the parcel's community.

    `communities[i]` is the community of parcel i; there are at least as many cells as parcels.
    """
    taken = np.zeros(len(cells), dtype=bool)
    chosen = np.empty(len(communities), dtype=int)
    centre_of_cells = cells + CELL_M / 2
    for community in np.unique(communities):
        members = np.flatnonzero(communities == community)
        distance = np.hypot(*(centre_of_cells - centres[community]).T)
        # Irregular clusters: distances are blurred, and some cells stay empty.
        order = np.argsort(distance * rng.uniform(0.8, 1.2, len(cells)))
        skip = rng.random(len(cells)) < EMPTY_CELL_SHARE
        free = [i for i in order if not taken[i] and not skip[i]]
        free += [i for i in order if not taken[i] and skip[i]]
        chosen[members] = free[: len(members)]
        taken[chosen[members]] = True
    return chosen


def parcel_ring(area_m2: float, rng: np.random.Generator) -> np.ndarray:
    """A counter-clockwise quadrilateral of exactly `area_m2`, centred on (0, 0), fitting a cell."""
    aspect = math.exp(rng.uniform(-0.45, 0.45))
    width, height = math.sqrt(area_m2 * aspect), math.sqrt(area_m2 / aspect)
    ring = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float) * [width / 2, height / 2]
    ring += rng.normal(0, 0.05 * min(width, height), ring.shape)
    for angle in (rng.uniform(-MAX_ROTATION_RAD, MAX_ROTATION_RAD), 0.0):
        turned = _rotate(ring, angle)
        turned *= math.sqrt(area_m2 / _shoelace(turned))
        turned -= turned.mean(axis=0)
        if np.abs(turned).max() <= CELL_M / 2 - MARGIN_M:
            return turned
    raise ValueError(f"a parcel of {area_m2:.0f} m² does not fit a {CELL_M:.0f} m cell")


def _rotate(ring: np.ndarray, angle: float) -> np.ndarray:
    cos, sin = math.cos(angle), math.sin(angle)
    return ring @ np.array([[cos, sin], [-sin, cos]])


def _shoelace(ring: np.ndarray) -> float:
    x, y = ring.T
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def place_parcel(
    ring: np.ndarray, corner: np.ndarray, epsg: int, rng: np.random.Generator
) -> ParcelShape:
    """Move `ring` to a random spot of the cell at `corner`, as a WGS84 boundary (6 decimals)."""
    slack = CELL_M / 2 - MARGIN_M - np.abs(ring).max(axis=0)
    centre = corner + CELL_M / 2 + rng.uniform(-slack, slack)
    utm = Polygon([*map(tuple, ring + centre), tuple(ring[0] + centre)], srid=epsg)
    lonlat = np.round(np.array(utm.transform(WGS84, clone=True).exterior_ring.coords), 6)
    boundary = MultiPolygon(Polygon([tuple(p) for p in lonlat]), srid=WGS84)
    return ParcelShape(boundary=boundary, centre=(float(centre[0]), float(centre[1])), epsg=epsg)


def wgs84_point(x: float, y: float, epsg: int) -> Point:
    """A UTM point as a WGS84 Point rounded to 6 decimals (about 0.1 m)."""
    point = Point(x, y, srid=epsg).transform(WGS84, clone=True)
    return Point(round(point.x, 6), round(point.y, 6), srid=WGS84)
