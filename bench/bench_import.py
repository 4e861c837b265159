"""Benchmark: import 100,000 tree measurements from CSV on PostGIS, against COPY of the same rows.

Run by `make bench` (DATABASE_URL must point at PostGIS). Creates a throwaway project, parcel
and plots through the ORM, generates a Spanish-locale CSV (";" and decimal commas), then times:
  1. COPY of the same CSV into a bare, unindexed temporary table (the floor the issue sets);
  2. COPY of the same rows, already turned into the tables' text, into the real measurement and
     history tables, committed (their indexes, constraints and foreign-key checks included):
     the floor any import writing these tables has, so import / this shows the import's own cost;
  3. the preview alone: read and validate every row, write nothing;
  4. the full import: read, validate every row, insert rows and their history rows, committed.
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
from django.utils import timezone  # noqa: E402

from backoffice.models import CooperativeRollup, ProjectRollup  # noqa: E402
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
        code=CODE,
        name="Bench import",
        standard="other",
        crediting_start=dt.date(2010, 1, 1),
        crediting_end=dt.date(2039, 12, 31),
    )
    cooperative = Cooperative.objects.create(code=CODE, name="Bench", ruc="20999999990")
    ProjectCooperative.objects.create(
        project=project, cooperative=cooperative, joined_on=dt.date(2010, 1, 1)
    )
    owner = Smallholder.objects.create(
        project=project,
        cooperative=cooperative,
        dni="49999999",
        first_name="Bench",
        last_name="Import",
    )
    boundary = MultiPolygon(Polygon.from_bbox((-74.9, -10.9, -74.89, -10.89)), srid=4326)
    parcel = Parcel.objects.create(
        project=project,
        smallholder=owner,
        code="B-1",
        boundary=boundary,
        land_use_before="other",
        area_ha=geo.area_hectares(boundary),
        area_epsg=geo.utm_epsg_for(boundary),
    )
    plots = ROWS // TREES_PER_PLOT
    MonitoringPlot.objects.bulk_create(
        MonitoringPlot(
            parcel=parcel,
            code=f"P{i}",
            centre=Point(-74.895, -10.895, srid=4326),
            radius_m=Decimal("11.28"),
            area_m2=Decimal("399.72"),
            measured_on=dt.date(2024, 6, 20),
        )
        for i in range(plots)
    )
    if not Species.objects.exists():  # a database migrated without the catalogue's seed
        Species.objects.bulk_create(
            Species(code=f"BENCH{i}", scientific_name=f"Benchia sp{i}", genus="Benchia")
            for i in range(20)
        )
    species = list(Species.objects.values_list("scientific_name", flat=True)[:20])
    return project, species


def generate_trees(species: list[str]) -> list[tuple[int, int, float, float, str]]:
    """(plot number, tree tag, DBH, height, species) of every row."""
    rng = random.Random(42)
    return [
        (
            i // TREES_PER_PLOT,
            i % TREES_PER_PLOT + 1,
            rng.uniform(5, 80),
            rng.uniform(3, 30),
            rng.choice(species),
        )
        for i in range(ROWS)
    ]


def generate_csv(trees: list[tuple]) -> bytes:
    lines = ["parcela;parcela_muestreo;fecha;arbol;tallo;especie;dap;altura;estado"]
    for plot, tag, dbh, height, species in trees:
        dbh_text, height_text = f"{dbh:.1f}".replace(".", ","), f"{height:.1f}".replace(".", ",")
        lines.append(f"B-1;P{plot};20/06/2024;{tag};1;{species};{dbh_text};{height_text};vivo")
    return ("\n".join(lines) + "\n").encode("utf-8")


def time_copy(data: bytes) -> float:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_copy (parcel text, plot text, day text, tag text, "
            "stem int, species text, dbh text, height text, status text) ON COMMIT DROP"
        )
        started = time.perf_counter()
        with cursor.cursor.copy(
            "COPY bench_copy FROM STDIN (FORMAT csv, HEADER true, DELIMITER ';')"
        ) as copy:
            copy.write(data)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy")
        assert cursor.fetchone()[0] == ROWS
    return elapsed


def real_copy_text(project: Project, trees: list[tuple]) -> tuple[str, str]:
    """COPY text of the rows an import writes: measurement rows and their "+" history rows.

    Ids come from the table's sequence, as the import's do; preparing them is not timed.
    """
    plots = dict(MonitoringPlot.objects.filter(parcel__project=project).values_list("code", "pk"))
    species = dict(Species.objects.values_list("scientific_name", "pk"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [TreeMeasurement._meta.db_table, ROWS],
        )
        ids = [row[0] for row in cursor.fetchall()]
    now = timezone.now().isoformat()
    rows, history = [], []
    for pk, (plot, tag, dbh, height, name) in zip(ids, trees, strict=True):
        row = f"{pk}\t{plots[f'P{plot}']}\t{tag}\t1\t{species[name]}\t{dbh:.1f}\t{height:.1f}"
        rows.append(f"{row}\t\\N\talive\tplanted\t")
        history.append(f"{row}\t\\N\talive\tplanted\t\t{now}\tbench\t+\t\\N")
    return "\n".join(rows) + "\n", "\n".join(history) + "\n"


REAL_COLUMNS = (
    "id, plot_id, tree_tag, stem, species_id, dbh_cm, height_m, wood_density, status, origin, notes"
)
HISTORY_COLUMNS = (
    f"{REAL_COLUMNS}, history_date, history_change_reason, history_type, history_user_id"
)


def time_real_copy(rows: str, history: str) -> float:
    """COPY into the real tables and commit (the deferred foreign-key checks run then)."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for model, text, columns in (
            (TreeMeasurement, rows, REAL_COLUMNS),
            (TreeMeasurement.history.model, history, HISTORY_COLUMNS),
        ):
            with cursor.cursor.copy(f"COPY {_table(model)} ({columns}) FROM STDIN") as copy:
                copy.write(text)
    elapsed = time.perf_counter() - started
    assert TreeMeasurement.objects.count() >= ROWS
    delete_measurements()
    return elapsed


