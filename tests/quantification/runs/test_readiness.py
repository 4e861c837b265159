"""What a run includes, readiness before a run is created (form, API, service), failures shown
translated with what to do next, and the run page's order (decision and summary first)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from parcels import services as parcel_services
from parcels.models import TreeMeasurement
from quantification import services
from quantification.exceptions import RunNotReady
from quantification.models import CalculationRun, RunKind, RunStatus
from tests.base import PASSWORD
from tests.parcels.builders import cell, make_parcel, make_smallholder
from tests.quantification.runs import fixture_project

PAGE = "/admin/quantification/calculationrun/{}/change/"
START = {
    "kind": "ex_post",
    "period_start": fixture_project.PERIOD[0].isoformat(),
    "period_end": fixture_project.PERIOD[1].isoformat(),
}


@pytest.fixture
def field(personas):
    built = fixture_project.build(personas)
    services.ensure_default_parameter_set(project_id=built.project.pk)
    return built


def _login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _drafts(field, personas, codes=("D1", "D2", "D3")):
    """Parcels a technician imported: drafts, no stratum, no plots."""
    owner = make_smallholder(field.project, personas.coop_a1, dni="87654321")
    return [make_parcel(owner, code=code, boundary=cell(10 + i)) for i, code in enumerate(codes)]


def _start_form(client, field, **changes):
    form = {
        "project": field.project.pk,
        **START,
        "parameter_set": "",
        "project_emissions_tco2e": "0",
        **changes,
    }
    return client.post("/admin/quantification/calculationrun/add/", form, HTTP_ACCEPT_LANGUAGE="es")


def test_draft_parcels_without_stratum_are_left_out_and_counted_on_the_run_page(field, personas):
    _drafts(field, personas)
    run = fixture_project.run(field, personas.manager_a, kind=RunKind.EX_POST)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.parcels.count() == 5
    assert run.details["parcel_scope"] == {"included": 5, "excluded": {"draft": 3}}
    text = _login(personas.manager_a).get(PAGE.format(run.pk), HTTP_ACCEPT_LANGUAGE="es")
    text = " ".join(text.content.decode().split())
    assert "El cálculo incluye 5 parcelas validadas." in text
    assert "3 parcelas quedaron fuera porque no están validadas: Borrador 3." in text


def test_a_validated_parcel_without_stratum_is_refused_by_form_api_and_service(field, personas):
    (loose,) = _drafts(field, personas, codes=("SIN-ESTRATO",))
    parcel_services.submit_parcel(parcel_id=loose.pk, actor=personas.manager_a)
    parcel_services.validate_parcel(parcel_id=loose.pk, actor=personas.manager_a)
    page = _start_form(_login(personas.manager_a), field)
    assert page.status_code == 200
    assert "1 parcelas validadas no tienen estrato (SIN-ESTRATO)" in page.content.decode()
    reply = _api(personas.manager_a).post(
        "/api/v1/calculation-runs/",
        {"project": field.project.pk, **START},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert reply.status_code == 400
    assert "have no stratum (SIN-ESTRATO)" in str(reply.json())
    with pytest.raises(RunNotReady):
        fixture_project.run(field, personas.manager_a, kind=RunKind.EX_POST)
    assert not CalculationRun.objects.exists()


def test_a_stratum_with_too_few_plots_is_refused_naming_it(field, personas):
    field.plots[4].delete()  # S2 keeps one plot
    page = _start_form(_login(personas.manager_a), field)
    assert "El estrato s2 tiene 1 parcelas de muestreo medidas" in page.content.decode()
    reply = _api(personas.manager_a).post(
        "/api/v1/calculation-runs/",
        {"project": field.project.pk, **START},
        format="json",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert reply.status_code == 400 and "estrato s2" in str(reply.json())
    assert not CalculationRun.objects.exists()


def test_a_period_overlapping_an_approved_run_is_refused_before_the_run(field, personas):
    first = fixture_project.run(field, personas.manager_a, kind=RunKind.EX_POST)
    services.approve_calculation_run(run_id=first.pk, actor=personas.verifier)
    page = _start_form(_login(personas.manager_a), field, period_start="2020-06-01")
    assert page.status_code == 200
    assert f"El cálculo aprobado #{first.pk} ya cubre" in page.content.decode()
    assert CalculationRun.objects.count() == 1


def test_a_project_without_validated_parcels_is_refused(personas):
    services.ensure_default_parameter_set(project_id=personas.project_a.pk)
    with pytest.raises(RunNotReady, match="no validated parcel"):
        services.start_calculation_run(
            project_id=personas.project_a.pk,
            kind=RunKind.EX_ANTE,
            period_start=dt.date(2020, 1, 1),
            period_end=dt.date(2020, 12, 31),
            actor=personas.manager_a,
        )


def test_creating_a_run_says_it_was_queued_not_added(field, personas):
    client = _login(personas.manager_a)
    page = _start_form(client, field)
    assert page.status_code == 302
    followed = client.get(page["Location"], HTTP_ACCEPT_LANGUAGE="es")
    text = followed.content.decode()
    assert "en cola" in text and "correctamente" not in text


def test_a_failed_run_shows_a_translated_reason_and_what_to_do_next(field, personas):
    bad = TreeMeasurement.objects.get(plot=field.plots[2], tree_tag="T21")
    TreeMeasurement.objects.filter(pk=bad.pk).update(wood_density=Decimal("0.000"))
    run = fixture_project.run(field, personas.manager_a, kind=RunKind.EX_POST)
    assert run.status == RunStatus.FAILED
    text = _login(personas.manager_a).get(PAGE.format(run.pk), HTTP_ACCEPT_LANGUAGE="es")
    text = text.content.decode()
    assert "Algunas mediciones de árboles no se pueden calcular." in text
    assert f"medición de árbol {bad.pk}, wood_density" in text
    assert "Qué hacer ahora" in text
    assert "tree measurement" not in text and "CarbonInputError" not in text


def test_the_run_page_puts_summary_and_decision_first_and_pages_the_parcels(
    field, personas, monkeypatch
):
    from quantification import admin as admin_calculations

    monkeypatch.setattr(admin_calculations, "PARCELS_PER_PAGE", 2)
    run = fixture_project.run(field, personas.manager_a, kind=RunKind.EX_POST)
    client = _login(personas.verifier)
    text = client.get(PAGE.format(run.pk), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    order = [text.index(m) for m in ("<h3>Resumen</h3>", 'id="run-review"', 'id="run-parcels"')]
    assert order == sorted(order)
    assert re.findall(r"<td>(P\d)</td>", text) == ["P1", "P2"]
    assert "Parcelas 1–2 de 5." in text
    last = client.get(PAGE.format(run.pk) + "?page=3", HTTP_ACCEPT_LANGUAGE="es")
    assert re.findall(r"<td>(P\d)</td>", last.content.decode()) == ["P5"]
    csv = client.get(f"/admin/quantification/calculationrun/{run.pk}/parcels.csv")
    body = csv.content.decode("utf-8-sig").splitlines()
    assert len(body) == 6 and [line.split(";")[0] for line in body[1:]] == [
        "P1",
        "P2",
        "P3",
        "P4",
        "P5",
    ]
