"""The demo data: `seed_demo` and `ensure_demo_users`, at a small scale to stay fast."""

import datetime as dt
import io
import re
from decimal import Decimal

import numpy as np
import pytest
from django.apps import apps
from django.contrib.gis.geos import MultiPolygon
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from credits.api.microcache import availability_cache
from credits.models import (
    BuyerOrganisation,
    Conversion,
    CreditVintage,
    Issuance,
    LedgerEvent,
    Retirement,
    Sale,
    SerialBlock,
)
from demo import catalogue, layout, logins, steps
from demo.selectors import demo_summary
from demo.services import DEFAULT_PASSWORD, load_demo
from parcels import geo, overlaps
from parcels.choices import ParcelStatus, TreeOrigin, TreeStatus
from parcels.models import MonitoringPlot, Parcel, Planting, SurvivalCount, TreeMeasurement
from quantification import services as runs_services
from quantification.models import CalculationRun, ParcelResult, RunKind, RunStatus
from smallholders.choices import Role
from smallholders.models import Cooperative, Profile, Project, Smallholder
from tests.credits.invariants import assert_ledger_invariants

SCALE = 0.1  # 24 smallholders, ~80 ha


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--scale", str(SCALE), *args, stdout=out)
    return out.getvalue()


def demo_project() -> Project:
    return Project.objects.get(code=catalogue.PROJECT_CODE)


def snapshot() -> dict[str, list[tuple]]:
    """Every demo row by natural keys (no ids, no timestamps), in a stable order."""
    project = demo_project()
    return {
        "project": [(project.name, project.standard, project.methodology, project.area.wkt)],
        "cooperatives": sorted(Cooperative.objects.values_list("code", "name", "ruc")),
        "smallholders": sorted(
            Smallholder.objects.filter(project=project).values_list(
                "dni",
                "first_name",
                "last_name",
                "gender",
                "birth_year",
                "phone",
                "community",
                "cooperative__code",
                "agreement_signed_on",
                "payment_method",
                "bank_account",
                "cci",
                "wallet_phone",
            )
        ),
        "parcels": sorted(
            (p.code, p.smallholder.dni, p.boundary.wkt, p.area_ha, p.status, p.stratum.code)
            for p in Parcel.objects.filter(project=project).select_related("smallholder", "stratum")
        ),
        "plantings": sorted(
            Planting.objects.filter(parcel__project=project).values_list(
                "parcel__code",
                "species__scientific_name",
                "planted_on",
                "trees_planted",
                "arrangement",
                "replanting_of__planted_on",
            )
        ),
        "counts": sorted(
            SurvivalCount.objects.filter(planting__parcel__project=project).values_list(
                "planting__parcel__code",
                "planting__species__scientific_name",
                "planting__planted_on",
                "counted_on",
                "trees_alive",
            )
        ),
        "plots": sorted(
            (v.code, v.parcel.code, v.centre.wkt, v.measured_on, v.radius_m, v.area_m2)
            for v in MonitoringPlot.objects.filter(parcel__project=project).select_related("parcel")
        ),
        "trees": sorted(
            TreeMeasurement.objects.filter(plot__parcel__project=project).values_list(
                "plot__code",
                "plot__measured_on",
                "tree_tag",
                "stem",
                "species__scientific_name",
                "dbh_cm",
                "height_m",
                "status",
                "origin",
            )
        ),
    }


