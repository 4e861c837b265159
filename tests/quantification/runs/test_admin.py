from decimal import Decimal

from django.test import Client

from quantification import services
from quantification.models import CalculationRun
from tests.base import PASSWORD
from tests.quantification.runs import fixture_project
from tests.quantification.runs.helpers import succeeded_run


def _login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_it_renders_the_run_detail_page_in_spanish(personas):
    run = succeeded_run(personas.project_a)
    page = _login(personas.verifier).get(
        f"/admin/quantification/calculationrun/{run.pk}/change/", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Emitible (tCO2e)" in text and "Aprobar" in text and "Parcelas" in text


def test_it_reports_progress_as_json(personas):
    run = succeeded_run(personas.project_a)
    reply = _login(personas.manager_a).get(
        f"/admin/quantification/calculationrun/{run.pk}/progress/"
    )
    assert reply.json()["progress"] == 100


def test_it_approves_from_the_detail_page(personas):
    run = succeeded_run(personas.project_a)
    client = _login(personas.manager_a)
    client.post(f"/admin/quantification/calculationrun/{run.pk}/review/", {"decision": "approve"})
    run.refresh_from_db()
    assert run.status == "approved"


def test_it_starts_a_run_with_project_emissions_from_the_admin_form(personas):
    fixture_project.build(personas)
    services.ensure_default_parameter_set(project_id=personas.project_a.pk)
    client = _login(personas.manager_a)
    form = {
        "project": personas.project_a.pk,
        "kind": "ex_post",
        "period_start": "2019-07-01",
        "period_end": "2020-12-31",
        "parameter_set": "",
        "project_emissions_tco2e": "3.5",
    }
    page = client.post("/admin/quantification/calculationrun/add/", form)
    assert page.status_code == 302, page.content.decode()[:2000]
    run = CalculationRun.objects.get(project=personas.project_a)
    assert run.project_emissions_tco2e == Decimal("3.500")
    refused = client.post(
        "/admin/quantification/calculationrun/add/",
        {**form, "kind": "ex_ante"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert refused.status_code == 200
    assert "Las emisiones del proyecto se monitorean" in refused.content.decode()
    assert CalculationRun.objects.count() == 1
