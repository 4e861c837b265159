"""The events that change the dashboard's field, carbon, credit and money figures, each asking
for a refresh of its project's rollups once its transaction has committed.

Field rows saved one by one send Django's model signals; bulk writes (imports, the demo) send
`parcels.signals.field_data_written`; run approvals send `quantification.signals.run_approved`;
issuances `credits.signals.credits_issued`; distributions, approvals, payments and trust
releases send `benefits.signals.money_changed`. Connected in `BackofficeConfig.ready`.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from kombu.exceptions import OperationalError

from benefits.signals import money_changed
from credits.signals import credits_issued
from parcels.models import MonitoringPlot, Parcel, Planting, SurvivalCount
from parcels.signals import field_data_written
from quantification.signals import run_approved
from smallholders.models import Smallholder

MODELS = (Smallholder, Parcel, Planting, SurvivalCount, MonitoringPlot)


def request_refresh(*, project_id: int) -> None:
    """Queue a refresh of the project's rollups after the surrounding commit, and retire the
    project's cached map tiles."""
    from backoffice.services import bump_map_version, want_refresh
    from backoffice.tasks import refresh_panel_rollups_task

    def send() -> None:
        # Stamped after the commit: any refresh that starts later reads this commit's rows.
        requested_at = timezone.now()
        try:
            refresh_panel_rollups_task.delay(project_id, requested_at.isoformat())
        except OperationalError:  # the broker does not answer: kept for the outbox sweep
            want_refresh(project_id=project_id, requested_at=requested_at)

    # After the commit: the worker must read the committed rows, and a rollback asks nothing.
    # Robust: nothing here (a broker or a database that does not answer) undoes the user's write.
    transaction.on_commit(send, robust=True)
    # After the commit too: a tile cut between the bump and the commit would keep old rows.
    transaction.on_commit(lambda: bump_map_version(project_id=project_id), robust=True)


def _project_id(
    instance: Smallholder | Parcel | Planting | SurvivalCount | MonitoringPlot,
) -> int | None:
    """The row's project, through its parent (still there when the row is being deleted)."""
    if isinstance(instance, Smallholder | Parcel):
        return instance.project_id
    if isinstance(instance, SurvivalCount):
        plantings = Planting.objects.filter(pk=instance.planting_id)
        return plantings.values_list("parcel__project_id", flat=True).first()
    parcels = Parcel.objects.filter(pk=instance.parcel_id)
    return parcels.values_list("project_id", flat=True).first()


def on_row_change(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:  # fixtures being loaded: no events
        return
    project_id = _project_id(instance)
    if project_id is not None:
        request_refresh(project_id=project_id)


def on_bulk_write(sender, project_id: int, **kwargs) -> None:
    request_refresh(project_id=project_id)


def connect() -> None:
    for model in MODELS:
        uid = f"backoffice-rollup-{model._meta.label_lower}"
        post_save.connect(on_row_change, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(on_row_change, sender=model, dispatch_uid=uid + "-delete")
    field_data_written.connect(on_bulk_write, dispatch_uid="backoffice-rollup-bulk")
    money_changed.connect(on_bulk_write, dispatch_uid="backoffice-rollup-money")
    run_approved.connect(on_bulk_write, dispatch_uid="backoffice-rollup-run")
    credits_issued.connect(on_bulk_write, dispatch_uid="backoffice-rollup-credits")
