"""The demo's calculation runs, credits and buyer journey (steps 9 onwards)."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from credits.api.microcache import availability_cache
from credits.models import (
    BuyerOrganisation,
    Conversion,
    CreditVintage,
    Issuance,
    Retirement,
    Sale,
)
from demo import logins, steps
from demo.services import DEFAULT_PASSWORD, load_demo
from parcels.choices import ParcelStatus
from parcels.models import Parcel
from quantification import services as runs_services
from quantification.models import CalculationRun, ParcelResult, RunKind, RunStatus
from smallholders.choices import Role
from tests.credits.invariants import assert_ledger_invariants
from tests.demo.helpers import (
    EX_POST_PERIODS,
    KEY_PATTERN,
    SCALE,
    demo_key,
    demo_project,
    key_client,
    seed,
)


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
