from django.test import Client

from tests.base import PASSWORD
from tests.parcels.calculations.helpers import succeeded_run


def _login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_it_renders_the_run_detail_page_in_spanish(personas):
    run = succeeded_run(personas.project_a)
    page = _login(personas.verifier).get(
        f"/admin/parcels/calculationrun/{run.pk}/change/", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Emitible (tCO2e)" in text and "Aprobar" in text and "Parcelas" in text


def test_it_reports_progress_as_json(personas):
    run = succeeded_run(personas.project_a)
    reply = _login(personas.manager_a).get(f"/admin/parcels/calculationrun/{run.pk}/progress/")
    assert reply.json()["progress"] == 100


def test_it_approves_from_the_detail_page(personas):
    run = succeeded_run(personas.project_a)
    client = _login(personas.manager_a)
    client.post(f"/admin/parcels/calculationrun/{run.pk}/review/", {"decision": "approve"})
    run.refresh_from_db()
    assert run.status == "approved"
