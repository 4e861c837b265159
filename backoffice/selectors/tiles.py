"""The project map as Mapbox vector tiles (PostGIS only: ST_AsMVT has no SpatiaLite twin).

A tile holds the parcels the person may see (the same `parcels_for` scope and cooperative
filter as the GeoJSON answer, `map.visible_parcels`) with every measure the map colours by, so
changing the measure restyles the tiles in the browser instead of fetching them again. Only
the rows whose boundary overlaps the tile are read (spatial index on the 4326 box), and a tile
is cut by the database: the cost follows the tile, not the size of the project. Up to
CELL_MAX_ZOOM (the zoom the map opens at and below), where a tile covers the whole district and
its parcels are a pixel or less, tiles are cut from the overview cells (`backoffice/mapcells.py`,
at most 256 rows a tile) instead: each a square with its parcels' count (`parcels`) and the same
measures, summed, so that the opening tiles cost the same at any project size. Tiles are kept
in Django's cache under the person's scope, the tile, the language and the project's map
version, which the rollup refresh events bump (`services.bump_map_version`).
"""

import hashlib
import math
from typing import Any

from django.contrib.gis.geos import Polygon
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Max, OuterRef, Subquery, Sum
from django.utils import translation

from backoffice.mapcells import CELL_MAX_ZOOM, CELL_ZOOM_STEP
from backoffice.models import ProjectRollup
from backoffice.selectors.access import PanelView, sees_whole_project
from backoffice.selectors.map import latest_ex_post, visible_parcels
from backoffice.selectors.rollups import ensure_rollups
from parcels.choices import ParcelStatus
from parcels.models import MonitoringPlot, Planting, SurvivalCount
from quantification.models import ParcelResult
from smallholders.selectors import AnyUser, scope_for

LAYER = "parcels"
MAX_ZOOM = 22
EXTENT = 4096  # tile units, the MVT default
TILE_SECONDS = 24 * 3600  # a version bump makes old tiles unreachable long before this


class BadTile(ValueError):
    """z/x/y outside the tile grid."""


def check_tile(z: int, x: int, y: int) -> None:
    if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
        raise BadTile(f"{z}/{x}/{y}")


def tile_box(z: int, x: int, y: int) -> Polygon:
    """The tile's box in degrees (web mercator grid), for the spatial index of the 4326 rows."""
    check_tile(z, x, y)

    def lon(col: int) -> float:
        return float(col / 2**z * 360 - 180)

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / 2**z))))

    return Polygon.from_bbox((lon(x), lat(y + 1), lon(x + 1), lat(y)))


def map_version(*, view: PanelView) -> str:
    """The cache's version, bumped at each commit that changes field data; the rollups'
    stamp, which follows the same commits in every process (a per-process cache misses the
    bumps made by a worker's import); and the latest approved run, which tCO2e/ha reads."""
    bumped = cache.get(f"panel-map-version:{view.project.pk}", 0)
    stamp = ProjectRollup.objects.filter(project=view.project).values_list(
        "computed_from", flat=True
    )
    computed = stamp.first()
    run = latest_ex_post(view)
    return f"{bumped}.{computed.timestamp() if computed else 0}.{run.pk if run else 0}"


def tile_key(*, user: AnyUser, view: PanelView, z: int, x: int, y: int) -> str:
    """Who sees what decides the key: the person's scope (role, cooperative, projects), the
    page's cooperative, the tile, the language of the labels and the map's version."""
    check_tile(z, x, y)
    scope = scope_for(user)
    reach = (
        scope.reads_everything,
        scope.role,
        scope.cooperative_id,
        sorted(scope.project_ids),
        view.cooperative_id,
    )
    digest = hashlib.sha256(repr(reach).encode()).hexdigest()[:16]
    version = map_version(view=view)
    language = translation.get_language()
    return f"panel-tile:{view.project.pk}:{version}:{digest}:{language}:{z}/{x}/{y}"


def _rows_sql(*, user: AnyUser, view: PanelView, box: Polygon) -> tuple[str, tuple[Any, ...]]:
    """The visible parcels in the box with the raw figures of every measure, as SQL."""
    parcels = visible_parcels(user=user, view=view, bbox=box)
    # No approved run yet: `run IS NULL` matches nothing, every tCO2e/ha is NULL.
    # Subqueries without the models' default ordering (joins a correlated row does not need).
    result = ParcelResult.objects.filter(run=latest_ex_post(view), parcel=OuterRef("pk"))
    result = result.order_by()
    monitored = (
        MonitoringPlot.objects.filter(parcel=OuterRef("pk"))
        .order_by()
        .values("parcel")
        .annotate(last=Max("measured_on"))
        .values("last")
    )
    last = SurvivalCount.objects.filter(planting=OuterRef("pk")).order_by("-counted_on")
    # The parcel is already in scope, and so are its plantings.
    plantings = Planting.objects.filter(parcel=OuterRef("pk")).order_by()
    alive = plantings.annotate(alive=Subquery(last.values("trees_alive")[:1])).values("parcel")
    alive = alive.annotate(total=Sum("alive")).values("total")
    planted = plantings.values("parcel").annotate(total=Sum("trees_planted")).values("total")
    rows = (
        parcels.annotate(
            stock=Subquery(result.values("stock_tco2e")[:1]),
            last_monitored=Subquery(monitored),
            alive=Subquery(alive),
            planted=Subquery(planted),
            cooperative_name=F("smallholder__cooperative__name"),
        )
        .order_by()
        .values(
            "pk",
            "code",
            "status",
            "area_ha",
            "boundary",
            "cooperative_name",
            "stock",
            "last_monitored",
            "alive",
            "planted",
        )
    )
    sql, params = rows.query.sql_with_params()
    return str(sql), tuple(params)


