"""Benchmark: recompute an ex-post calculation run over 1,000,000 tree measurements on PostGIS.

Run by `make bench` (DATABASE_URL must point at PostGIS). Creates a throwaway project (two
strata, 400 parcels, 20,000 plot visits) and loads the trees by COPY into the real table, then
times, in this process:
  1. the run end to end (`execute_calculation_run`: claim, binary COPY out, hash, pure engine,
     one transaction storing the tree rows by binary COPY and the plot/parcel/stratum/vintage
     rows by text COPY);
  2. the floor: a bare `COPY (SELECT the same input columns) TO STDOUT` plus a bare
     `COPY ... FROM STDIN` of the same number of per-tree result rows into an unindexed
     temporary table (no WAL, no primary key: the run's table has both, so the floor is a
     strict lower bound);
  3. a straightforward per-tree ORM loop (read, compute, save) over a 10,000-tree sample,
     extrapolated to the whole set.
Peak memory is the process's maximum RSS (resource.getrusage). Everything is deleted after.
"""

import datetime as dt
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pichanaki.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.contrib.gis.geos import MultiPolygon, Point, Polygon  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from parcels import geo  # noqa: E402
from parcels.models import MonitoringPlot, Parcel, Species, Stratum, TreeMeasurement  # noqa: E402
from quantification import loaders, services  # noqa: E402
from quantification.engine import allometry, biomass, height  # noqa: E402
from quantification.models import CalculationRun, ParameterSet, TreeResult  # noqa: E402
from smallholders.models import Cooperative, Project, ProjectCooperative, Smallholder  # noqa: E402

TREES = int(os.environ.get("BENCH_CARBON_TREES", "1000000"))
TREES_PER_PLOT = 50
PARCELS = 400
SAMPLE = 10_000
TARGET_RATIO = 1.5  # run / floor (issue 10)
CODE = "bench-carbon"
MEASURED_ON = dt.date(2024, 6, 20)
RESULT_COLUMNS = (
    "run_id, tree_measurement_id, plot_id, wood_density, wood_density_level, height_m, "
    "height_source, agb_raw_kg, agb_kg, bgb_kg, carbon_kg, co2e_kg, equation, flags"
)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup() -> Project:
    project = Project.objects.create(
        code=CODE,
        name="Bench carbon",
        standard="other",
        crediting_start=dt.date(2010, 1, 1),
        crediting_end=dt.date(2039, 12, 31),
    )
    cooperative = Cooperative.objects.create(code=CODE, name="Bench", ruc="20999999989")
    ProjectCooperative.objects.create(
        project=project, cooperative=cooperative, joined_on=dt.date(2010, 1, 1)
    )
    owner = Smallholder.objects.create(
        project=project,
        cooperative=cooperative,
        dni="49999998",
        first_name="Bench",
        last_name="Carbon",
    )
    strata = [Stratum.objects.create(project=project, code=f"b{i}", name=f"B{i}") for i in (1, 2)]
    boundary = MultiPolygon(Polygon.from_bbox((-74.9, -10.9, -74.891, -10.891)), srid=4326)
    area, epsg = geo.area_hectares(boundary), geo.utm_epsg_for(boundary)
    parcels = Parcel.objects.bulk_create(
        Parcel(
            project=project,
            smallholder=owner,
            code=f"B-{i}",
            boundary=boundary,
            area_ha=area,
            area_epsg=epsg,
            land_use_before="other",
            stratum=strata[i % 2],
            status="validated",
        )  # runs include validated parcels only
        for i in range(PARCELS)
    )
    with_plots = parcels[: PARCELS - 10]  # ten parcels are estimated from their stratum mean
    centre = Point(-74.895, -10.895, srid=4326)
    MonitoringPlot.objects.bulk_create(
        (
            MonitoringPlot(
                parcel=with_plots[i % len(with_plots)],
                code=f"P{i}",
                centre=centre,
                radius_m=Decimal("11.28"),
                area_m2=Decimal("399.72"),
                measured_on=MEASURED_ON,
            )
            for i in range(TREES // TREES_PER_PLOT)
        ),
        batch_size=5000,
    )
    return project


def load_trees(project: Project) -> float:
    """COPY the trees in (throwaway rows: no history); returns the seconds it took."""
    plots = np.array(
        sorted(MonitoringPlot.objects.filter(parcel__project=project).values_list("pk", flat=True)),
        dtype=np.int64,
    )
    species = np.array(
        list(Species.objects.filter(growth_form="tree").values_list("pk", flat=True)),
        dtype=np.int64,
    )
    rng = np.random.default_rng(7)
    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            "COPY parcels_treemeasurement (plot_id, tree_tag, stem, species_id, dbh_cm, height_m, "
            "status, origin, notes) FROM STDIN"
        ) as copy,
    ):
        for start in range(0, TREES, 100_000):
            copy.write(_chunk(rng, plots, species, start, min(TREES, start + 100_000)))
    return time.perf_counter() - started