def registry_snapshot(project: Project) -> dict[str, list[tuple]]:
    """The runs (with their input hashes) and the ledger (with its serials), by natural keys."""
    runs = CalculationRun.objects.filter(project=project)
    return {
        "runs": sorted(
            runs.values_list(
                "kind",
                "period_start",
                "period_end",
                "status",
                "input_hash",
                "stock_tco2e",
                "net_tco2e",
                "issuable_tco2e",
                "buffer_tco2e",
                "previous_run__period_end",
                "started_by__username",
                "reviewed_by__username",
            )
        ),
        "parcel_results": sorted(
            ParcelResult.objects.filter(run__project=project).values_list(
                "run__kind", "run__period_start", "parcel__code", "stock_tco2e", "issuable_tco2e"
            )
        ),
        "issuances": sorted(
            Issuance.objects.filter(project=project).values_list(
                "run__kind",
                "run__period_start",
                "unit_type",
                "vintage",
                "quantity",
                "buffer_quantity",
            )
        ),
        "blocks": sorted(
            (b.printed_serial, b.state, b.account.kind)
            for b in SerialBlock.objects.filter(project=project).select_related(
                "project__registry", "account"
            )
        ),
        "events": sorted(
            (e.kind, e.unit_type, e.vintage, e.quantity, str(e.serials), e.actor_label)
            for e in LedgerEvent.objects.filter(project=project)
        ),
        "sales": sorted(
            Sale.objects.filter(reservation__project=project).values_list(
                "reservation__unit_type",
                "reservation__vintage",
                "quantity",
                "price_per_tonne",
                "currency",
                "invoice_reference",
            )
        ),
        "retirements": sorted(
            Retirement.objects.filter(project=project).values_list(
                "unit_type", "vintage", "quantity", "beneficiary", "purpose", "retired_on"
            )
        ),
    }


def _restart_id_sequences() -> None:
    """On PostgreSQL, rolled-back inserts still consume ids; restart every sequence after the
    highest id so that two loads get the same ids (which the runs' input hashes cover). SQLite
    rolls its counters back with the transaction and needs nothing."""
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def snapshot_of_a_fresh_load(seed_value: int) -> dict[str, list[tuple]]:
    """Load the demo, take its snapshot, and roll everything back (species included).

    A savepoint, not an atomic block: the ledger services are durable transactions, which
    refuse to nest in any atomic block but the test's own.
    """
    _restart_id_sequences()
    savepoint = transaction.savepoint()
    try:
        load_demo(scale=SCALE, seed=seed_value)
        return {**snapshot(), **registry_snapshot(demo_project())}
    finally:
        transaction.savepoint_rollback(savepoint)


def test_it_draws_quadrilaterals_of_the_requested_area_that_fit_their_cell() -> None:
    rng = np.random.default_rng(3)
    for area in (10_000.0, 35_000.0, 59_000.0):
        ring = layout.parcel_ring(area, rng)
        x, y = ring.T
        shoelace = 0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))
        assert shoelace == pytest.approx(area)  # positive: counter-clockwise
        assert np.abs(ring).max() <= layout.CELL_M / 2 - layout.MARGIN_M


def test_it_gives_every_parcel_its_own_cell_near_its_community() -> None:
    rng = np.random.default_rng(5)
    cells = np.array([(x, y) for x in range(0, 8000, 400) for y in range(0, 8000, 400)], float)
    centres = np.array([[1000.0, 1000.0], [7000.0, 7000.0]])
    communities = np.array([0] * 30 + [1] * 30)

    chosen = layout.assign_cells(cells, centres, communities, rng)

    assert len(set(chosen.tolist())) == 60
    near = np.hypot(*(cells[chosen] + layout.CELL_M / 2 - centres[communities]).T)
    assert near.max() < 3000


@pytest.mark.django_db
def test_it_loads_a_project_in_the_pichanaki_district_at_scale() -> None:
    output = seed()

    project = demo_project()
    summary = demo_summary(project)
    assert "Captura de Carbono Pichanaki" in output
    assert project.methodology == "CarbonFix v3.2 / AR-AMS0007"
    assert (project.crediting_start.year, project.crediting_end.year) == (2010, 2039)
    assert project.area.equals(layout.load_district("120303"))
    assert geo.area_m2(project.area) == pytest.approx(1_242.4e6, rel=1e-3)
    assert summary.cooperatives == 3
    assert summary.smallholders == 24
    assert 24 <= summary.parcels <= 72
    assert abs(summary.hectares - Decimal(80)) < 4
    assert summary.plot_visits >= 3 * 6  # at least two permanent plots per stratum, 3 visits
    assert summary.tree_measurements > 0


@pytest.mark.django_db
def test_it_gives_identical_rows_for_the_same_seed_and_different_rows_for_another() -> None:
    first = snapshot_of_a_fresh_load(11)
    second = snapshot_of_a_fresh_load(11)
    other = snapshot_of_a_fresh_load(12)

    assert first["trees"] and first["runs"] and first["blocks"] and first == second
    assert not Project.objects.exists()
    assert other["parcels"] != first["parcels"]
    assert other["smallholders"] != first["smallholders"]


