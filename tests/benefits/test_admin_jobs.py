"""The admin's list of distribution jobs: read-only, in Spanish, for the managers of the job's
project only, each row linking to its progress page or to the distribution it made."""

import pytest
from django.test import Client

from benefits.jobs import run_distribution_job
from benefits.models import Distribution, DistributionJob
from smallholders.choices import Role
from tests.base import PASSWORD, make_user

pytestmark = pytest.mark.django_db

URL = "/admin/benefits/distributionjob/"


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_managers_of_the_project_list_the_jobs_with_their_progress_and_links(sold, settings):
    settings.DISTRIBUTION_ASYNC_FAMILIES = 0  # every distribution is a job
    p = sold.ledger.personas
    manager = client_for(p.manager_a)
    manager.post("/admin/benefits/distribution/new/", {"project": sold.project.pk})
    queued = DistributionJob.objects.get()

    body = manager.get(URL).content.decode()
    assert "Trabajos de distribución" in body and "En cola" in body
    assert f'href="/admin/benefits/distribution/jobs/{queued.pk}/"' in body
    assert "Página de progreso" in body and '<progress value="0" max="100">' in body
    assert p.manager_a.username in body

    run_distribution_job(job_id=queued.pk)
    distribution = Distribution.objects.get()
    body = manager.get(URL).content.decode()
    assert "Terminado" in body and '<progress value="100" max="100">' in body
    assert f'href="/admin/benefits/distribution/{distribution.pk}/change/"' in body
    assert f"Distribución n.º {distribution.pk}" in body

    other = make_user("manager_b", Role.MANAGER, projects=(p.project_b,))
    assert (
        f"/distribution/{distribution.pk}/change/"
        not in client_for(other).get(URL).content.decode()
    )
    for user in (p.staff_a1, p.verifier):  # not managers: no list
        assert client_for(user).get(URL).status_code == 403
    assert manager.get(f"{URL}add/").status_code == 403
    response = manager.post(URL, {"action": "delete_selected", "_selected_action": [queued.pk]})
    assert response.status_code == 200 and DistributionJob.objects.filter(pk=queued.pk).exists()
