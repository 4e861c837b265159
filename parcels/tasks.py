"""Celery tasks of the parcels app (autodiscovered from this module)."""

# --- Field-data imports (parcels/importing/tasks.py) ------------------------------------------
from parcels.importing.tasks import commit_import_task, preview_import_task

# --- Carbon calculation runs (parcels/calculations/tasks.py) ----------------------------------
from parcels.calculations.tasks import execute_calculation_run_task

__all__ = ["commit_import_task", "execute_calculation_run_task", "preview_import_task"]