@pytest.mark.django_db
def test_it_changes_nothing_on_a_second_run() -> None:
    seed()
    before = snapshot()
    history = Smallholder.history.count(), Parcel.history.count(), Planting.history.count()

    again = seed()
    if_empty = seed("--if-empty")

    assert snapshot() == before
    assert (Smallholder.history.count(), Parcel.history.count(), Planting.history.count()) == (
        history
    )
    assert "nothing changed" in again or "no se cambió nada" in again
    assert Project.objects.count() == 1
    assert if_empty.strip()


@pytest.mark.django_db
def test_it_loads_nothing_with_if_empty_when_a_project_exists(personas) -> None:
    seed("--if-empty")

    assert not Project.objects.filter(code=catalogue.PROJECT_CODE).exists()
    assert Parcel.objects.count() == 0


@pytest.mark.django_db
def test_it_lays_parcels_inside_the_district_without_overlaps() -> None:
    seed()
    project = demo_project()
    parcels = list(Parcel.objects.filter(project=project))

    union = MultiPolygon([poly for p in parcels for poly in p.boundary], srid=4326).unary_union
    assert geo.area_m2(union) == pytest.approx(sum(geo.area_m2(p.boundary) for p in parcels))
    for parcel in parcels:
        assert (
            overlaps.find_overlaps(
                parcel.boundary, project_id=project.pk, exclude_id=parcel.pk, tolerance_m2=0.0
            )
            == []
        )
        assert project.area.contains(parcel.boundary)
        geo.validate_boundary(parcel.boundary, project=project)
        assert parcel.area_epsg == 32718 == geo.utm_epsg_for(parcel.boundary)
        assert parcel.area_ha == geo.area_hectares(parcel.boundary)
        assert Decimal(1) <= parcel.area_ha <= Decimal(6)
    assert len({p.smallholder_id for p in parcels}) == 24


@pytest.mark.django_db
def test_it_writes_rows_that_pass_the_models_validation() -> None:
    seed()
    project = demo_project()
    rows = [
        project,
        *Cooperative.objects.all(),
        *Smallholder.objects.filter(project=project),
        *Parcel.objects.filter(project=project),
        *Planting.objects.filter(parcel__project=project),
        *SurvivalCount.objects.filter(planting__parcel__project=project),
        *MonitoringPlot.objects.filter(parcel__project=project),
    ]
    for row in rows:
        row.full_clean()
    for planting in Planting.objects.filter(parcel__project=project).select_related(
        "species", "parcel"
    ):
        per_ha = planting.trees_planted / planting.parcel.area_ha
        assert planting.species.min_density_per_ha <= per_ha <= planting.species.max_density_per_ha
        assert 2010 <= planting.planted_on.year <= 2012
        assert planting.parcel.status != ParcelStatus.REJECTED
        assert planting.planted_on > planting.parcel.smallholder.agreement_signed_on


@pytest.mark.django_db
def test_it_plants_about_eighty_percent_native_trees_with_replantings_and_counts() -> None:
    seed()
    project = demo_project()
    summary = demo_summary(project)
    plantings = Planting.objects.filter(parcel__project=project)

    assert 0.75 <= summary.native_share <= 0.85
    assert plantings.filter(replanting_of__isnull=False).exists()
    assert len(set(plantings.values_list("arrangement", flat=True))) >= 3
    assert SurvivalCount.objects.filter(planting__parcel__project=project).count() == (
        2 * plantings.count()
    )
    assert project.strata.count() == 3


