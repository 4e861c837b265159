"""Benchmark: a benefit distribution over 10,000 families and 1,000 sales; 240 statement PDFs.

Run by `make bench` (DATABASE_URL must point at PostGIS). Builds a throwaway project with
10,000 families, one parcel each (bulk SQL), one monitored planting per parcel, an approved run
with two vintages issued through `credits.services`, and 1,000 confirmed sales (reserve and
confirm, as buyers do). Then times, median of 3:
- the floor: one SQL aggregate of the same contributions (the sold issuances' contributions
  summed per family), fetched into Python;
- `plan_distribution` (reads + pure maths, no writes) and `create_distribution` (the same plus
  writing 10,000 lines); target: create ≤ 3× the floor. Planning reads set-wise (the units each
  sale took from each issuance summed in SQL, the contributions as plain rows, the parcels'
  facts in four queries) and the lines, holds and sales are written by COPY; the SQL statements
  of one `create_distribution` are counted and printed (the three COPY streams come on top);
- the write floor, for reference: the same lines copied by one INSERT … SELECT in SQL with their
  foreign keys checked (rolled back): what writing 10,000 lines costs before any Python;
- 240 family statements as PDF (issue + HTML + WeasyPrint) against rendering one statement's
  HTML once, ×240 (the floor). Prints statements per second.
Everything created is deleted afterwards (the database is the bench database).
"""

import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pichanaki.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from benefits import services  # noqa: E402
from benefits.models import Distribution  # noqa: E402
from benefits.planning import plan_distribution  # noqa: E402
from benefits.statements import issue_statement, render_pdf, statement_html  # noqa: E402
from credits import services as credits  # noqa: E402
from credits.models import Account, Sale  # noqa: E402
from parcels.models import Species  # noqa: E402
from quantification.models import CalculationRun, ParameterSet, RunVintage  # noqa: E402
from quantification.services import approve_calculation_run  # noqa: E402
from smallholders.models import Cooperative, Project, ProjectCooperative, Smallholder  # noqa: E402

FAMILIES = int(os.environ.get("BENCH_FAMILIES", "10000"))
SALES = int(os.environ.get("BENCH_SALES", "1000"))
STATEMENTS = int(os.environ.get("BENCH_STATEMENTS", "240"))
CODE = "bench-dist"
UNITS_PER_SALE = 40
VINTAGES = (2018, 2019)

PARCELS_SQL = """
INSERT INTO parcels_parcel (project_id, smallholder_id, code, name, boundary, area_ha, area_epsg,
    land_use_before, eligibility_note, eligibility_file, status, rejection_reason, created_at,
    updated_at)
SELECT s.project_id, s.id, 'BD-' || s.id, '',
    ST_Multi(ST_MakeEnvelope(-75 + (s.id %% 1000) * 0.0011, -11.2 + (s.id / 1000) * 0.0011,
                             -75 + (s.id %% 1000) * 0.0011 + 0.0009,
                             -11.2 + (s.id / 1000) * 0.0011 + 0.0009, 4326)),
    1.0 + (s.id %% 7) * 0.5, 32718, 'coffee', '', '', 'validated', '', now(), now()
FROM smallholders_smallholder s WHERE s.project_id = %(project)s
"""
PLANTINGS_SQL = """
INSERT INTO parcels_planting (parcel_id, species_id, planted_on, trees_planted, arrangement, notes)
SELECT p.id, %(species)s, DATE '2011-03-01', 100 + (p.id %% 50), 'shade', ''
FROM parcels_parcel p WHERE p.project_id = %(project)s
"""
COUNTS_SQL = """
INSERT INTO parcels_survivalcount (planting_id, counted_on, trees_alive)
SELECT pl.id, CURRENT_DATE - 100, (pl.trees_planted * (0.6 + (pl.id %% 40) / 100.0))::int
FROM parcels_planting pl JOIN parcels_parcel p ON p.id = pl.parcel_id
WHERE p.project_id = %(project)s
"""
VINTAGE_SQL = """
INSERT INTO parcels_parcelvintage (run_id, parcel_id, year, issuable_tco2e)
SELECT %(run)s, p.id, %(year)s, 3 + (p.id %% 5) FROM parcels_parcel p
WHERE p.project_id = %(project)s
"""
FLOOR_SQL = """
SELECT ic.smallholder_id, SUM(ic.units + ic.buffer_units)
FROM credits_issuancecontribution ic
WHERE ic.issuance_id IN (
    SELECT b.issuance_id FROM credits_serialblock b
    JOIN credits_sale s ON s.event_id = b.created_event_id WHERE s.id = ANY(%(sales)s))
GROUP BY ic.smallholder_id
"""

