"""Signals of the benefits app, for the apps above it (the back-office's money figures).

Distributions, approvals, payments and trust releases write their lines and payment events in
bulk (no model signals), so each service announces `money_changed` once it has committed.
"""

from django.db import transaction
from django.dispatch import Signal

#: A project's distribution lines, payment events or trust holds changed. Arguments: project_id.
money_changed = Signal()


def announce_money_changed(*, project_id: int) -> None:
    """Send `money_changed` after the surrounding transaction commits (listeners read the
    committed rows; a rolled-back write announces nothing)."""
    transaction.on_commit(
        lambda: money_changed.send(sender=announce_money_changed, project_id=project_id)
    )