def _status_sql(column: str = "r.status") -> tuple[str, list[Any]]:
    """A CASE turning status codes into their labels in the reader's language."""
    whens, params = [], []
    for code, label in ParcelStatus.choices:
        whens.append("WHEN %s THEN %s")
        params += [code, str(label)]
    return f"CASE {column} {' '.join(whens)} ELSE {column} END", params


def render_tile(*, user: AnyUser, view: PanelView, z: int, x: int, y: int) -> bytes:
    """The tile's protobuf bytes, cut by the database (empty bytes when no parcel is in it):
    from the overview cells up to CELL_MAX_ZOOM when the person sees the whole project or the
    page shows one cooperative, else from the parcels."""
    check_tile(z, x, y)
    if z <= CELL_MAX_ZOOM:
        cells = _cell_scope(user=user, view=view)
        if cells is not None:
            return _render_cells(view=view, cooperative_id=cells, z=z, x=x, y=y)
    rows_sql, rows_params = _rows_sql(user=user, view=view, box=tile_box(z, x, y))
    status_sql, status_params = _status_sql()
    # Composed of our constants and Django-compiled SQL; every value is a parameter.
    sql = f"""
        SELECT ST_AsMVT(t, %s, {EXTENT}, 'geom', 'id') FROM (
            SELECT r.pk AS id,
                   r.code,
                   r.cooperative_name AS cooperative,
                   {status_sql} AS status,
                   r.area_ha::float AS area_ha,
                   round((r.stock / NULLIF(r.area_ha, 0))::numeric, 1)::float AS tco2e_ha,
                   extract(year FROM r.last_monitored)::int AS monitored,
                   round(100.0 * r.alive / NULLIF(r.planted, 0), 1)::float AS survival,
                   ST_AsMVTGeom(
                       ST_Transform(r.boundary, 3857), ST_TileEnvelope(%s, %s, %s),
                       {EXTENT}, 64, true
                   ) AS geom
            FROM ({rows_sql}) r
        ) t WHERE t.geom IS NOT NULL
    """  # noqa: S608
    params = [LAYER, *status_params, z, x, y, *rows_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (tile,) = cursor.fetchone()
    return bytes(tile or b"")


def _cell_scope(*, user: AnyUser, view: PanelView) -> int | None:
    """Which cells show the person's parcels: the page's cooperative's (its id), the whole
    project's (0) for those who see all of it, or None (another scope: cut from the parcels)."""
    if view.cooperative_id is not None:
        return view.cooperative_id  # the page's cooperative is one the person may see
    return 0 if sees_whole_project(user=user, view=view) else None


def _render_cells(*, view: PanelView, cooperative_id: int, z: int, x: int, y: int) -> bytes:
    """A low-zoom tile from the project's cells inside it (at most 16 × 16 rows): each cell
    a square with its parcels' count and the same measures as a parcel."""
    ensure_rollups(view)  # the cells are rebuilt with the rollups
    status_sql, status_params = _status_sql("c.status")
    step = 2**CELL_ZOOM_STEP
    whose = "c.cooperative_id = %s" if cooperative_id else "c.cooperative_id IS NULL"
    # Composed of our constants; every value is a parameter.
    sql = f"""
        SELECT ST_AsMVT(t, %s, {EXTENT}, 'geom') FROM (
            SELECT %s || '/' || c.x || '/' || c.y AS cell,
                   c.parcels,
                   c.cooperative_name AS cooperative,
                   {status_sql} AS status,
                   c.area_ha::float AS area_ha,
                   c.tco2e_ha, c.monitored, c.survival,
                   ST_AsMVTGeom(
                       ST_TileEnvelope(%s, c.x, c.y), ST_TileEnvelope(%s, %s, %s), {EXTENT}, 0,
                       true
                   ) AS geom
            FROM backoffice_mapcell c
            WHERE c.project_id = %s AND {whose} AND c.zoom = %s
              AND c.x BETWEEN %s AND %s AND c.y BETWEEN %s AND %s
        ) t
    """  # noqa: S608
    params: list[Any] = [LAYER, z + CELL_ZOOM_STEP, *status_params, z + CELL_ZOOM_STEP]
    params += [z, x, y, view.project.pk, *([cooperative_id] if cooperative_id else []), z]
    params += [x * step, x * step + step - 1, y * step, y * step + step - 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (tile,) = cursor.fetchone()
    return bytes(tile or b"")


def cached_map_tile(*, user: AnyUser, view: PanelView, z: int, x: int, y: int, key: str) -> bytes:
    """The tile under `key` (from `tile_key`) in the cache, cut and kept there when missing."""
    tile = cache.get(key)
    if tile is None:
        tile = render_tile(user=user, view=view, z=z, x=x, y=y)
        cache.set(key, tile, TILE_SECONDS)
    return bytes(tile)