@pytest.mark.django_db
def test_it_measures_permanent_plots_that_grow_over_the_visits() -> None:
    seed()
    trees = TreeMeasurement.objects.filter(plot__parcel__project=demo_project()).select_related(
        "plot", "plot__parcel"
    )
    by_stem: dict[tuple, list[TreeMeasurement]] = {}
    for tree in trees.order_by("plot__measured_on"):
        by_stem.setdefault((tree.plot.code, tree.tree_tag, tree.stem), []).append(tree)

    plots = MonitoringPlot.objects.filter(parcel__project=demo_project())
    assert {v.measured_on.year for v in plots} == {2015, 2018, 2022}
    assert {v.radius_m for v in plots} == {Decimal("12.62")}
    assert all(v.parcel.boundary.contains(v.centre) for v in plots.select_related("parcel"))
    growing = [m for m in by_stem.values() if len(m) == 3 and m[0].origin == TreeOrigin.PLANTED]
    assert growing
    assert all(a.dbh_cm <= b.dbh_cm <= c.dbh_cm for a, b, c in growing)
    assert all(m[-1].dbh_cm > m[0].dbh_cm for m in growing)
    assert trees.filter(stem=2).exists() and trees.filter(height_m__isnull=False).exists()
    assert trees.exclude(status=TreeStatus.ALIVE).exists()
    for tree in trees:
        tree.full_clean()


@pytest.mark.django_db
def test_it_rejects_a_scale_that_is_not_positive() -> None:
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "0", stdout=io.StringIO())


@pytest.mark.django_db
def test_it_lets_the_demo_manager_log_into_the_admin(client, monkeypatch) -> None:
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    seed()
    out = io.StringIO()
    call_command("ensure_demo_users", stdout=out)

    login = client.post(
        reverse("admin:login"),
        {"username": "gestor", "password": DEFAULT_PASSWORD, "next": reverse("admin:index")},
    )
    assert login.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    profile = Profile.objects.get(user__username="gestor")
    assert profile.role == Role.MANAGER
    assert list(profile.projects.all()) == [demo_project()]
    assert "http://127.0.0.1:8000/admin/login/" in out.getvalue()
    assert "gestor" in out.getvalue() and DEFAULT_PASSWORD in out.getvalue()


@pytest.mark.django_db
def test_it_creates_one_login_per_role_once_with_the_password_from_the_environment(
    client, monkeypatch
) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "otra-clave-de-demo-2024")
    seed()
    first = io.StringIO()
    call_command("ensure_demo_users", stdout=first)
    history = Profile.history.count()
    second = io.StringIO()
    call_command("ensure_demo_users", stdout=second)

    profiles = Profile.objects.filter(user__username__in=["verificador", "gestor"])
    staff = Profile.objects.filter(role=Role.STAFF)
    assert profiles.count() == 2 and staff.count() == 3
    assert set(staff.values_list("cooperative__code", flat=True)) == {
        spec.code for spec in catalogue.COOPERATIVES
    }
    assert Profile.history.count() == history
    assert client.login(username="tecnico-cac-ubiriki", password="otra-clave-de-demo-2024")
    assert "Demo logins" in first.getvalue() and "Accesos de demostración" in first.getvalue()
    assert "otra-clave-de-demo-2024" not in second.getvalue()


@pytest.mark.django_db
def test_it_refuses_demo_logins_in_production_unless_forced(settings) -> None:
    seed()
    settings.PRODUCTION = True

    with pytest.raises(CommandError):
        call_command("ensure_demo_users", stdout=io.StringIO())
    with pytest.raises(CommandError):
        seed()
    call_command("ensure_demo_users", "--force", stdout=io.StringIO())
    assert Profile.objects.filter(user__username="gestor").exists()


@pytest.mark.django_db
def test_it_creates_no_login_and_says_why_when_the_demo_is_not_loaded(personas) -> None:
    err = io.StringIO()
    call_command("ensure_demo_users", stdout=io.StringIO(), stderr=err)

    assert "seed_demo" in err.getvalue()
    assert not Profile.objects.filter(user__username="gestor").exists()


@pytest.mark.django_db
def test_it_refuses_a_scale_whose_parcels_do_not_fit_the_district() -> None:
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_demo", "--scale", "20", stdout=io.StringIO())
    assert not Project.objects.exists()


# --- runs, credits and the buyer journey (steps 9 onwards) ------------------------------------
EX_POST_PERIODS = [
    (dt.date(2010, 1, 1), dt.date(2015, 12, 31)),
    (dt.date(2016, 1, 1), dt.date(2018, 12, 31)),
    (dt.date(2019, 1, 1), dt.date(2022, 12, 31)),
]
KEY_PATTERN = re.compile(r"pch_[0-9a-f]{8}_[A-Za-z0-9_-]+")


