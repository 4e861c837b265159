"""Benchmark: peak memory (RSS) of previewing and committing a ~50 MB measurements CSV.

Run by `make bench` (DATABASE_URL must point at PostGIS). The issue's file: 49.9 MB, 372,387
rows, which took 1.86 GB in the worker; the goal is at most 500 MB for preview and for commit.

Generates a Spanish-locale CSV of BENCH_MEMORY_ROWS rows (default 372,387) with every column a
field team writes (plot centre, radius, notes, team) so that it weighs about 50 MB, creates a
throwaway project, parcel and planting, then runs the preview and the commit through the same
service the worker runs (`import_file`), each in a fresh child process, and prints each
child's peak resident set size (its kernel high-water mark, `ru_maxrss`) next to the RSS of a
child that only starts Django (the floor). Everything created is deleted afterwards.

The KMZ case: a 0.2 MB KMZ whose doc.kml expands to 200 MB (the issue's bomb, which took the
web process from 329 MB to 702 MB), previewed the same way: it must be refused with the
compression-ratio error while the member streams, its peak RSS near the floor.

The wrong-rows case: the same file with every row naming a parcel the project does not have,
previewed as the worker does (`preview_import_job`, which stores the outcome on the job): one
error a row, 372,387 of them, kept to the first ERRORS_KEPT and counted (818 MB when the job
stored them all).
"""

import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pichanaki.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.gis.geos import MultiPolygon, Polygon  # noqa: E402
from django.core.files import File  # noqa: E402

from bench.bench_import import _delete, _in_bench  # noqa: E402
from parcels import geo  # noqa: E402
from parcels.models import (  # noqa: E402
    ImportJob,
    MonitoringPlot,
    Parcel,
    Planting,
    Species,
    TreeMeasurement,
)
from smallholders.models import (  # noqa: E402
    Cooperative,
    CooperativeMembership,
    Project,
    ProjectCooperative,
    Smallholder,
)

ROWS = int(os.environ.get("BENCH_MEMORY_ROWS", "372387"))
LIMIT_MB = 500
CODE = "bench-import-mem"
TREES_PER_PLOT = 50
HEADER = (
    "parcela;parcela_muestreo;fecha;arbol;tallo;especie;dap;altura;estado;origen;notas;"
    "latitud;longitud;radio;pendiente;equipo"
)
NOTES = (
    "",
    "rebrote basal",
    "copa dañada por viento",
    "bifurcado a 1,2 m",
    "sin observaciones",
    "fuste inclinado",
)


def setup() -> list[str]:
    project = Project.objects.create(
        code=CODE,
        name="Bench import memory",
        standard="other",
        crediting_start=dt.date(2010, 1, 1),
        crediting_end=dt.date(2039, 12, 31),
    )
    cooperative = Cooperative.objects.create(code=CODE, name="Bench memory", ruc="20999999982")
    ProjectCooperative.objects.create(
        project=project, cooperative=cooperative, joined_on=dt.date(2010, 1, 1)
    )
    owner = Smallholder.objects.create(
        project=project,
        cooperative=cooperative,
        dni="49999998",
        first_name="Bench",
        last_name="Memory",
    )
    boundary = MultiPolygon(Polygon.from_bbox((-74.9, -10.9, -74.89, -10.89)), srid=4326)
    parcel = Parcel.objects.create(
        project=project,
        smallholder=owner,
        code="BM-1",
        boundary=boundary,
        land_use_before="other",
        area_ha=geo.area_hectares(boundary),
        area_epsg=geo.utm_epsg_for(boundary),
    )
    if not Species.objects.exists():  # a database migrated without the catalogue's seed
        Species.objects.bulk_create(
            Species(code=f"BENCHM{i}", scientific_name=f"Benchia mem{i}", genus="Benchia")
            for i in range(20)
        )
    species = list(Species.objects.values_list("scientific_name", flat=True)[:20])
    Planting.objects.create(
        parcel=parcel,
        species=Species.objects.get(scientific_name=species[0]),
        planted_on=dt.date(2011, 1, 10),
        trees_planted=20,
        arrangement="shade",
    )
    return species


def write_csv(path: Path, species: list[str]) -> None:
    """The measurements file: every plot is new (its first row gives centre and radius)."""
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\n")
        for i in range(ROWS):
            plot, tag = divmod(i, TREES_PER_PLOT)
            lat = f"{-10.8999 + (plot % 90) * 0.0001:.6f}".replace(".", ",")
            lon = f"{-74.8999 + (plot // 90 % 90) * 0.0001:.6f}".replace(".", ",")
            dbh = f"{rng.uniform(5, 80):.1f}".replace(".", ",")
            height = f"{rng.uniform(3, 30):.1f}".replace(".", ",")
            out.write(
                f"BM-1;P{plot};20/06/2024;{tag + 1};1;{rng.choice(species)};{dbh};{height};"
                f"vivo;plantado;{rng.choice(NOTES)};{lat};{lon};11,28;12;"
                f"Brigada de campo {plot % 7 + 1}\n"
            )


