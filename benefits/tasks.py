"""Celery tasks of benefit sharing: thin wrappers that call one service."""

from celery import shared_task

from benefits.batches import render_statement_batch
from benefits.exceptions import BenefitsBusy
from benefits.jobs import fail_distribution_job, run_distribution_job
from benefits.services import distribute_pending_sales
from benefits.trust import sweep_trust_deadlines


@shared_task(name="benefits.distribute_pending_sales", ignore_result=True)
def distribute_pending_sales_task() -> int:
    """Beat (hourly): a preview distribution for each project's confirmed sales not yet
    distributed (a manager or verifier then approves it). Returns how many were created."""
    return distribute_pending_sales()


@shared_task(name="benefits.render_statement_batch", ignore_result=True)
def render_statement_batch_task(batch_id: int) -> None:
    render_statement_batch(batch_id=batch_id)


@shared_task(name="benefits.sweep_trust_deadlines", ignore_result=True)
def sweep_trust_deadlines_task() -> int:
    """Beat (daily): shares held in trust past their deadline are returned, for the project's
    next distribution to take in. Returns how many were returned."""
    return sweep_trust_deadlines()


@shared_task(name="benefits.run_distribution_job", acks_late=True, ignore_result=True)
def run_distribution_job_task(job_id: int) -> None:
    """Compute a large distribution (a DistributionJob sent by the outbox), with progress."""
    try:
        run_distribution_job(job_id=job_id)
    except BenefitsBusy:
        raise  # busy, not failed: the service left the job waiting for the next sweep
    except Exception:
        fail_distribution_job(job_id=job_id)
        raise