def demo_key(output: str) -> str:
    found = KEY_PATTERN.findall(output)
    assert found, output
    return found[0]


def key_client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


@pytest.mark.django_db
def test_it_approves_an_ex_ante_run_and_three_ex_post_runs_with_per_parcel_results(
    client, monkeypatch
) -> None:
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    seed()
    call_command("ensure_demo_users", stdout=io.StringIO())
    project = demo_project()
    runs = CalculationRun.objects.filter(project=project).order_by("kind", "period_start")
    parcels = Parcel.objects.filter(project=project, status=ParcelStatus.VALIDATED)

    ex_ante = runs.get(kind=RunKind.EX_ANTE)
    ex_post = list(runs.filter(kind=RunKind.EX_POST))
    assert (ex_ante.period_start, ex_ante.period_end) == (
        project.crediting_start,
        project.crediting_end,
    )
    assert [(r.period_start, r.period_end) for r in ex_post] == EX_POST_PERIODS
    assert [r.previous_run for r in ex_post] == [None, ex_post[0], ex_post[1]]
    for run in [ex_ante, *ex_post]:
        assert run.status == RunStatus.APPROVED, run.error
        assert (run.started_by.username, run.reviewed_by.username) == ("gestor", "verificador")
        assert len(run.input_hash) == 64 and run.issuable_tco2e >= 0
        assert ParcelResult.objects.filter(run=run).count() == parcels.count()
    assert all(r.details["cap_run"] == ex_ante.pk for r in ex_post)
    assert ex_post[0].stock_tco2e < ex_post[1].stock_tco2e < ex_post[2].stock_tco2e

    assert client.login(username="verificador", password=DEFAULT_PASSWORD)
    page = client.get(reverse("admin:quantification_calculationrun_change", args=[ex_post[2].pk]))
    assert page.status_code == 200
    assert parcels.order_by("code").first().code in page.content.decode()


@pytest.mark.django_db
def test_it_issues_the_approved_runs_into_a_ledger_whose_invariants_hold(client) -> None:
    seed()
    project = demo_project()
    vintages = {(v.unit_type, v.vintage): v for v in CreditVintage.objects.filter(project=project)}

    for run in CalculationRun.objects.filter(project=project):
        expected = {
            (v.year, v.issuable_tco2e, v.buffer_tco2e)
            for v in run.vintages.all()
            if v.issuable_tco2e + v.buffer_tco2e > 0
        }
        issued = set(
            Issuance.objects.filter(run=run).values_list("vintage", "quantity", "buffer_quantity")
        )
        assert issued == expected and issued
    verified = [v for (unit, _), v in vintages.items() if unit == "VER"]
    assert {v.vintage for v in verified} == set(range(2010, 2023))
    assert all(v.buffer > 0 for v in verified)
    converted = [v for (unit, year), v in vintages.items() if unit == "PER" and year <= 2022]
    forward = [v for (unit, year), v in vintages.items() if unit == "PER" and year > 2022]
    assert converted and all(v.available == v.buffer == v.held == 0 for v in converted)
    assert forward and all(v.available > 0 and v.buffer > 0 for v in forward)

    account = BuyerOrganisation.objects.get(name="Café Solidario S.A.C.").account
    forward_sale = Sale.objects.get(account=account, reservation__unit_type="PER")
    conversion = Conversion.objects.get(account=account, vintage=2014)
    assert conversion.ex_ante_cancelled == forward_sale.quantity == conversion.verified_delivered
    assert conversion.shortfall == 0
    assert Sale.objects.get(account=account, reservation__unit_type="VER").reservation.vintage == (
        2018
    )
    retirement = Retirement.objects.get(account=account)
    assert (retirement.vintage, retirement.beneficiary) == (2018, "Café Solidario S.A.C.")
    assert_ledger_invariants()

    page = client.get(reverse("credits:project", args=[project.code])).content.decode()
    assert "Café Solidario S.A.C." in page and "VER-2018" in page
    digits = page.replace("\u202f", "").replace("\xa0", "").replace(",", "").replace(".", "")
    for unit_type in ("PER", "VER"):  # the buffer of each unit type, never added together
        buffer = sum(v.buffer for v in vintages.values() if v.unit_type == unit_type)
        assert str(buffer) in digits, unit_type


