"""Distributions of large projects as Celery jobs with a progress bar (issue 11).

`start_distribution` computes a small project's distribution in the request, as before; a
project with more than `DISTRIBUTION_ASYNC_FAMILIES` families gets a `DistributionJob`, sent to a
worker through the outbox (pichanaki/dispatch.py) once committed. The worker runs the very same
`create_distribution`, so the job's distribution is the one the request would have made.
"""

from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from benefits.exceptions import BenefitsBusy, BenefitsError
from benefits.models import Distribution, DistributionJob, JobStatus
from benefits.outboxes import DISTRIBUTION_JOBS
from benefits.progress import JobProgress
from benefits.services import create_distribution
from pichanaki import dispatch
from smallholders.models import Project, Smallholder


def runs_in_background(project: Project) -> bool:
    families = Smallholder.objects.filter(project=project).count()
    return families > settings.DISTRIBUTION_ASYNC_FAMILIES


def start_distribution(
    *,
    project: Project,
    actor: User,
    sale_ids: Sequence[int] | None = None,
    policy_version: int | None = None,
) -> Distribution | DistributionJob:
    """The distribution (computed now) or, for a large project, its queued job.

    Raises what `create_distribution` raises when computed now; a job records it instead.
    Raises `JobsPaused` when the job is saved but the broker does not answer (it runs later).
    """
    if not runs_in_background(project):
        return create_distribution(
            project=project, actor=actor, sale_ids=sale_ids, policy_version=policy_version
        )
    # The job row is committed before its task is sent (the worker must find it), and only
    # then is it known whether the broker answered.
    with transaction.atomic():
        job = DistributionJob.objects.create(
            project=project, requested_by=actor, policy_version=policy_version,
            sale_ids=list(sale_ids) if sale_ids is not None else None,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )  # fmt: skip
        sending = dispatch.send_after_commit(DISTRIBUTION_JOBS, job.pk)
    sending.raise_if_paused()
    return job


def run_distribution_job(*, job_id: int) -> DistributionJob:
    """Claim the queued job, compute its distribution with progress, and store the outcome.

    A refusal (no policy, nothing to distribute, sales taken…) ends the job failed with the
    reason in the requester's language; while another person holds the sales (busy) the job
    goes back to waiting, unsent, and the outbox sweep sends it again.
    """
    # Claimed by compare-and-set: a duplicate message finds the job no longer queued.
    claimed = DistributionJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.PLANNING, progress=1
    )
    job = DistributionJob.objects.select_related("project", "requested_by").get(pk=job_id)
    if not claimed:
        return job
    progress = JobProgress(job.pk)
    try:
        with translation.override(job.language):
            distribution = create_distribution(
                project=job.project, actor=job.requested_by, sale_ids=job.sale_ids,
                policy_version=job.policy_version, progress=progress,
            )  # fmt: skip
    except BenefitsBusy:
        DistributionJob.objects.filter(pk=job.pk).update(
            status=JobStatus.QUEUED, progress=0, dispatched_at=None
        )
        raise
    except BenefitsError as exc:
        return _finish(job, JobStatus.FAILED, error=str(exc))
    finally:
        progress.close()
    return _finish(job, JobStatus.DONE, distribution=distribution)


def fail_distribution_job(*, job_id: int, language: str | None = None) -> None:
    """Mark the job failed after an unexpected error (its transaction rolled back: nothing
    was written); the reason names the job for the technical team, who read the log."""
    job = DistributionJob.objects.get(pk=job_id)
    with translation.override(language or job.language):
        error = _(
            "The distribution stopped because of an unexpected error; nothing was written. "
            "Tell the technical team job number %(id)s."
        ) % {"id": job.pk}
    _finish(job, JobStatus.FAILED, error=error)


def _finish(job: DistributionJob, status: str, *, error: str = "", distribution=None):
    job.status, job.progress, job.error, job.finished_at = status, 100, error, timezone.now()
    job.distribution = distribution
    job.families = distribution.lines.count() if distribution else 0
    job.save(update_fields=["status", "progress", "error", "finished_at", "distribution",
                            "families"])  # fmt: skip
    return job
