"""The benefits app's outbox (pichanaki/dispatch.py): large distributions wait for a worker.

Small distributions are computed in the request (`DISTRIBUTION_ASYNC_FAMILIES`): no job row.
"""

from django.db.models import Q

from benefits.models import DistributionJob, JobStatus
from pichanaki.dispatch import Outbox

DISTRIBUTION_JOBS = Outbox(
    name="benefits.distribution_jobs",
    model=DistributionJob,
    waiting=Q(status=JobStatus.QUEUED),
    task="benefits.tasks.run_distribution_job_task",
)
