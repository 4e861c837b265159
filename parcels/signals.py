"""Signals of the parcels app, for the apps above it (the back-office keeps its figures fresh
with them; this app never knows who listens).

Rows saved one by one send Django's own model signals (post_save, post_delete). Writes that
bypass those (imports streamed by COPY or bulk_create) announce themselves with
`field_data_written` once their transaction has committed.
"""

from django.db import transaction
from django.dispatch import Signal

#: Field data of a project was written in bulk and committed. Arguments: project_id.
field_data_written = Signal()


def announce_field_data_written(*, project_id: int) -> None:
    """Send `field_data_written` after the surrounding transaction commits (at once outside
    one), so that listeners read the new rows and a rolled-back import announces nothing."""
    transaction.on_commit(
        lambda: field_data_written.send(sender=announce_field_data_written, project_id=project_id)
    )