def _chunk(rng, plots, species, start: int, stop: int) -> str:
    n = stop - start
    index = np.arange(start, stop)
    dbh = np.round(rng.gamma(3.0, 6.0, n) + 5.0, 1).clip(5.0, 120.0)
    h = np.round(np.minimum(3.0 * dbh**0.55 * rng.lognormal(0, 0.15, n), 45.0), 1)
    measured = rng.random(n) < 0.3
    sp = species[rng.integers(0, species.size, n)]
    origin = np.where(rng.random(n) < 0.05, "pre_existing", "planted")
    status = np.where(rng.random(n) < 0.02, "dead", "alive")
    lines = [
        f"{plots[i // TREES_PER_PLOT]}\tT{i % TREES_PER_PLOT}\t1\t{s}\t{d}\t"
        f"{hh if m else chr(92) + 'N'}\t{st}\t{o}\t"
        for i, s, d, hh, m, st, o in zip(
            index.tolist(),
            sp.tolist(),
            dbh.tolist(),
            h.tolist(),
            measured.tolist(),
            status.tolist(),
            origin.tolist(),
            strict=True,
        )
    ]
    return "\n".join(lines) + "\n"


def time_run(project: Project) -> tuple[CalculationRun, float]:
    parameter_set = services.ensure_default_parameter_set(project_id=project.pk)
    run = CalculationRun.objects.create(
        project=project,
        kind="ex_post",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
        parameter_set=parameter_set,
        method_version="bench",
    )
    started = time.perf_counter()
    run = services.execute_calculation_run(run_id=run.pk)
    return run, time.perf_counter() - started


def time_floor(project: Project, run: CalculationRun) -> tuple[float, float]:
    """Bare COPY out of the same input columns, bare COPY in of as many result rows."""
    plot_ids = list(
        MonitoringPlot.objects.filter(parcel__project=project).values_list("pk", flat=True)
    )
    sql = loaders.TREE_SQL.replace("%s", "%s::bigint[]")
    with connection.cursor() as cursor:
        started = time.perf_counter()
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT binary)", (plot_ids,)) as copy:
            size = sum(len(chunk) for chunk in copy)
        out_seconds = time.perf_counter() - started
        payload = bytearray()
        with cursor.cursor.copy(
            f"COPY (SELECT {RESULT_COLUMNS} FROM parcels_treeresult WHERE run_id = {run.pk}) "
            "TO STDOUT (FORMAT binary)"
        ) as copy:
            for chunk in copy:
                payload += chunk
        cursor.execute(
            f"CREATE TEMP TABLE bench_floor AS SELECT {RESULT_COLUMNS} FROM parcels_treeresult "
            "WITH NO DATA"
        )
        with transaction.atomic():
            started = time.perf_counter()
            with cursor.cursor.copy(
                f"COPY bench_floor ({RESULT_COLUMNS}) FROM STDIN (FORMAT binary)"
            ) as copy:
                copy.write(bytes(payload))
            in_seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_floor")
    assert size > 0
    return out_seconds, in_seconds