@pytest.mark.django_db
def test_it_lets_a_buyer_do_the_whole_journey_with_the_demo_key(client, monkeypatch) -> None:
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    cache.clear()
    availability_cache.clear()
    seed()
    out = io.StringIO()
    call_command("ensure_demo_users", stdout=out)
    buyer = key_client(demo_key(out.getvalue()))
    assert "curl -s 'http://127.0.0.1:8000/api/v1/availability/?project=pch'" in out.getvalue()

    available = buyer.get("/api/v1/availability/", {"project": "pch"}).json()
    lines = {(a["unit_type"], a["vintage"]) for a in available["results"][0]["availability"]}
    assert ("PER", 2030) in lines and ("VER", 2018) in lines and ("PER", 2014) not in lines

    reserved = buyer.post(
        "/api/v1/reservations/",
        {"project": "pch", "vintage": 2030, "unit_type": "PER", "quantity": 25},
        format="json",
    )
    assert reserved.status_code == 201, reserved.content
    manager = APIClient()
    assert manager.login(username="gestor", password=DEFAULT_PASSWORD)
    confirmed = manager.post(
        f"/api/v1/reservations/{reserved.json()['id']}/confirm/",
        {"price_per_tonne": "11.00", "currency": "USD", "invoice_reference": "F001-000200"},
        format="json",
    )
    assert confirmed.status_code == 200, confirmed.content
    holdings = buyer.get("/api/v1/holdings/").json()["results"]
    assert {(h["unit_type"], h["vintage"]) for h in holdings} >= {("PER", 2030), ("VER", 2014)}

    retired = buyer.post(
        "/api/v1/retirements/",
        {
            "project": "pch",
            "vintage": 2014,
            "quantity": 5,
            "beneficiary": "Café Solidario S.A.C.",
            "purpose": "Compensación de prueba / test offset",
        },
        format="json",
    )
    assert retired.status_code == 201, retired.content
    path = "/" + retired.json()["certificate_url"].split("://", 1)[1].split("/", 1)[1]
    pdf = client.get(path)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert_ledger_invariants()

    again = io.StringIO()
    call_command("ensure_demo_users", stdout=again)
    assert not KEY_PATTERN.findall(again.getvalue().replace("<pch_…>", ""))
    assert ".venv/bin/python manage.py ensure_demo_users --new-api-key" in again.getvalue()
    renewed = io.StringIO()
    call_command("ensure_demo_users", "--new-api-key", stdout=renewed)
    cache.clear()
    assert buyer.get("/api/v1/holdings/").status_code == 401
    assert key_client(demo_key(renewed.getvalue())).get("/api/v1/holdings/").status_code == 200


@pytest.mark.django_db
def test_it_completes_a_demo_loaded_before_the_later_steps(monkeypatch) -> None:
    monkeypatch.setattr(steps, "LATER_STEPS", ())
    load_demo(scale=SCALE)
    monkeypatch.undo()
    project = demo_project()
    assert not CalculationRun.objects.exists()
    # An interrupted earlier load: the parameter set and a queued ex-ante run, never executed.
    runs_services.ensure_default_parameter_set(project_id=project.pk)
    manager, _login = logins.ensure_login(
        username="gestor", role=Role.MANAGER, password=None, project=project
    )
    queued = runs_services.start_calculation_run(
        project_id=project.pk,
        kind=RunKind.EX_ANTE,
        period_start=project.crediting_start,
        period_end=project.crediting_end,
        actor=manager,
    )

    completed = seed("--if-empty")
    again = seed()

    assert "ex_ante_run" in completed and "parameters" not in completed.split(":")[-2]
    assert CalculationRun.objects.get(kind=RunKind.EX_ANTE).pk == queued.pk
    assert CalculationRun.objects.filter(status=RunStatus.APPROVED).count() == 4
    assert Retirement.objects.count() == 1
    assert "nothing changed" in again or "no se cambió nada" in again
    assert_ledger_invariants()


@pytest.mark.django_db
def test_it_reports_the_runs_and_credits_in_spanish() -> None:
    with translation.override("es"):
        output = seed()

    assert "4 cálculos aprobados" in output
    assert "/registry/projects/pch/" in output
