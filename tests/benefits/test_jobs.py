"""Large distributions as Celery jobs with a progress bar: the job row, its progress written
where the page can read it, the same distribution as the inline path, failures translated."""

import threading
import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client

from benefits import services
from benefits.jobs import run_distribution_job, start_distribution
from benefits.models import Distribution, DistributionJob, JobStatus
from benefits.progress import JobProgress
from smallholders.choices import Role
from tests.base import PASSWORD, make_user


def lines_of(distribution: Distribution) -> list[tuple]:
    return list(
        distribution.lines.order_by("smallholder_id").values_list(
            "smallholder_id", "units", "share", "held_in_trust", "advance_recovered",
            "clawed_back", "amount", "provenance",
        )
    )  # fmt: skip


def manager_client(sold) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    assert client.login(username=sold.ledger.personas.manager_a.username, password=PASSWORD)
    return client


@pytest.mark.django_db(transaction=True)
def test_a_large_distribution_runs_on_the_worker_like_the_inline_path(
    sold, settings, celery_worker_on_redis
):
    manager = sold.ledger.personas.manager_a
    inline = start_distribution(project=sold.project, actor=manager)  # small: in the request
    assert isinstance(inline, Distribution)
    expected, expected_hash = lines_of(inline), inline.inputs_hash
    services.discard_distribution(distribution_id=inline.pk, actor=manager)
    settings.DISTRIBUTION_ASYNC_FAMILIES = 0
    job = start_distribution(project=sold.project, actor=manager)
    assert isinstance(job, DistributionJob) and job.status == JobStatus.QUEUED
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.live:
            break
        time.sleep(0.2)
    assert job.status == JobStatus.DONE, job.error
    assert job.progress == 100 and job.dispatched_at is not None
    assert job.distribution.inputs_hash == expected_hash
    assert lines_of(job.distribution) == expected and job.families == len(expected)


@pytest.mark.django_db
def test_progress_rises_through_planning_then_writing(sold):
    heard: list[tuple[int, str]] = []
    services.create_distribution(
        project=sold.project, actor=None, progress=lambda p, s: heard.append((p, s))
    )
    percents = [p for p, _status in heard]
    assert percents == sorted(percents) and len(set(percents)) == len(percents) >= 5
    statuses = [s for _p, s in heard]
    assert statuses.index(JobStatus.WRITING) > statuses.index(JobStatus.PLANNING)
    assert set(statuses[statuses.index(JobStatus.WRITING) :]) == {JobStatus.WRITING}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_by_other_connections_during_the_long_transaction(sold):
    job = DistributionJob.objects.create(project=sold.project)
    seen = []

    def look() -> None:  # another connection, as the page's request has
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT progress, status FROM benefits_distributionjob WHERE id = %s",
                    [job.pk],
                )
                seen.append(cursor.fetchone())
        finally:
            other.close()

    progress = JobProgress(job.pk)
    with transaction.atomic():
        progress(40, JobStatus.PLANNING)
        reader = threading.Thread(target=look)
        reader.start()
        reader.join()
        progress(70, JobStatus.WRITING)
        reader = threading.Thread(target=look)
        reader.start()
        reader.join()
    progress.close()
    assert seen == [(40, "planning"), (70, "writing")]


@pytest.mark.django_db
def test_the_admin_shows_the_bar_then_the_distribution(sold, settings):
    settings.DISTRIBUTION_ASYNC_FAMILIES = 0
    client = manager_client(sold)
    page = client.post("/admin/benefits/distribution/new/", {"project": sold.project.pk})
    job = DistributionJob.objects.get()
    assert page.status_code == 302 and page["Location"].endswith(f"/jobs/{job.pk}/")
    body = client.get(page["Location"]).content.decode()
    assert 'id="job-progress"' in body and "En cola" in body
    assert client.get(f"{page['Location']}progress/").json()["live"] is True
    run_distribution_job(job_id=job.pk)  # what the worker does with the message
    data = client.get(f"{page['Location']}progress/").json()
    distribution = Distribution.objects.get()
    assert data["progress"] == 100 and data["live"] is False
    assert data["distribution_url"].endswith(f"/distribution/{distribution.pk}/change/")
    assert f"n.º {distribution.pk}" in client.get(page["Location"]).content.decode()


@pytest.mark.django_db
def test_a_small_project_goes_straight_to_its_distribution(sold):
    page = manager_client(sold).post(
        "/admin/benefits/distribution/new/", {"project": sold.project.pk}
    )
    distribution = Distribution.objects.get()
    assert page["Location"].endswith(f"/distribution/{distribution.pk}/change/")
    assert not DistributionJob.objects.exists()


@pytest.mark.django_db
def test_a_failed_job_shows_why_in_the_requesters_language(sold, settings):
    settings.DISTRIBUTION_ASYNC_FAMILIES = 0
    client = manager_client(sold)
    page = client.post(
        "/admin/benefits/distribution/new/", {"project": sold.project.pk, "sales": "999999"}
    )
    job = run_distribution_job(job_id=DistributionJob.objects.get().pk)
    assert job.status == JobStatus.FAILED and not Distribution.objects.exists()
    body = client.get(page["Location"]).content.decode()
    assert "No se pudo crear la distribución" in body
    assert "Ninguna venta confirmada del proyecto" in body and "999999" in body
    data = client.get(f"{page['Location']}progress/").json()
    assert data["status"] == "failed" and "Ninguna venta confirmada" in data["error"]


@pytest.mark.django_db
def test_only_managers_start_and_other_projects_do_not_see_the_job(sold, settings):
    settings.DISTRIBUTION_ASYNC_FAMILIES = 0
    p = sold.ledger.personas
    manager_client(sold).post("/admin/benefits/distribution/new/", {"project": sold.project.pk})
    job = DistributionJob.objects.get()
    staff = Client()
    assert staff.login(username=p.staff_a1.username, password=PASSWORD)
    assert staff.get("/admin/benefits/distribution/new/").status_code == 403
    outsider = Client()
    other = make_user("manager_b", Role.MANAGER, projects=(p.project_b,))
    assert outsider.login(username=other.username, password=PASSWORD)
    assert outsider.get(f"/admin/benefits/distribution/jobs/{job.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_api_answers_202_with_the_job_to_poll(sold, settings):
    settings.DISTRIBUTION_ASYNC_FAMILIES = 0
    p = sold.ledger.personas
    client = manager_client(sold)
    created = client.post("/api/v1/distributions/", {"project": sold.project.code},
                          content_type="application/json")  # fmt: skip
    assert created.status_code == 202, created.content
    job = created.json()
    assert job["status"] == "queued" and created["Location"].endswith(
        f"/api/v1/distribution-jobs/{job['id']}/"
    )
    run_distribution_job(job_id=job["id"])
    done = client.get(f"/api/v1/distribution-jobs/{job['id']}/").json()
    assert done["status"] == "done" and done["progress"] == 100
    assert done["distribution"] == Distribution.objects.get().pk
    staff = Client()
    assert staff.login(username=p.staff_a1.username, password=PASSWORD)
    assert staff.get(f"/api/v1/distribution-jobs/{job['id']}/").status_code == 404
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/distribution-jobs/{id}/" in schema