def time_orm_loop(project: Project, run: CalculationRun) -> float:
    """Per tree: read it with its species and plot through the ORM, compute it, save it."""
    trees = (
        TreeMeasurement.objects.filter(plot__parcel__project=project)
        .select_related("species", "plot")
        .order_by("pk")[:SAMPLE]
    )
    started = time.perf_counter()
    with transaction.atomic():
        for tree in trees:
            d = float(tree.dbh_cm)
            wd = float(tree.species.wood_density or Decimal("0.6"))
            h = (
                float(tree.height_m)
                if tree.height_m is not None
                else float(height.feldpausch_height(np.array([d]), "WAmazonia")[0])
            )
            agb = float(allometry.chave2014_eq4(d, h, wd)) if tree.status == "alive" else 0.0
            bgb = float(biomass.bgb_from_ratio(agb, 0.27))
            carbon = float(biomass.carbon(agb, bgb, 0.47))
            TreeResult.objects.create(
                run=run,
                tree_measurement=tree,
                plot=tree.plot,
                wood_density=wd,
                wood_density_level="species",
                height_m=h,
                height_source="orm",
                agb_raw_kg=agb,
                agb_kg=agb,
                bgb_kg=bgb,
                carbon_kg=carbon,
                co2e_kg=float(biomass.co2e(carbon)),
                equation="chave2014_eq4",
            )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)  # the sample's rows are not kept
    return seconds


def cleanup() -> None:
    project = Project.objects.filter(code=CODE).first()
    if project is None:
        return
    runs = CalculationRun.objects.filter(project=project)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM parcels_treeresult WHERE run_id = ANY(%s)",
            [list(runs.values_list("pk", flat=True))],
        )
    for name in ("parcel_vintages", "vintages", "parcels", "strata", "plots"):
        for run in runs:
            getattr(run, name).all().delete()
    runs.delete()
    ParameterSet.objects.filter(project=project).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM parcels_treemeasurement WHERE plot_id IN (SELECT p.id FROM "
            "parcels_monitoringplot p JOIN parcels_parcel c ON c.id = p.parcel_id "
            "WHERE c.project_id = %s)",
            [project.pk],
        )
    MonitoringPlot.objects.filter(parcel__project=project).delete()
    Parcel.objects.filter(project=project).delete()
    Stratum.history.filter(project_id=project.pk).delete()
    Stratum.objects.filter(project=project).delete()
    Smallholder.objects.filter(project=project).delete()
    Smallholder.history.filter(project_id=project.pk).delete()
    ProjectCooperative.objects.filter(project=project).delete()
    Cooperative.objects.filter(code=CODE).delete()
    project.delete()


def main() -> int:
    if connection.vendor != "postgresql":
        print("bench_carbon_run needs PostGIS (DATABASE_URL=postgis://...)")
        return 1
    cleanup()
    project = setup()
    try:
        load_seconds = load_trees(project)
        before = rss_mb()
        run, run_seconds = time_run(project)
        peak = rss_mb()
        if run.status != "succeeded":
            print(f"run failed: {run.error}")
            return 1
        out_seconds, in_seconds = time_floor(project, run)
        orm_seconds = time_orm_loop(project, run) * TREES / SAMPLE
        floor = out_seconds + in_seconds
        print(f"trees loaded by COPY: {TREES:,} in {load_seconds:.2f} s")
        print(
            f"ex-post run: {run.n_trees:,} trees, {run.n_plots:,} plots, "
            f"{run.parcels.count()} parcels, stock {run.stock_tco2e} tCO2e, "
            f"issuable {run.issuable_tco2e} tCO2e"
        )
        print(
            f"  wall time {run_seconds:.2f} s; peak RSS {peak:.0f} MB "
            f"(before the run {before:.0f} MB); target < 1024 MB: "
            f"{'ok' if peak < 1024 else 'MISSED'}"
        )
        print(f"floor: COPY out {out_seconds:.2f} s + COPY in {in_seconds:.2f} s = {floor:.2f} s")
        print(
            f"  ratio run / floor = {run_seconds / floor:.2f} (target <= {TARGET_RATIO}: "
            f"{'ok' if run_seconds <= TARGET_RATIO * floor else 'MISSED'})"
        )
        print(
            f"per-tree ORM loop: {SAMPLE:,}-tree sample extrapolated to {orm_seconds:.1f} s; "
            f"ratio ORM / run = {orm_seconds / run_seconds:.1f}"
        )
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
