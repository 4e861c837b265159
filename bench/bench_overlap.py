"""Benchmark: the overlap check when saving one parcel among 100,000 of the same project.

Run by `make bench` (DATABASE_URL must point at PostGIS). Creates a throwaway project with
100,000 one-hectare parcels on a grid (bulk SQL, then ANALYZE), then times
`parcels.overlaps.find_overlaps` for 50 new parcels placed at random (each overlaps up to four
existing ones) and prints the median, and EXPLAIN ANALYZE of the query to show the GiST index
on the boundary is used. Everything created is deleted afterwards. Target: median < 20 ms.
"""

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pichanaki.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.gis.geos import MultiPolygon, Polygon  # noqa: E402
from django.db import connection  # noqa: E402

from parcels import geo, overlaps  # noqa: E402
from parcels.models import Parcel  # noqa: E402
from smallholders.models import Cooperative, Project, ProjectCooperative, Smallholder  # noqa: E402

PARCELS = int(os.environ.get("BENCH_OVERLAP_PARCELS", "100000"))
TRIES = 50
CODE = "bench-overlap"
SIDE = 0.0009  # about 100 m at Pichanaki's latitude: one hectare
STEP = 0.0011  # grid spacing: about 20 m between neighbours
ORIGIN = (-75.0, -11.2)
COLUMNS = int(PARCELS**0.5) + 1

INSERT = """
INSERT INTO parcels_parcel (project_id, smallholder_id, code, name, boundary, area_ha, area_epsg,
    land_use_before, eligibility_note, eligibility_file, status, rejection_reason, created_at,
    updated_at)
SELECT %(project)s, %(owner)s, 'B-' || n, '',
    ST_Multi(ST_MakeEnvelope(x, y, x + %(side)s, y + %(side)s, 4326)),
    1.0, 32718, 'coffee', '', '', 'draft', '', now(), now()
FROM generate_series(0, %(count)s - 1) AS n,
    LATERAL (SELECT %(x0)s + (n %% %(cols)s) * %(step)s AS x,
                    %(y0)s + (n / %(cols)s) * %(step)s AS y) AS corner
"""


def setup() -> Project:
    project = Project.objects.create(
        code=CODE,
        name="Bench overlap",
        standard="other",
        crediting_start=dt.date(2010, 1, 1),
        crediting_end=dt.date(2039, 12, 31),
    )
    cooperative = Cooperative.objects.create(code=CODE, name="Bench", ruc="20999999908")
    ProjectCooperative.objects.create(
        project=project, cooperative=cooperative, joined_on=dt.date(2010, 1, 1)
    )
    owner = Smallholder.objects.create(
        project=project,
        cooperative=cooperative,
        dni="49999998",
        first_name="Bench",
        last_name="Overlap",
    )
    params = {
        "project": project.pk,
        "owner": owner.pk,
        "x0": ORIGIN[0],
        "y0": ORIGIN[1],
        "cols": COLUMNS,
        "step": STEP,
        "side": SIDE,
        "count": PARCELS,
    }
    with connection.cursor() as cursor:
        cursor.execute(INSERT, params)
        cursor.execute("ANALYZE parcels_parcel")
    return project


def candidate(rng: random.Random) -> MultiPolygon:
    x = ORIGIN[0] + rng.uniform(0, (COLUMNS - 1) * STEP)
    y = ORIGIN[1] + rng.uniform(0, (PARCELS // COLUMNS - 1) * STEP)
    return MultiPolygon(Polygon.from_bbox((x, y, x + SIDE, y + SIDE)), srid=4326)


def measure(project: Project) -> tuple[list[float], int]:
    rng = random.Random(20100101)
    timings, found = [], 0
    for _ in range(TRIES):
        geom = candidate(rng)
        started = time.perf_counter()
        hits = overlaps.find_overlaps(geom, project_id=project.pk)
        timings.append((time.perf_counter() - started) * 1000)
        found += len(hits)
    return timings, found


def explain(project: Project) -> str:
    geom = candidate(random.Random(1))
    return geo.overlap_queryset(geom, project_id=project.pk).explain(analyze=True)


def teardown() -> None:
    project = Project.objects.filter(code=CODE).first()
    if project is None:
        return
    Parcel.objects.filter(project=project)._raw_delete(connection.alias)
    Smallholder.history.filter(project_id=project.pk).delete()
    Smallholder.objects.filter(project=project).delete()
    ProjectCooperative.objects.filter(project=project).delete()
    Cooperative.objects.filter(code=CODE).delete()
    project.delete()


def main() -> int:
    if not settings.POSTGRES:
        print("bench_overlap needs PostGIS (DATABASE_URL)")
        return 1
    teardown()  # leftovers of an interrupted run
    try:
        started = time.perf_counter()
        project = setup()
        print(f"{PARCELS:,} parcels created in {time.perf_counter() - started:.1f} s")
        timings, found = measure(project)
        plan = explain(project)
    finally:
        teardown()
    median = statistics.median(timings)
    print(
        f"overlap check, {TRIES} saves: median {median:.2f} ms, "
        f"p90 {statistics.quantiles(timings, n=10)[-1]:.2f} ms, max {max(timings):.2f} ms "
        f"({found} overlaps found); target < 20 ms: {'OK' if median < 20 else 'MISSED'}"
    )
    print("EXPLAIN ANALYZE of the overlap query:")
    print(plan)
    uses_index = "parcels_parcel_boundary" in plan and "Index" in plan
    print(f"spatial index used: {'yes' if uses_index else 'NO'}")
    return 0 if uses_index else 1


if __name__ == "__main__":
    sys.exit(main())