def time_import(project: Project, data: bytes, *, commit: bool = True) -> float:
    context = import_context(user=None, project=project, reason="bench")
    started = time.perf_counter()
    outcome = import_file(
        kind="measurements", data=data, filename="bench.csv", context=context, commit=commit
    )
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
        _delete(
            cursor, CooperativeMembership, _in_bench("smallholder_id", Smallholder, PROJECT), [CODE]
        )
        _delete(cursor, Smallholder, PROJECT, [CODE])
        _delete(cursor, ProjectCooperative, PROJECT, [CODE])
        for rollup in (CooperativeRollup, ProjectRollup):  # the dashboard's, after each import
            cursor.execute(f"DELETE FROM {_table(rollup)} WHERE {PROJECT}", [CODE])  # noqa: S608
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
        trees = generate_trees(species)
        data = generate_csv(trees)
        copy_s = min(time_copy(data) for _ in range(REPEAT))
        rows, history = real_copy_text(project, trees)
        real_s = min(time_real_copy(rows, history) for _ in range(REPEAT))
        preview_s = min(time_import(project, data, commit=False) for _ in range(REPEAT))
        runs = []
        for _ in range(REPEAT):
            runs.append(time_import(project, data))
            stored = TreeMeasurement.objects.filter(plot__parcel__project=project).count()
            delete_measurements()
    finally:
        cleanup()
    import_s = min(runs)
    print(
        f"import of {ROWS:,} tree measurements (CSV, validated, with history) on PostGIS"
        f" (best of {REPEAT})"
    )
    print(f"  COPY into a bare unindexed table:  {copy_s:8.3f} s")
    print(
        f"  COPY into the real tables+history: {real_s:8.3f} s   (same rows as table text,"
        f" committed)"
    )
    print(f"  preview (read+validate, no write): {preview_s:8.3f} s")
    rate = f"{ROWS / import_s:,.0f} rows/s"
    print(f"  full import (read+validate+write): {import_s:8.3f} s   ({rate})")
    print(
        f"    of which writing and committing: {import_s - preview_s:8.3f} s   (rows, history"
        f" rows, indexes, foreign-key checks)"
    )
    print(f"  ratio import / COPY:               {import_s / copy_s:8.1f}x   (target <= 5x)")
    print(
        f"  ratio import / COPY real tables:   {import_s / real_s:8.1f}x   (the import's own"
        f" overhead over writing the same rows)"
    )
    print(f"  rows stored: {stored:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