def write_kmz(path: Path, megabytes: int = 200) -> None:
    """A KMZ bomb: doc.kml is a Document padded with `megabytes` MB of blanks."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("doc.kml", "w") as member,
    ):
        member.write(b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>')
        for _ in range(megabytes):
            member.write(b" " * (1024 * 1024))
        member.write(b"</Document></kml>")


def child(phase: str, path: str) -> int:
    """Run one phase in this (fresh) process; print its rows and its own peak RSS (KB)."""
    if phase == "floor":
        print(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
        return 0
    from parcels.importing.services import import_context, import_file, preview_import_job

    if phase == "errors":
        job = preview_import_job(job_id=int(path))
        assert job.error_count == job.rows_total == ROWS, (job.error_count, job.rows_total)
        print(job.rows_total, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
        return 0
    data = Path(path).read_bytes()
    context = import_context(user=None, project=Project.objects.get(code=CODE), reason="bench")
    if phase == "kmz":
        outcome = import_file(kind="parcels", data=data, filename="bomba.kmz", context=context)
        [error] = outcome.plan.errors
        assert "doc.kml" in error.message, error.message  # the ratio error (in Spanish)
        print(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
        return 0
    outcome = import_file(
        kind="measurements",
        data=data,
        filename="mediciones.csv",
        context=context,
        commit=phase == "commit",
    )
    errors = outcome.plan.errors
    assert not errors and outcome.committed == (phase == "commit"), errors[:5]
    print(outcome.plan.rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
    return 0


def wrong_rows_job(path: Path, folder: str) -> int:
    """A job (waiting for its check) of `path` with every row's parcel code unknown."""
    wrong = Path(folder) / "mediciones_erradas.csv"
    with path.open(encoding="utf-8") as clean, wrong.open("w", encoding="utf-8") as out:
        for line in clean:
            out.write(line.replace("BM-1;", "BM-0;", 1))
    job = ImportJob(
        kind="measurements",
        project=Project.objects.get(code=CODE),
        original_name=wrong.name,
        run_async=True,
    )
    with wrong.open("rb") as handle:
        job.file.save(wrong.name, File(handle), save=False)
    job.save()
    return job.pk


def measure(phase: str, path: Path | str) -> tuple[float, float, str]:
    """(peak RSS in MB, seconds, rows) of a fresh child process running `phase`."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", phase, str(path)],
        check=False,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{phase} failed:\n{done.stderr[-3000:]}")
    rows, peak_kb = done.stdout.split()[-2:]
    return int(peak_kb) / 1024, elapsed, rows


PROJECT = _in_bench("project_id", Project, "code = %s")
PARCELS = _in_bench("parcel_id", Parcel, PROJECT)
PLOTS = _in_bench("plot_id", MonitoringPlot, PARCELS)


def cleanup() -> None:
    from django.db import connection, transaction

    for job in ImportJob.objects.filter(project__code=CODE):
        job.file.delete(save=False)
        job.delete()
    with transaction.atomic(), connection.cursor() as cursor:
        _delete(cursor, TreeMeasurement, PLOTS, [CODE])
        _delete(cursor, MonitoringPlot, PARCELS, [CODE])
        _delete(cursor, Planting, PARCELS, [CODE])
        _delete(cursor, Parcel, PROJECT, [CODE])
        _delete(
            cursor, CooperativeMembership, _in_bench("smallholder_id", Smallholder, PROJECT), [CODE]
        )
        _delete(cursor, Smallholder, PROJECT, [CODE])
        _delete(cursor, ProjectCooperative, PROJECT, [CODE])
        _delete(cursor, Project, "code = %s", [CODE])
        _delete(cursor, Cooperative, "code = %s", [CODE])
        _delete(cursor, Species, "code LIKE %s", ["BENCHM%"])


def main() -> int:
    if not settings.POSTGRES:
        print("bench_import_memory: needs PostGIS (DATABASE_URL)")
        return 1
    cleanup()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mediciones.csv"
        try:
            write_csv(path, setup())
            size_mb = path.stat().st_size / 1e6
            floor, floor_s, _out = measure("floor", path)
            preview, preview_s, rows = measure("preview", path)
            commit, commit_s, _rows = measure("commit", path)
            kmz_path = Path(folder) / "bomba.kmz"
            write_kmz(kmz_path)
            kmz_mb = kmz_path.stat().st_size / 1e6
            kmz, kmz_s, _rows = measure("kmz", kmz_path)
            stored = TreeMeasurement.objects.filter(plot__parcel__project__code=CODE).count()
            errors, errors_s, _rows = measure("errors", str(wrong_rows_job(path, folder)))
        finally:
            cleanup()
    print(f"import memory: {int(rows):,} tree measurements, CSV of {size_mb:.1f} MB, on PostGIS")
    print(f"  Django process alone (floor):  {floor:7.0f} MB peak RSS   ({floor_s:.1f} s)")
    print(f"  preview (read+validate):       {preview:7.0f} MB peak RSS   ({preview_s:.1f} s)")
    print(f"  commit (read+validate+write):  {commit:7.0f} MB peak RSS   ({commit_s:.1f} s)")
    print(
        f"  KMZ bomb ({kmz_mb:.1f} MB -> 200 MB), refused while streaming: "
        f"{kmz:7.0f} MB peak RSS   ({kmz_s:.1f} s)"
    )
    print(f"  preview, every row wrong (job): {errors:7.0f} MB peak RSS   ({errors_s:.1f} s)")
    worst = max(preview, commit, kmz, errors)
    verdict = "ok" if worst <= LIMIT_MB else "OVER"
    print(f"  limit: {LIMIT_MB} MB -> {verdict}; rows stored by the commit: {stored:,}")
    return 0 if worst <= LIMIT_MB else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.exit(child(sys.argv[2], sys.argv[3]))
    sys.exit(main())
