"""Large imports while the broker dies: saved, told in Spanish, run exactly once when it is back."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parcels.importing.services import create_import_job, request_import_commit
from parcels.importing.tasks import commit_import_task, preview_import_task
from parcels.models import ImportJob, TreeMeasurement
from pichanaki.tasks import resend_waiting_work_task
from tests.base import PASSWORD
from tests.private_redis import (  # noqa: F401 (fixtures)
    PrivateRedis,
    dying_during_dispatch,
    private_broker,
    private_redis,
    started_worker,
    wait_for,
)

TREES = (
    "parcela;parcela_muestreo;fecha;arbol;especie;dap;altura;estado\n"
    "PCH-0001;P1;20/06/2024;1;Inga edulis;12,5;8,2;vivo\n"
    "PCH-0001;P1;20/06/2024;2;Inga edulis;13;;muerto\n"
)
PAUSED_ES = "Los trabajos en segundo plano están en pausa"
PREVIEW, COMMIT = "parcels.preview_import", "parcels.commit_import"


def _status(job_id: int) -> str:
    return ImportJob.objects.get(pk=job_id).status


@pytest.mark.django_db(transaction=True)
def test_an_upload_and_a_commit_as_the_broker_dies_are_saved_and_run_once(
    field,
    client,
    settings,
    private_broker: PrivateRedis,  # noqa: F811
) -> None:
    settings.IMPORT_ASYNC_ROWS = 1  # this file goes to the worker
    client.login(username="staff_a1", password=PASSWORD)
    upload = SimpleUploadedFile("arboles.csv", TREES.encode())
    with dying_during_dispatch(private_broker):
        page = client.post(
            reverse("parcels_import:index"),
            {"kind": "measurements", "project": field.personas.project_a.pk, "file": upload},
            HTTP_ACCEPT_LANGUAGE="es",
            follow=True,
        )
    assert page.status_code == 200
    assert PAUSED_ES in page.content.decode()
    job = ImportJob.objects.get()
    assert (job.status, job.run_async, job.dispatched_at) == ("pending", True, None)

    private_broker.start()
    # The beat's sweep (twice, as a beat and a starting worker racing): one message in all.
    assert resend_waiting_work_task() == 1
    assert resend_waiting_work_task() == 0
    assert private_broker.client().llen("celery") == 1
    ran: list[str] = []
    with started_worker(ran):
        wait_for(lambda: _status(job.pk) == "previewed")
    with dying_during_dispatch(private_broker):
        page = client.post(
            reverse("parcels_import:commit", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="es", follow=True
        )
    assert PAUSED_ES in page.content.decode()
    job.refresh_from_db()
    # Attempts count every send of the job: the preview's failed one and the sweep's, then this.
    assert (job.status, job.dispatched_at, job.dispatch_attempts) == ("committing", None, 3)
    assert TreeMeasurement.objects.count() == 0
    private_broker.start()
    with started_worker(ran):  # its start sends the waiting commit
        wait_for(lambda: _status(job.pk) in ("done", "failed"))
    job.refresh_from_db()
    assert (job.status, job.created_count, job.message) == ("done", 2, "")
    assert TreeMeasurement.objects.count() == 2
    assert (ran.count(PREVIEW), ran.count(COMMIT)) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_duplicate_messages_of_a_job_do_nothing(
    field,
    settings,
    private_broker: PrivateRedis,  # noqa: F811
) -> None:
    settings.IMPORT_ASYNC_ROWS = 1
    job = create_import_job(
        user=field.personas.staff_a1,
        kind="measurements",
        project=field.personas.project_a,
        cooperative=None,
        upload=SimpleUploadedFile("arboles.csv", TREES.encode()),
    )
    ran: list[str] = []
    with started_worker(ran):
        wait_for(lambda: _status(job.pk) == "previewed")
        request_import_commit(job_id=job.pk, user=field.personas.staff_a1)
        commit_import_task.delay(job.pk)  # duplicates, as a re-send of a lost message makes
        preview_import_task.delay(job.pk)
        wait_for(lambda: (ran.count(PREVIEW), ran.count(COMMIT)) == (2, 2))
        wait_for(lambda: _status(job.pk) in ("done", "failed"))
    job.refresh_from_db()
    assert (job.status, job.created_count, job.updated_count) == ("done", 2, 0)
    assert TreeMeasurement.objects.count() == 2
    assert TreeMeasurement.history.count() == 2
