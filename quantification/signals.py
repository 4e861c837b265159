"""Signals of the quantification app, for the apps above it (the back-office keeps its carbon
figures per cooperative with them; this app never knows who listens).

Approval changes a run's status with an UPDATE (no model signal), so the service announces
`run_approved` once its transaction has committed.
"""

from django.db import transaction
from django.dispatch import Signal

#: A calculation run of a project was approved and committed. Arguments: project_id.
run_approved = Signal()


def announce_run_approved(*, project_id: int) -> None:
    """Send `run_approved` after the surrounding transaction commits (listeners read the
    approved run; a rolled-back approval announces nothing)."""
    transaction.on_commit(
        lambda: run_approved.send(sender=announce_run_approved, project_id=project_id)
    )
