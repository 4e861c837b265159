"""Bench data: the demo project at N× its size, built in SQL in minutes (used by bench_panel).

`seed_demo --scale 100` cannot be loaded (the Pichanaqui district has too few 400 m cells for
40,000 parcels: DemoTooLarge) and ten million tree measurements through Python would take hours
on a small machine. So `build(scale)` loads the demo at scale 1 through its own services (the
story: runs, ledger, sales, distribution, payments, users), then adds (scale − 1)× its families
with INSERT … SELECT generate_series:
  - cooperatives (one per 800 new families) joined to the project, families and memberships;
  - parcels (1.75 per family, 90 % validated): small squares on a 0.0016° grid over the
    project's bounding box, scattered across it, skipping cells that touch a demo parcel (the
    grid may reach beyond the district: it is bench data);
  - 2–3 plantings per parcel, two survival counts each (some cohorts below the threshold);
  - permanent plots visited every three years from 2012 (a tenth of the parcels never, a tenth
    not since 2015), 57 trees each: 10 million measurements at 100×;
  - an ex-post calculation run for 2023–2025 over every validated parcel (per-parcel results and
    vintages, run vintages summing them), approved and issued through the project's services.
Then VACUUM ANALYZE and the back-office rollups refreshed through `refresh_panel_rollups`, so the
dashboard reads what production would. The database is kept: a second call finds it built.
"""

import io
import time

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from backoffice.services import refresh_panel_rollups
from credits.services import issue_credits
from quantification.models import CalculationRun
from quantification.services import approve_calculation_run
from smallholders.models import Project

BASE_FAMILIES = 240
FAMILIES_PER_COOPERATIVE = 800
TREES_PER_PLOT = 57
CELL = 0.0016  # degrees between parcel corners
SIDE = 0.0012  # degrees: a parcel of about 1.7 ha
MARKER = "bench-"  # code prefix of every generated cooperative and parcel

