"""Benchmark: import 100,000 tree measurements from CSV on PostGIS, against COPY of the same rows.

Run by `make bench` (DATABASE_URL must point at PostGIS). Creates a throwaway project, parcel
and plots through the ORM, generates a Spanish-locale CSV (";" and decimal commas), then times:
  1. COPY of the same CSV into a bare, unindexed temporary table (the floor);
  2. the full import: read, validate every row, insert rows and their history rows, committed.
Everything created is deleted afterwards.
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
from smallholders.models import Cooperative, Project, ProjectCooperative, Smallholder  # noqa: E402

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
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


def time_import(project: Project, data: bytes) -> float:
    context = import_context(user=None, project=project, reason="bench")
    started = time.perf_counter()
    outcome = import_file(kind="measurements", data=data, filename="bench.csv", context=context,
                          commit=True)
    elapsed = time.perf_counter() - started
    assert outcome.committed, outcome.plan.errors[:5]
    return elapsed


def cleanup() -> None:
    plots = MonitoringPlot.objects.filter(parcel__project__code=CODE)
    TreeMeasurement.history.filter(plot_id__in=plots.values("pk")).delete()
    TreeMeasurement.objects.filter(plot__in=plots).delete()
    MonitoringPlot.history.filter(parcel_id__in=Parcel.objects.filter(
        project__code=CODE).values("pk")).delete()
    plots.delete()
    Parcel.objects.filter(project__code=CODE).delete()
    Smallholder.objects.filter(project__code=CODE).delete()
    ProjectCooperative.objects.filter(project__code=CODE).delete()
    Project.objects.filter(code=CODE).delete()
    Cooperative.objects.filter(code=CODE).delete()
    Species.objects.filter(genus="Benchia").delete()


def main() -> int:
    if not settings.POSTGRES:
        print("bench_import: needs PostGIS (DATABASE_URL)")
        return 1
    cleanup()
    try:
        project, species = setup()
        data = generate_csv(species)
        copy_s = time_copy(data)
        import_s = time_import(project, data)
        stored = TreeMeasurement.objects.filter(plot__parcel__project=project).count()
    finally:
        cleanup()
    ratio = import_s / copy_s
    print(f"import of {ROWS:,} tree measurements (CSV, validated, with history) on PostGIS")
    print(f"  COPY into a bare unindexed table: {copy_s:8.3f} s")
    rate = f"{ROWS / import_s:,.0f} rows/s"
    print(f"  full import (read+validate+write): {import_s:8.3f} s   ({rate})")
    print(f"  ratio import / COPY:               {ratio:8.1f}x   (target <= 5x)")
    print(f"  rows stored: {stored:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
