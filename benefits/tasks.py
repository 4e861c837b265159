"""Celery tasks of benefit sharing: thin wrappers that call one service."""

from celery import shared_task

from benefits.batches import render_statement_batch
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
