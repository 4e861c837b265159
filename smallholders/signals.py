"""Signals of field data, for the apps above (the back-office keeps its figures fresh with them;
the field-data apps never know who listens).

Field data is written by the bulk services of its owning app (smallholders.services,
parcels.bulk, parcels.bulk_monitoring), which send no model signals (COPY, bulk_create). Their
callers announce `field_data_written` once their rows are written: the single-row services
after each write, the importer and the demo once per load. Rows deleted, or saved one by one
elsewhere, send Django's own model signals.
"""

from django.db import transaction
from django.dispatch import Signal

#: Field data of a project was written and committed. Arguments: project_id.
field_data_written = Signal()


def announce_field_data_written(*, project_id: int) -> None:
    """Send `field_data_written` after the surrounding transaction commits (at once outside
    one), so that listeners read the new rows and a rolled-back write announces nothing."""
    transaction.on_commit(
        lambda: field_data_written.send(sender=announce_field_data_written, project_id=project_id)
    )
