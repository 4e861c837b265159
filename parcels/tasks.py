"""Celery tasks of the parcels app (autodiscovered from this module).

Field-data imports live in parcels/importing/tasks.py, carbon calculation runs in
parcels/calculations/tasks.py; both are re-exported here.
"""

from parcels.calculations.tasks import execute_calculation_run_task
from parcels.importing.tasks import commit_import_task, preview_import_task

__all__ = ["commit_import_task", "execute_calculation_run_task", "preview_import_task"]