COOPERATIVES_SQL = """
INSERT INTO smallholders_cooperative (code, name, ruc, region, address, contact_name,
    contact_phone, contact_email)
SELECT 'bench-' || lpad(g::text, 3, '0'), 'Cooperativa de banco ' || g,
    (20900000000 + g)::text, 'Junín', '', '', '', ''
FROM generate_series(1, %(n)s) g;
INSERT INTO smallholders_projectcooperative (project_id, cooperative_id, joined_on)
SELECT %(project)s, c.id, DATE '2012-01-01' FROM smallholders_cooperative c
WHERE c.code LIKE 'bench-%%'
"""
FAMILIES_SQL = """
WITH coops AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM smallholders_cooperative WHERE code LIKE 'bench-%%'
)
INSERT INTO smallholders_smallholder (dni, first_name, last_name, gender, birth_year, phone,
    community, district, agreement_signed_on, agreement_document, payment_method, bank_name,
    bank_account, cci, wallet_phone, notes, created_at, updated_at, cooperative_id, project_id)
SELECT (90000000 + g)::text, 'Familia', 'Banco ' || g,
    CASE WHEN g %% 2 = 0 THEN 'female' ELSE 'male' END, 1950 + g %% 45, '', 'Banco',
    'Pichanaqui', DATE '2012-05-01' + (g %% 300), '', 'cooperative', '', '', '', '', '',
    now(), now(), coops.ids[1 + g %% cardinality(coops.ids)], %(project)s
FROM generate_series(1, %(n)s) g, coops
WHERE NOT EXISTS (SELECT 1 FROM smallholders_smallholder s
                  WHERE s.project_id = %(project)s AND s.dni = (90000000 + g)::text);
INSERT INTO smallholders_cooperativemembership (smallholder_id, cooperative_id, joined_on)
SELECT s.id, s.cooperative_id, s.agreement_signed_on FROM smallholders_smallholder s
WHERE s.project_id = %(project)s AND s.community = 'Banco'
"""
# Every free cell of the grid, numbered in a scattered order (a multiplicative hash), then the
# k-th parcel in the k-th cell: the parcels cover the whole box thinly, as a project does.
PARCELS_SQL = """
CREATE TEMP TABLE bench_cells AS
WITH box AS (SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0,
                    floor((ST_XMax(e) - ST_XMin(e)) / %(cell)s)::int AS cols,
                    floor((ST_YMax(e) - ST_YMin(e)) / %(cell)s)::int AS rows
             FROM (SELECT ST_Envelope(area) AS e FROM smallholders_project
                   WHERE id = %(project)s) p),
cells AS (SELECT c, x0 + (c %% cols) * %(cell)s AS x, y0 + (c / cols) * %(cell)s AS y
          FROM box, generate_series(0, cols * rows - 1) c)
SELECT row_number() OVER (ORDER BY (c::bigint * 2654435761) %% 4294967296) AS k,
       ST_Multi(ST_MakeEnvelope(x, y, x + %(side)s, y + %(side)s, 4326)) AS boundary
FROM cells
WHERE NOT EXISTS (SELECT 1 FROM parcels_parcel p WHERE p.project_id = %(project)s
                  AND ST_Intersects(p.boundary, ST_MakeEnvelope(x, y, x + %(cell)s,
                                                                y + %(cell)s, 4326)));
CREATE INDEX ON bench_cells (k);
WITH families AS (
    SELECT s.id, row_number() OVER (ORDER BY s.id) AS n FROM smallholders_smallholder s
    WHERE s.project_id = %(project)s AND s.community = 'Banco'
), wanted AS (
    SELECT f.id AS smallholder_id, f.n, i FROM families f, generate_series(1, 2) i
    WHERE i = 1 OR f.n %% 4 <> 0
), numbered AS (
    SELECT w.*, row_number() OVER (ORDER BY w.n, w.i) AS k FROM wanted w
)
INSERT INTO parcels_parcel (project_id, smallholder_id, code, name, boundary, area_ha,
    area_epsg, land_use_before, eligibility_no_forest, eligibility_note, eligibility_file,
    status, rejection_reason, created_at, updated_at)
SELECT %(project)s, w.smallholder_id, 'bench-' || w.k, '', c.boundary,
    round((ST_Area(c.boundary::geography) / 10000)::numeric, 4), 32718,
    (ARRAY['coffee', 'pasture', 'fallow', 'annual_crops'])[1 + w.k %% 4], true, '', '',
    CASE WHEN w.k %% 20 = 0 THEN 'submitted' WHEN w.k %% 20 = 1 THEN 'draft'
         ELSE 'validated' END, '', now(), now()
FROM numbered w JOIN bench_cells c ON c.k = w.k;
DROP TABLE bench_cells
"""
PLANTINGS_SQL = """
WITH species AS (SELECT array_agg(DISTINCT species_id) AS ids FROM parcels_planting)
INSERT INTO parcels_planting (parcel_id, species_id, planted_on, trees_planted, arrangement,
    notes)
SELECT p.id, species.ids[1 + (p.id * 7 + i) %% cardinality(species.ids)],
    DATE '2011-01-15' + ((p.id + i) %% 4 * 365 + p.id %% 90)::int,
    (p.area_ha * (60 + (p.id + i * 13) %% 140))::int + 10,
    (ARRAY['shade', 'boundary', 'woodlot', 'dispersed'])[1 + (p.id + i) %% 4], ''
FROM parcels_parcel p, generate_series(1, 3) i, species
WHERE p.project_id = %(project)s AND p.code LIKE 'bench-%%' AND (i < 3 OR p.id %% 4 <> 0)
"""
COUNTS_SQL = """
INSERT INTO parcels_survivalcount (planting_id, counted_on, trees_alive)
SELECT pl.id, pl.planted_on + 365 * i,
    (pl.trees_planted * (CASE WHEN pl.id %% 11 = 0 THEN 0.45 ELSE 0.66 + (pl.id %% 25) / 100.0
                         END - (i - 1) * 0.06))::int
FROM parcels_planting pl JOIN parcels_parcel p ON p.id = pl.parcel_id,
     generate_series(1, 2) i
WHERE p.project_id = %(project)s AND p.code LIKE 'bench-%%'
"""
PLOTS_SQL = """
INSERT INTO parcels_monitoringplot (parcel_id, code, centre, radius_m, area_m2, measured_on,
    team, permanent, notes, slope_pct)
SELECT p.id, 'PMP-001', ST_PointOnSurface(p.boundary), 12.62, 500.34,
    make_date(y, (1 + p.id %% 12)::int, (1 + p.id %% 28)::int), 'Brigada de banco', true, '', NULL
FROM parcels_parcel p, generate_series(2012, 2024, 3) y
WHERE p.project_id = %(project)s AND p.code LIKE 'bench-%%' AND p.id %% 10 <> 0
  AND (p.id %% 10 <> 1 OR y <= 2015)
"""
TREES_SQL = """
WITH species AS (SELECT array_agg(DISTINCT species_id) AS ids FROM parcels_planting)
INSERT INTO parcels_treemeasurement (plot_id, tree_tag, stem, species_id, dbh_cm, height_m,
    wood_density, status, origin, notes)
SELECT m.id, 'A' || t, 1, species.ids[1 + (m.parcel_id + t) %% cardinality(species.ids)],
    least(120, 3 + (extract(year FROM m.measured_on) - 2010) * (0.8 + (t %% 9) * 0.2)
          + (m.id %% 7))::numeric(5, 1),
    CASE WHEN t %% 4 = 0 THEN least(40, 2 + (extract(year FROM m.measured_on) - 2010) * 0.9)
    END::numeric(4, 1),
    NULL, CASE WHEN t %% 31 = 0 THEN 'dead' ELSE 'alive' END,
    CASE WHEN t %% 19 = 0 THEN 'pre_existing' ELSE 'planted' END, ''
FROM parcels_monitoringplot m JOIN parcels_parcel p ON p.id = m.parcel_id,
     generate_series(1, %(trees)s) t, species
WHERE p.project_id = %(project)s AND p.code LIKE 'bench-%%'
"""
RUN_SQL = """
INSERT INTO parcels_calculationrun (project_id, kind, period_start, period_end, method_version,
    input_hash, status, progress, review_note, queued_at, started_at, finished_at, error,
    warnings, n_trees, n_plots, details, project_emissions_tco2e, dispatch_attempts,
    failure_code, failure_params, parameter_set_id, previous_run_id, started_by_id)
SELECT r.project_id, 'ex_post', DATE '2023-01-01', DATE '2025-12-31', 'bench', '',
    'succeeded', 100, '', now(), now(), now(), '', '[]', 0, 0, '{}', 0, 0, '', '{}',
    r.parameter_set_id, r.id, r.started_by_id
FROM parcels_calculationrun r
WHERE r.project_id = %(project)s AND r.kind = 'ex_post' AND r.status = 'approved'
ORDER BY r.period_end DESC LIMIT 1
RETURNING id
"""
RESULTS_SQL = """
INSERT INTO parcels_parcelresult (run_id, parcel_id, stratum_id, basis, area_ha, n_plots,
    n_trees, stock_tco2e, change_tco2e, baseline_stock_tco2e, net_tco2e, issuable_tco2e)
SELECT %(run)s, p.id, p.stratum_id, 'plots', p.area_ha, 1, %(trees)s,
    p.area_ha * (70 + p.id %% 30), p.area_ha * (9 + p.id %% 5), 0,
    p.area_ha * (8 + p.id %% 5), floor(p.area_ha * (8 + p.id %% 5) * 0.7)::bigint
FROM parcels_parcel p WHERE p.project_id = %(project)s AND p.status = 'validated';
INSERT INTO parcels_parcelvintage (run_id, parcel_id, year, issuable_tco2e)
SELECT r.run_id, r.parcel_id, y,
    r.issuable_tco2e / 3 + CASE WHEN y - 2023 < r.issuable_tco2e %% 3 THEN 1 ELSE 0 END
FROM parcels_parcelresult r, generate_series(2023, 2025) y WHERE r.run_id = %(run)s;
INSERT INTO parcels_runvintage (run_id, year, net_tco2e, buffer_tco2e, issuable_tco2e)
SELECT %(run)s, v.year, sum(v.issuable_tco2e) / 0.7, ceil(sum(v.issuable_tco2e) * 0.3 / 0.7),
    sum(v.issuable_tco2e)
FROM parcels_parcelvintage v WHERE v.run_id = %(run)s GROUP BY v.year;
UPDATE parcels_calculationrun r SET
    net_tco2e = t.net, stock_tco2e = t.stock, issuable_tco2e = t.issuable,
    buffer_tco2e = t.buffer, area_ha = t.area, n_plots = t.plots, n_trees = t.trees
FROM (SELECT sum(net_tco2e) AS net, sum(stock_tco2e) AS stock, sum(issuable_tco2e) AS issuable,
             sum(area_ha) AS area, sum(n_plots) AS plots, sum(n_trees) AS trees,
             (SELECT sum(buffer_tco2e) FROM parcels_runvintage WHERE run_id = %(run)s) AS buffer
      FROM parcels_parcelresult WHERE run_id = %(run)s) t
WHERE r.id = %(run)s
"""


