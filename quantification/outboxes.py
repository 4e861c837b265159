"""The quantification app's outbox (pichanaki/dispatch.py): queued runs wait for a worker."""

from django.db.models import Q

from pichanaki.dispatch import Outbox
from quantification.models import CalculationRun, RunStatus

# The outbox keeps the name it had in the parcels app: it names the rows' queue, not a module.
CALCULATION_RUNS = Outbox(
    name="parcels.calculation_runs",
    model=CalculationRun,
    waiting=Q(status=RunStatus.QUEUED),
    task="quantification.tasks.execute_calculation_run_task",
)