COPY_DISTRIBUTION_SQL = """
INSERT INTO benefits_distribution (project_id, policy_id, status, currency, gross, rate_to_pen,
    rate_source, rate_date, gross_pen, pools, producers_pool, inputs_hash, created_by_id,
    created_at)
SELECT project_id, policy_id, status, currency, gross, rate_to_pen, rate_source, rate_date,
    gross_pen, pools, producers_pool, inputs_hash, created_by_id, created_at
FROM benefits_distribution WHERE id = %(d)s RETURNING id
"""
COPY_LINES_SQL = """
INSERT INTO benefits_distributionline (distribution_id, smallholder_id, units, weight, share,
    held_in_trust, advance_recovered, clawed_back, amount, provenance, status)
SELECT %(copy)s, smallholder_id, units, weight, share, held_in_trust, advance_recovered,
    clawed_back, amount, provenance, status
FROM benefits_distributionline WHERE distribution_id = %(d)s
"""

LINE_CHILDREN = (
    "DELETE FROM benefits_{} WHERE line_id IN (SELECT l.id FROM benefits_distributionline l "
    "JOIN benefits_distribution d ON d.id = l.distribution_id WHERE d.project_id = %(p)s)"
)
DISTRIBUTION_CHILDREN = (
    "DELETE FROM benefits_{} WHERE distribution_id IN "
    "(SELECT id FROM benefits_distribution WHERE project_id = %(p)s)"
)


def setup() -> tuple[Project, User, User, list[int]]:
    project = Project.objects.create(
        code=CODE, name="Bench distribution", standard="other",
        crediting_start=dt.date(2010, 1, 1), crediting_end=dt.date(2039, 12, 31),
    )  # fmt: skip
    coop = Cooperative.objects.create(code=CODE, name="Bench", ruc="20999999916")
    ProjectCooperative.objects.create(
        project=project, cooperative=coop, joined_on=dt.date(2010, 1, 1)
    )
    Smallholder.objects.bulk_create(
        Smallholder(project=project, cooperative=coop, dni=f"{60000000 + i}", first_name="F",
                    last_name=f"B{i}") for i in range(FAMILIES)
    )  # fmt: skip
    species = Species.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        for sql in (PARCELS_SQL, PLANTINGS_SQL, COUNTS_SQL):
            cursor.execute(sql, {"project": project.pk, "species": species.pk})
    root = User.objects.create_superuser("bench-dist-root", password="x")  # noqa: S106 (a throwaway bench login)
    other = User.objects.create_superuser("bench-dist-root2", password="x")  # noqa: S106 (a throwaway bench login)
    run = _run(project, root)
    credits.issue_credits(run_id=run.pk, actor=root)
    sale_ids = _sell(project, root)
    terms(project, root)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return project, root, other, sale_ids


def terms(project: Project, root: User) -> None:
    """The exchange rate and the sharing policy (removed with the benefits rows afterwards)."""
    services.record_exchange_rate(currency="USD", rate_to_pen=Decimal("3.75"), source="bench",
                                  rate_date=timezone.localdate())  # fmt: skip
    services.create_policy(project=project, actor=root, producers_share=Decimal("0.7"),
                           survival_threshold=Decimal("0.7"))  # fmt: skip


def _run(project: Project, root: User) -> CalculationRun:
    parameters = ParameterSet.objects.create(project=project, version=1, parameters={},
                                             fingerprint="b" * 64)  # fmt: skip
    run = CalculationRun.objects.create(
        project=project, kind="ex_post", period_start=dt.date(VINTAGES[0], 1, 1),
        period_end=dt.date(VINTAGES[-1], 12, 31), parameter_set=parameters,
        method_version="bench", status="succeeded",
    )  # fmt: skip
    for year in VINTAGES:
        with connection.cursor() as cursor:
            cursor.execute(VINTAGE_SQL, {"run": run.pk, "year": year, "project": project.pk})
            cursor.execute("SELECT SUM(issuable_tco2e) FROM parcels_parcelvintage "
                           "WHERE run_id = %s AND year = %s", [run.pk, year])  # fmt: skip
            issuable = cursor.fetchone()[0]
        RunVintage.objects.create(run=run, year=year, net_tco2e=issuable * 11 / 10,
                                  buffer_tco2e=issuable / 10, issuable_tco2e=issuable)  # fmt: skip
    return approve_calculation_run(run_id=run.pk, actor=root)


def _sell(project: Project, root: User) -> list[int]:
    _org = credits.create_buyer_organisation(name="Bench distribution buyer", country="DE")
    account = Account.objects.get(organisation__name="Bench distribution buyer")
    ids = []
    for i in range(SALES):
        reservation = credits.reserve_credits(
            account_id=account.pk, project_id=project.pk, vintage=VINTAGES[i % 2],
            unit_type="VER", quantity=UNITS_PER_SALE,
            expires_at=timezone.now() + dt.timedelta(hours=1), actor=root,
        )  # fmt: skip
        sale = credits.confirm_sale(
            reservation_id=reservation.pk, price_per_tonne=Decimal("12.00") + i % 9,
            currency="USD", invoice_reference=f"B-{i}", actor=root,
        )  # fmt: skip
        ids.append(sale.pk)
    return ids