def built(project: Project | None) -> bool:
    return project is not None and project.parcels.filter(code__startswith=MARKER).exists()


def build(scale: float) -> float:
    """Make this database the demo at `scale`× (nothing when already built); seconds taken."""
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if built(Project.objects.filter(code="pch").first()):
        return time.perf_counter() - started
    call_command("seed_demo", "--scale", "1", "--if-empty", stdout=io.StringIO())
    call_command("ensure_demo_users", stdout=io.StringIO())
    project = Project.objects.get(code="pch")
    families = round(BASE_FAMILIES * (scale - 1))
    params = {"project": project.pk, "cell": CELL, "side": SIDE, "trees": TREES_PER_PLOT}
    steps = {
        "cooperatives": (COOPERATIVES_SQL, {"n": -(-families // FAMILIES_PER_COOPERATIVE)}),
        "families": (FAMILIES_SQL, {"n": families}),
        "parcels": (PARCELS_SQL, {}),
        "plantings": (PLANTINGS_SQL, {}),
        "survival counts": (COUNTS_SQL, {}),
        "plots": (PLOTS_SQL, {}),
        "tree measurements": (TREES_SQL, {}),
    }
    for name, (sql, extra) in steps.items():
        _execute(name, sql, {**params, **extra})
    _analyze()
    _approved_run(project, params)
    _analyze()
    step = time.perf_counter()
    refresh_panel_rollups(project_id=project.pk)
    print(f"    rollups refreshed in {time.perf_counter() - step:.1f} s", flush=True)
    return time.perf_counter() - started


def _execute(name: str, sql: str, params: dict[str, object]) -> None:
    step = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in sql.split(";"):
            cursor.execute(statement, params)
    print(f"    {name}: {time.perf_counter() - step:.1f} s", flush=True)


def _analyze() -> None:
    """Statistics and the visibility map (index-only scans), as autovacuum leaves a database
    that has been running for a while."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _approved_run(project: Project, params: dict[str, object]) -> None:
    """The 2023–2025 ex-post run over every parcel, approved and issued by the services."""
    step = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(RUN_SQL, params)
        (run_id,) = cursor.fetchone()
    _execute("run results", RESULTS_SQL, {**params, "run": run_id})
    verifier = User.objects.get(username="verificador")
    approve_calculation_run(run_id=run_id, actor=verifier, note="bench")
    issue_credits(run_id=run_id, actor=User.objects.get(username="gestor"))
    assert CalculationRun.objects.get(pk=run_id).status == "approved"
    print(f"    run approved and issued: {time.perf_counter() - step:.1f} s", flush=True)
