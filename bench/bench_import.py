"""Benchmark: import 100,000 tree measurements from CSV on PostGIS, against COPY of the same rows.

Run by `make bench` (DATABASE_URL must point at PostGIS). Creates a throwaway project, parcel
and plots through the ORM, generates a Spanish-locale CSV (";" and decimal commas), then times:
  1. COPY of the same CSV into a bare, unindexed temporary table (the floor);
  2. the preview alone: read and validate every row, write nothing;
  3. the full import: read, validate every row, insert rows and their history rows, committed.
Each is run BENCH_IMPORT_REPEAT times (default 3) and the best time is reported, so that other
work on the machine disturbs the figures less. Everything created is deleted afterwards with
plain SQL (an ORM delete would write "deleted" history rows and take longer than the import).
"""

import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pichanaki.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.gis.geos import MultiPolygon, Point, Polygon  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from parcels import geo  # noqa: E402
from parcels.importing.services import import_context, import_file  # noqa: E402
from parcels.models import MonitoringPlot, Parcel, Species, TreeMeasurement  # noqa: E402
from smallholders.models import (  # noqa: E402
    Cooperative,
    CooperativeMembership,
    Project,
    ProjectCooperative,
    Smallholder,
)

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
REPEAT = int(os.environ.get("BENCH_IMPORT_REPEAT", "3"))
TREES_PER_PLOT = 50
CODE = "bench-import"


def setup() -> tuple[Project, list[str]]:
    project = Project.objects.create(
        code=CODE, name="Bench import", standard="other", crediting_start=dt.date(2010, 1, 1),
        crediting_end=dt.date(2039, 12, 31))
    cooperative = Cooperative.objects.create(code=CODE, name="Bench", ruc="20999999990")
    ProjectCooperative.objects.create(project=project, cooperative=cooperative,
                                      joined_on=dt.date(2010, 1, 1))
    owner = Smallholder.objects.create(project=project, cooperative=cooperative, dni="49999999",
                                       first_name="Bench", last_name="Import")
    boundary = MultiPolygon(Polygon.from_bbox((-74.9, -10.9, -74.89, -10.89)), srid=4326)
    parcel = Parcel.objects.create(
        project=project, smallholder=owner, code="B-1", boundary=boundary, land_use_before="other",
        area_ha=geo.area_hectares(boundary), area_epsg=geo.utm_epsg_for(boundary))
    plots = ROWS // TREES_PER_PLOT
    MonitoringPlot.objects.bulk_create(
        MonitoringPlot(parcel=parcel, code=f"P{i}", centre=Point(-74.895, -10.895, srid=4326),
                       radius_m=Decimal("11.28"), area_m2=Decimal("399.72"),
                       measured_on=dt.date(2024, 6, 20))
        for i in range(plots))
    if not Species.objects.exists():  # a database migrated without the catalogue's seed
        Species.objects.bulk_create(Species(code=f"BENCH{i}", scientific_name=f"Benchia sp{i}",
                                            genus="Benchia") for i in range(20))
    species = list(Species.objects.values_list("scientific_name", flat=True)[:20])
    return project, species


def generate_csv(species: list[str]) -> bytes:
    rng = random.Random(42)
    lines = ["parcela;parcela_muestreo;fecha;arbol;tallo;especie;dap;altura;estado"]
    for i in range(ROWS):
        dbh = f"{rng.uniform(5, 80):.1f}".replace(".", ",")
        height = f"{rng.uniform(3, 30):.1f}".replace(".", ",")
        lines.append(f"B-1;P{i // TREES_PER_PLOT};20/06/2024;{i % TREES_PER_PLOT + 1};1;"
                     f"{rng.choice(species)};{dbh};{height};vivo")
    return ("\n".join(lines) + "\n").encode("utf-8")


def time_copy(data: bytes) -> float:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_copy (parcel text, plot text, day text, tag text, "
            "stem int, species text, dbh text, height text, status text) ON COMMIT DROP")
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_copy FROM STDIN (FORMAT csv, HEADER true, "
                                "DELIMITER ';')") as copy:
            copy.write(data)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy")
        assert cursor.fetchone()[0] == ROWS
    return elapsed


def time_import(project: Project, data: bytes, *, commit: bool = True) -> float:
    context = import_context(user=None, project=project, reason="bench")
    started = time.perf_counter()
    outcome = import_file(kind="measurements", data=data, filename="bench.csv", context=context,
                          commit=commit)
    elapsed = time.perf_counter() - started
    assert not outcome.plan.errors and outcome.committed == commit, outcome.plan.errors[:5]
    return elapsed


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _delete(cursor: object, model: type, where: str, params: list) -> None:
    """Delete the rows matching `where` and their history rows (same columns) in plain SQL."""
    for table in (_table(model.history.model), _table(model)):
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)  # noqa: S608


def _in_bench(column: str, model: type, where: str) -> str:
    return f"{column} IN (SELECT id FROM {_table(model)} WHERE {where})"  # noqa: S608


PROJECT = _in_bench("project_id", Project, "code = %s")
PARCELS = _in_bench("parcel_id", Parcel, PROJECT)
PLOTS = _in_bench("plot_id", MonitoringPlot, PARCELS)


def delete_measurements() -> None:
    with connection.cursor() as cursor:
        _delete(cursor, TreeMeasurement, PLOTS, [CODE])


def cleanup() -> None:
    """Remove everything the bench created, children first."""
    with transaction.atomic(), connection.cursor() as cursor:
        _delete(cursor, TreeMeasurement, PLOTS, [CODE])
        _delete(cursor, MonitoringPlot, PARCELS, [CODE])
        _delete(cursor, Parcel, PROJECT, [CODE])
        _delete(cursor, CooperativeMembership,
                _in_bench("smallholder_id", Smallholder, PROJECT), [CODE])
        _delete(cursor, Smallholder, PROJECT, [CODE])
        _delete(cursor, ProjectCooperative, PROJECT, [CODE])
        _delete(cursor, Project, "code = %s", [CODE])
        _delete(cursor, Cooperative, "code = %s", [CODE])
        _delete(cursor, Species, "genus = %s", ["Benchia"])


def main() -> int:
    if not settings.POSTGRES:
        print("bench_import: needs PostGIS (DATABASE_URL)")
        return 1
    cleanup()
    try:
        project, species = setup()
        data = generate_csv(species)
        copy_s = min(time_copy(data) for _ in range(REPEAT))
        preview_s = min(time_import(project, data, commit=False) for _ in range(REPEAT))
        runs = []
        for _ in range(REPEAT):
            runs.append(time_import(project, data))
            stored = TreeMeasurement.objects.filter(plot__parcel__project=project).count()
            delete_measurements()
    finally:
        cleanup()
    import_s = min(runs)
    print(f"import of {ROWS:,} tree measurements (CSV, validated, with history) on PostGIS"
          f" (best of {REPEAT})")
    print(f"  COPY into a bare unindexed table:  {copy_s:8.3f} s")
    print(f"  preview (read+validate, no write): {preview_s:8.3f} s")
    rate = f"{ROWS / import_s:,.0f} rows/s"
    print(f"  full import (read+validate+write): {import_s:8.3f} s   ({rate})")
    print(f"    of which writing and committing: {import_s - preview_s:8.3f} s   (rows, history"
          f" rows, indexes, foreign-key checks)")
    print(f"  ratio import / COPY:               {import_s / copy_s:8.1f}x   (target <= 5x)")
    print(f"  rows stored: {stored:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