def timed(function, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_distribution(project, root, other, sale_ids) -> None:
    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, {"sales": sale_ids})
            assert len(cursor.fetchall()) == FAMILIES

    def plan() -> None:
        result = plan_distribution(project=project, today=timezone.localdate())
        assert len(result.families) == FAMILIES

    queries: list[int] = []

    def create_once() -> float:
        statements = []
        start = time.perf_counter()
        with connection.execute_wrapper(
            lambda run, sql, *args: statements.append(sql) or run(sql, *args)
        ):
            distribution = services.create_distribution(project=project, actor=root)
        elapsed = time.perf_counter() - start
        queries.append(len(statements))
        services.discard_distribution(distribution_id=distribution.pk, actor=root)  # untimed
        return elapsed

    def write_floor() -> float:
        distribution = services.create_distribution(project=project, actor=root)  # untimed
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys checked here
            cursor.execute(COPY_DISTRIBUTION_SQL, {"d": distribution.pk})
            copy = cursor.fetchone()[0]
            start = time.perf_counter()
            cursor.execute(COPY_LINES_SQL, {"d": distribution.pk, "copy": copy})
            elapsed = time.perf_counter() - start
            transaction.set_rollback(True)
        services.discard_distribution(distribution_id=distribution.pk, actor=root)
        return elapsed

    floor_s, plan_s = timed(floor), timed(plan)
    create_s = statistics.median(create_once() for _ in range(3))
    write_s = statistics.median(write_floor() for _ in range(3))
    print(f"families={FAMILIES} sales={SALES}")
    print(f"floor (one SQL aggregate of the contributions): {floor_s * 1000:.0f} ms")
    print(f"plan_distribution (reads + maths):  {plan_s * 1000:.0f} ms = {plan_s / floor_s:.1f}x")
    print(f"create_distribution (+ {FAMILIES} lines):  {create_s * 1000:.0f} ms = "
          f"{create_s / floor_s:.1f}x (target <= 3x); {max(queries)} SQL statements per "
          f"distribution (+ 3 COPY streams)")  # fmt: skip
    print(f"write floor (the same lines by one INSERT ... SELECT, keys checked): "
          f"{write_s * 1000:.0f} ms = {write_s / floor_s:.1f}x")  # fmt: skip


def bench_statements(project, root, other) -> None:
    distribution = services.create_distribution(project=project, actor=root)
    services.approve_distribution(distribution_id=distribution.pk, actor=other)
    families = list(Smallholder.objects.filter(project=project).order_by("pk")[:STATEMENTS])
    statement, facts = issue_statement(smallholder=families[0], project=project, period=None)
    html = statement_html(statement, facts)
    render_pdf(html)  # warm up fonts
    start = time.perf_counter()
    render_pdf(html)
    once = time.perf_counter() - start
    start = time.perf_counter()
    for holder in families:
        statement, facts = issue_statement(smallholder=holder, project=project, period=None)
        render_pdf(statement_html(statement, facts))
    total = time.perf_counter() - start
    print(f"{STATEMENTS} statements: {total:.1f} s = {STATEMENTS / total:.1f} statements/s; "
          f"floor (one HTML rendered once) x{STATEMENTS}: {once * STATEMENTS:.1f} s; "
          f"ratio {total / (once * STATEMENTS):.2f}x")  # fmt: skip


def teardown() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM smallholders_project WHERE code = %s", [CODE])
        row = cursor.fetchone()
    if row is None:
        return
    project = row[0]
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # skip guards and FKs
        for sql in (
            LINE_CHILDREN.format("paymentevent"),
            LINE_CHILDREN.format("trusthold"),
            LINE_CHILDREN.format("advancerecovery"),
            "DELETE FROM benefits_statement WHERE project_id = %(p)s",
            DISTRIBUTION_CHILDREN.format("distributionline"),
            DISTRIBUTION_CHILDREN.format("distributionsale"),
            "DELETE FROM benefits_distribution WHERE project_id = %(p)s",
            "DELETE FROM benefits_sharingpolicy WHERE project_id = %(p)s",
            "DELETE FROM benefits_exchangerate WHERE source = 'bench'",
        ):  # fmt: skip
            cursor.execute(sql, {"p": project})
        cursor.execute("SET session_replication_role = DEFAULT")
    print("(bench rows of benefits removed; the ledger rows stay in the bench database)")


if __name__ == "__main__":
    if connection.vendor != "postgresql":
        sys.exit("bench_distribution needs PostgreSQL (DATABASE_URL=postgis://...)")
    teardown()
    if Project.objects.filter(code=CODE).exists():
        project = Project.objects.get(code=CODE)
        root = User.objects.get(username="bench-dist-root")
        other = User.objects.get(username="bench-dist-root2")
        terms(project, root)
        sale_ids = list(
            Sale.objects.filter(reservation__project=project).values_list("pk", flat=True)
        )
    else:
        t0 = time.perf_counter()
        project, root, other, sale_ids = setup()
        print(f"setup: {time.perf_counter() - t0:.0f} s")
    bench_distribution(project, root, other, sale_ids)
    bench_statements(project, root, other)
    teardown()
    assert not Distribution.objects.filter(project=project).exists()
