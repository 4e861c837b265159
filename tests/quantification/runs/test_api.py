from decimal import Decimal

from rest_framework.test import APIClient

from quantification import services
from quantification.models import CalculationRun, RunStatus
from tests.quantification.runs import fixture_project
from tests.quantification.runs.helpers import succeeded_run


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_lists_only_runs_in_scope(personas):
    own = succeeded_run(personas.project_a)
    succeeded_run(personas.project_b)
    reply = _client(personas.manager_a).get("/api/v1/calculation-runs/")
    assert reply.status_code == 200
    assert [row["id"] for row in reply.json()["results"]] == [own.pk]
    assert reply.json()["results"][0]["vintages"][0]["issuable_tco2e"] == 49


def test_it_approves_by_post_and_reports_conflicts(personas):
    run = succeeded_run(personas.project_a)
    url = f"/api/v1/calculation-runs/{run.pk}/approve/"
    assert _client(personas.staff_a1).post(url).status_code == 403
    reply = _client(personas.verifier).post(url, {"note": "ok"}, format="json")
    assert reply.status_code == 200 and reply.json()["status"] == RunStatus.APPROVED
    again = _client(personas.manager_a).post(url)
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_it_answers_404_for_another_projects_run(personas):
    run = succeeded_run(personas.project_b)
    reply = _client(personas.manager_a).post(f"/api/v1/calculation-runs/{run.pk}/approve/")
    assert reply.status_code == 404


def test_it_creates_parameter_versions_and_names_bad_fields(personas):
    client = _client(personas.manager_a)
    url = "/api/v1/parameter-sets/"
    bad = client.post(
        url, {"project": personas.project_a.pk, "parameters": {"dmin_cm": -1}}, format="json"
    )
    assert bad.status_code == 400 and "dmin_cm" in bad.json()["error"]["fields"]
    good = client.post(
        url, {"project": personas.project_a.pk, "parameters": {"dmin_cm": 10}}, format="json"
    )
    assert good.status_code == 201 and good.json()["version"] == 1


def test_it_documents_the_endpoints_in_openapi(personas):
    schema = _client(personas.superuser).get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/calculation-runs/{id}/approve/" in schema["paths"]
    assert "/api/v1/parameter-sets/" in schema["paths"]


def test_it_starts_a_run_with_its_project_emissions(personas):
    fixture_project.build(personas)
    services.ensure_default_parameter_set(project_id=personas.project_a.pk)
    client = _client(personas.manager_a)
    start = {
        "project": personas.project_a.pk,
        "kind": "ex_post",
        "period_start": "2019-07-01",
        "period_end": "2020-12-31",
    }
    reply = client.post(
        "/api/v1/calculation-runs/", {**start, "project_emissions_tco2e": "7.250"}, format="json"
    )
    assert reply.status_code == 202, reply.json()
    run = CalculationRun.objects.get(pk=reply.json()["id"])
    assert run.project_emissions_tco2e == Decimal("7.250")
    assert reply.json()["project_emissions_tco2e"] == "7.250"
    bad = client.post(
        "/api/v1/calculation-runs/", {**start, "project_emissions_tco2e": "-1"}, format="json"
    )
    assert bad.status_code == 400
    assert "project_emissions_tco2e" in bad.json()["error"]["fields"]
    ex_ante = client.post(
        "/api/v1/calculation-runs/",
        {**start, "kind": "ex_ante", "project_emissions_tco2e": "1"},
        format="json",
    )
    assert ex_ante.status_code == 400
    assert "project_emissions_tco2e" in ex_ante.json()["error"]["fields"]
