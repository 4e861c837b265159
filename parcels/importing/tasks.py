"""Celery tasks of the import jobs: thin wrappers taking a job id and calling one service."""

from celery import shared_task

from parcels.importing import services
from pichanaki.locking import LockTimeout


def _run(step, job_id: int) -> None:
    try:
        step(job_id=job_id)
    except LockTimeout:
        raise  # busy, not failed: the service left the job waiting (commit_import_job)
    except Exception as exc:
        services.fail_import_job(job_id=job_id, message=str(exc))
        raise


@shared_task(name="parcels.preview_import", acks_late=True)
def preview_import_task(job_id: int) -> None:
    """Check an uploaded file and store its preview on the job."""
    _run(services.preview_import_job, job_id)


@shared_task(name="parcels.commit_import", acks_late=True)
def commit_import_task(job_id: int) -> None:
    """Write a previewed file all or nothing."""
    _run(services.commit_import_job, job_id)
