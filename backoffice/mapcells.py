"""Writes of the map's overview cells (PostGIS only: the vector tiles are cut by ST_AsMVT).

At the zooms where a tile covers a whole district (the zoom the map opens at and below), its
parcels are a pixel or less, and cutting them costs in proportion to the project's size. So the
rollup refresh (run by the events that change field data, runs, credits and money) sums them
here into cells of 1/16 of a tile, and such tiles are cut from at most 256 rows
(`selectors.tiles`): flat in the size of the project.
"""

from django.db import connection

from backoffice.models import MapCell
from parcels.choices import ParcelStatus
from quantification.models import CalculationRun, RunKind, RunStatus

#: Tiles up to this zoom are drawn from cells; from the next one on, from the parcels (a tile
#: of zoom 12 is about 10 km wide: its parcels are a few pixels each and bounded in number).
CELL_MAX_ZOOM = 11
CELL_ZOOM_STEP = 4  # a cell is a tile of zoom + 4: 16 × 16 cells per tile
HALF_WORLD = 20037508.342789244  # web mercator metres

# Each parcel of the project once: its point in web mercator and the raw figure of every
# measure, as the tiles compute them (tCO2e of the latest approved ex-post run, the last plot
# visit, trees alive at each planting's last count against those planted).
PARCELS_SQL = """
SELECT p.id, p.status, p.area_ha, s.cooperative_id,
       ST_Transform(ST_PointOnSurface(p.boundary), 3857) AS pt,
       r.stock_tco2e AS stock,
       (SELECT max(m.measured_on) FROM parcels_monitoringplot m WHERE m.parcel_id = p.id)
           AS last_monitored,
       t.alive, t.planted
FROM parcels_parcel p
JOIN smallholders_smallholder s ON s.id = p.smallholder_id
LEFT JOIN parcels_parcelresult r ON r.parcel_id = p.id AND r.run_id = %(run)s
LEFT JOIN (
    SELECT pl.parcel_id, sum(pl.trees_planted) AS planted, sum(last.trees_alive) AS alive
    FROM parcels_planting pl
    LEFT JOIN LATERAL (
        SELECT sc.trees_alive FROM parcels_survivalcount sc WHERE sc.planting_id = pl.id
        ORDER BY sc.counted_on DESC LIMIT 1
    ) last ON true
    GROUP BY pl.parcel_id
) t ON t.parcel_id = p.id
WHERE p.project_id = %(project)s
"""
FINEST = CELL_MAX_ZOOM + CELL_ZOOM_STEP  # the zoom whose tiles are the finest cells
STATUSES = [code for code, _label in ParcelStatus.choices]
# Each parcel's finest cell once (integers: a coarser zoom's cell is a shift of it), then per
# zoom and cell (and per cooperative's cell) the sums; no ordered-set aggregates (a hash
# aggregation of parcels × zooms): the most common status from a count per status.
STATUS_COUNTS = ", ".join(f"count(*) FILTER (WHERE status = '{code}')" for code in STATUSES)
CELLS_SQL = f"""
WITH parcel AS MATERIALIZED (
    SELECT cooperative_id, status, area_ha, stock, alive, planted,
           extract(year FROM last_monitored)::int AS monitored_year,
           floor((ST_X(pt) + {HALF_WORLD}) / ({2 * HALF_WORLD} / 2 ^ {FINEST}))::int AS fx,
           floor(({HALF_WORLD} - ST_Y(pt)) / ({2 * HALF_WORLD} / 2 ^ {FINEST}))::int AS fy
    FROM ({PARCELS_SQL}) parcel
),
placed AS (
    SELECT parcel.*, z, fx >> ({CELL_MAX_ZOOM} - z) AS cx, fy >> ({CELL_MAX_ZOOM} - z) AS cy
    FROM parcel, generate_series(0, {CELL_MAX_ZOOM}) z
),
cells AS (
    SELECT cooperative_id, z, cx, cy, count(*) AS parcels, sum(area_ha) AS area_ha,
           ARRAY[{STATUS_COUNTS}] AS statuses,
           round((sum(stock) / NULLIF(sum(area_ha) FILTER (WHERE stock IS NOT NULL), 0))::numeric,
                 1)::float AS tco2e_ha,
           min(monitored_year) AS monitored,
           round((100.0 * sum(alive) / NULLIF(sum(planted), 0))::numeric, 1)::float AS survival
    FROM placed
    GROUP BY GROUPING SETS ((z, cx, cy), (z, cooperative_id, cx, cy))
)
INSERT INTO backoffice_mapcell (project_id, cooperative_id, zoom, x, y, parcels, area_ha,
    cooperative_name, status, tco2e_ha, monitored, survival)
SELECT %(project)s, cells.cooperative_id, z, cx, cy, parcels, area_ha, coalesce(c.name, ''),
       (%(statuses)s::text[])[array_position(statuses, (SELECT max(n) FROM unnest(statuses) n))],
       tco2e_ha, monitored, survival
FROM cells LEFT JOIN smallholders_cooperative c ON c.id = cells.cooperative_id
"""  # noqa: S608 (our constants only; the values are parameters)
# A whole-project cell names the cooperative with most parcels in it (ties: the first name).
DOMINANT_SQL = """
UPDATE backoffice_mapcell whole SET cooperative_name = top.cooperative_name
FROM (
    SELECT DISTINCT ON (zoom, x, y) zoom, x, y, cooperative_name FROM backoffice_mapcell
    WHERE project_id = %(project)s AND cooperative_id IS NOT NULL
    ORDER BY zoom, x, y, parcels DESC, cooperative_name
) top
WHERE whole.project_id = %(project)s AND whole.cooperative_id IS NULL
  AND whole.zoom = top.zoom AND whole.x = top.x AND whole.y = top.y
"""


def rebuild_map_cells(*, project_id: int) -> None:
    """Replace the project's cells with ones summing its parcels now (PostGIS; nothing on
    SpatiaLite, whose map reads GeoJSON by box). Runs inside the rollup refresh's transaction,
    so a tile never sees half of them."""
    if connection.vendor != "postgresql":
        return
    run = (
        CalculationRun.objects.filter(
            project_id=project_id, kind=RunKind.EX_POST, status=RunStatus.APPROVED
        )
        .order_by("-period_end", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    MapCell.objects.filter(project_id=project_id).delete()
    params = {"project": project_id, "run": run, "statuses": STATUSES}
    with connection.cursor() as cursor:
        # These statements read every parcel once; compiling them (JIT) costs more than it
        # saves, seconds at 100,000 parcels. Local: the setting ends with the transaction.
        cursor.execute("SET LOCAL jit = off")
        # Parcels × zooms are grouped in memory (a hash), not sorted on disk.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(CELLS_SQL, params)
        cursor.execute(DOMINANT_SQL, params)
