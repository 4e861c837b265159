"""Signals of the credits app, for the apps above it (the back-office's credit figures per
cooperative; this app never knows who listens).

An issuance writes its contributions in bulk (no model signals), so `issue_credits` announces
`credits_issued` once its transaction has committed.
"""

from django.db import transaction
from django.dispatch import Signal

#: Units of a project were issued (with the parcels they came from) and committed.
#: Arguments: project_id.
credits_issued = Signal()


def announce_credits_issued(*, project_id: int) -> None:
    """Send `credits_issued` after the surrounding transaction commits (listeners read the
    committed contributions; a rolled-back issuance announces nothing)."""
    transaction.on_commit(
        lambda: credits_issued.send(sender=announce_credits_issued, project_id=project_id)
    )
