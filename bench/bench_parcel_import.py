"""Benchmark: a parcel file's commit checks its rows once (issue 10).

    DATABASE_URL=postgis://… .venv/bin/python bench/bench_parcel_import.py

Creates a throwaway project with BENCH_PARCELS_STORED parcels on a grid, then imports a GeoJSON
file of BENCH_PARCELS_FILE new parcels between them: a preview (read and check: the floor), the
commit (read, check once, write), and, in the same run, the commit as it was before (the write
checking the rows again: an importer whose write passes plain rows). Best of BENCH_REPEAT each;
everything created is deleted afterwards. Target: commit / preview well under the old ratio.
"""

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pichanaki.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.gis.geos import MultiPolygon, Polygon  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from parcels import geo  # noqa: E402
from parcels.bulk_parcels import register_parcels, update_parcels  # noqa: E402
from parcels.importing import services as importing  # noqa: E402
from parcels.importing.base import Plan  # noqa: E402
from parcels.importing.parcels import ParcelImporter  # noqa: E402
from parcels.models import Parcel  # noqa: E402
from smallholders.models import (  # noqa: E402
    Cooperative,
    CooperativeMembership,
    Project,
    ProjectCooperative,
    Smallholder,
)

STORED = int(os.environ.get("BENCH_PARCELS_STORED", "2000"))
IN_FILE = int(os.environ.get("BENCH_PARCELS_FILE", "300"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
CODE = "bench-parcel-import"
SIDE, STEP, ORIGIN = 0.0009, 0.0022, (-75.0, -11.2)  # 1 ha squares, 100 m apart


class RecheckingParcelImporter(ParcelImporter):
    """The commit before issue 10's fix: the write gives plain rows, checked a second time."""

    def write(self, plan: Plan) -> None:
        user, reason = self.context.user, self.context.reason
        register_parcels(rows=[p.instance for p in plan.creates], user=user, reason=reason)
        update_parcels(rows=[p.instance for p in plan.updates], user=user, reason=reason)


def _square(i: int) -> MultiPolygon:
    x, y = ORIGIN[0] + (i % 100) * STEP, ORIGIN[1] + (i // 100) * STEP
    return MultiPolygon(Polygon.from_bbox((x, y, x + SIDE, y + SIDE)), srid=4326)


def setup() -> Project:
    project = Project.objects.create(
        code=CODE,
        name="Bench parcel import",
        standard="other",
        crediting_start=dt.date(2010, 1, 1),
        crediting_end=dt.date(2039, 12, 31),
    )
    cooperative = Cooperative.objects.create(code=CODE, name="Bench", ruc="20999999991")
    ProjectCooperative.objects.create(
        project=project, cooperative=cooperative, joined_on=dt.date(2010, 1, 1)
    )
    owner = Smallholder.objects.create(
        project=project, cooperative=cooperative, dni="49999998", first_name="B", last_name="P"
    )
    stored = []
    for i in range(STORED):
        boundary = _square(2 * i)  # every other square: the file's parcels go between
        stored.append(
            Parcel(
                project=project,
                smallholder=owner,
                code=f"S-{i}",
                boundary=boundary,
                land_use_before="other",
                area_ha=geo.area_hectares(boundary),
                area_epsg=geo.utm_epsg_for(boundary),
            )
        )
    Parcel.objects.bulk_create(stored, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE parcels_parcel")
    return project


def geojson() -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {"codigo": f"F-{i}", "dni": "49999998", "uso_anterior": "pasto"},
            "geometry": json.loads(_square(2 * i + 1)[0].geojson),
        }
        for i in range(IN_FILE)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def time_import(project: Project, data: bytes, *, commit: bool) -> float:
    context = importing.import_context(user=None, project=project, reason="bench")
    started = time.perf_counter()
    outcome = importing.import_file(
        kind="parcels", data=data, filename="p.geojson", context=context, commit=commit
    )
    elapsed = time.perf_counter() - started
    assert not outcome.plan.errors and outcome.committed == commit, outcome.plan.errors[:5]
    if commit:
        _delete_file_parcels()
    return elapsed


def _delete_file_parcels() -> None:
    with transaction.atomic():
        imported = Parcel.objects.filter(project__code=CODE, code__startswith="F-")
        Parcel.history.filter(project__code=CODE, code__startswith="F-").delete()
        imported.delete()


def cleanup() -> None:
    with transaction.atomic():
        Parcel.history.filter(project__code=CODE).delete()
        Parcel.objects.filter(project__code=CODE).delete()
        people = Smallholder.objects.filter(project__code=CODE)
        CooperativeMembership.objects.filter(smallholder__in=people).delete()
        Smallholder.history.filter(project__code=CODE).delete()
        people.delete()
        ProjectCooperative.objects.filter(project__code=CODE).delete()
        Project.objects.filter(code=CODE).delete()
        Cooperative.objects.filter(code=CODE).delete()


def main() -> int:
    if not settings.POSTGRES:
        print("bench_parcel_import: needs PostGIS (DATABASE_URL)")
        return 1
    cleanup()
    importer = importing.IMPORTERS["parcels"]
    try:
        project, data = setup(), geojson()
        preview = min(time_import(project, data, commit=False) for _ in range(REPEAT))
        once = min(time_import(project, data, commit=True) for _ in range(REPEAT))
        importing.IMPORTERS["parcels"] = RecheckingParcelImporter
        twice = min(time_import(project, data, commit=True) for _ in range(REPEAT))
    finally:
        importing.IMPORTERS["parcels"] = importer
        cleanup()
    print(
        f"commit of {IN_FILE} parcels among {STORED:,} stored (GeoJSON, PostGIS, best of {REPEAT})"
    )
    print(f"  preview (read + check, the floor): {preview:7.3f} s")
    print(f"  commit, rows checked once:         {once:7.3f} s   {once / preview:5.2f}x floor")
    print(f"  commit, rows checked twice (old):  {twice:7.3f} s   {twice / preview:5.2f}x floor")
    print(f"  old / new:                         {twice / once:7.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
